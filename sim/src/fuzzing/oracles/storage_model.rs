//! Storage oracle: slices over pages over the kv store behave like a byte vector per slice; discard
//! restores the last commit; every committed state reloads from the kv store by its hash.

use crate::fuzzing::generators::storage_ops::StorageOp;
use std::sync::Arc;
use svm::kv::{KvStore, MemKv};
use svm::page_slices::{PageSliceCache, StorageLayout};
use svm::{Address, ContractState};

fn expected_ok(layout: &StorageLayout, slice: u32, offset: u32, len: usize) -> bool {
    layout.slice(slice).is_some_and(|s| offset as usize + len <= s.len as usize)
}

fn contents(
    kv: &Arc<dyn KvStore>,
    address: Address,
    layout: &Arc<StorageLayout>,
    state: ContractState,
) -> Vec<Vec<u8>> {
    let mut cache = PageSliceCache::open(kv.clone(), address, layout.clone(), state).expect("open a committed state");
    (0..layout.slices().len() as u32).map(|i| cache.read_all(i).expect("read a committed slice")).collect()
}

/// Runs `ops` on a fresh contract with `layout` and checks every step against the model.
pub fn check(layout: StorageLayout, ops: &[StorageOp], page_capacity: usize) {
    let kv: Arc<dyn KvStore> = Arc::new(MemKv::new());
    let layout = Arc::new(layout);
    let address = Address([0x5A; 20]);
    let zeros: Vec<Vec<u8>> = layout.slices().iter().map(|s| vec![0; s.len as usize]).collect();
    let (mut pending, mut committed) = (zeros.clone(), zeros.clone());
    let mut history = vec![(ContractState::EMPTY, zeros)];
    let open = |state| {
        PageSliceCache::open(kv.clone(), address, layout.clone(), state)
            .expect("open")
            .with_page_capacity(page_capacity)
    };
    let mut execution = open(ContractState::EMPTY);
    for op in ops {
        match op {
            StorageOp::Write { slice, offset, bytes } => {
                let ok = expected_ok(&layout, *slice, *offset, bytes.len());
                assert_eq!(
                    execution.write(*slice, *offset, bytes).is_ok(),
                    ok,
                    "write {slice} {offset} {}",
                    bytes.len()
                );
                if ok {
                    let at = *offset as usize;
                    pending[*slice as usize][at..at + bytes.len()].copy_from_slice(bytes);
                }
            }
            StorageOp::Read { slice, offset, len } => {
                let mut buf = vec![0; *len];
                let ok = expected_ok(&layout, *slice, *offset, *len);
                assert_eq!(execution.read(*slice, *offset, &mut buf).is_ok(), ok, "read {slice} {offset} {len}");
                if ok {
                    let at = *offset as usize;
                    assert_eq!(buf, pending[*slice as usize][at..at + len], "read {slice} {offset} {len} disagrees");
                }
            }
            StorageOp::Commit => {
                let state = std::mem::replace(&mut execution, open(ContractState::EMPTY)).commit().expect("commit");
                execution = open(state);
                committed = pending.clone();
                history.push((state, committed.clone()));
                assert_eq!(contents(&kv, address, &layout, state), committed, "committed state reloads differently");
            }
            StorageOp::Discard => {
                let last = history.last().map_or(ContractState::EMPTY, |h| h.0);
                let discarded = std::mem::replace(&mut execution, open(last)).discard();
                assert_eq!(discarded, last, "discard changed the state");
                pending = committed.clone();
            }
            StorageOp::Reload { back } => {
                let (state, expected) = &history[history.len() - 1 - back % history.len()];
                assert_eq!(&contents(&kv, address, &layout, *state), expected, "state {state} reloads differently");
            }
        }
    }
}
