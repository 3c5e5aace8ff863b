//! Storage oracle: the contract-storage stack (slices over a page cache over pages over the kv store)
//! behaves like one byte vector per slice. Several contracts share one kv store and never see each
//! other's bytes; every access outside a slice is the exact typed error; discard restores the last
//! commit; every committed state reloads from the kv store by its hash.

use crate::generators::storage_ops::StorageOp;
use std::sync::Arc;
use svm::storage::kv::{KvStore, MemKv};
use svm::storage::page_slices::{PageSliceCache, SliceError, StorageLayout};
use svm::{Address, ContractState};

/// The outcome the model expects of an access of `len` bytes at `offset` in `slice` under `layout`.
pub fn expected_access(layout: &StorageLayout, slice: u32, offset: u32, len: usize) -> Result<(), SliceError> {
    let Some(s) = layout.slice(slice) else {
        return Err(SliceError::UnknownSlice { slice, count: layout.slices().len() });
    };
    if u64::from(offset) + len as u64 > u64::from(s.len) {
        return Err(SliceError::OutOfRange { slice, offset, len, slice_len: s.len });
    }
    Ok(())
}

/// Every slice of the contract at `address` as of `state`, read through a fresh execution.
pub fn contents(
    kv: &Arc<dyn KvStore>,
    address: Address,
    layout: &Arc<StorageLayout>,
    state: ContractState,
) -> Vec<Vec<u8>> {
    let mut cache = PageSliceCache::open(kv.clone(), address, layout.clone(), state).expect("open a committed state");
    (0..layout.slices().len() as u32).map(|i| cache.read_all(i).expect("read a committed slice")).collect()
}

/// One contract under test and its model.
struct Contract {
    address: Address,
    layout: Arc<StorageLayout>,
    execution: PageSliceCache,
    pending: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
    history: Vec<(ContractState, Vec<Vec<u8>>)>,
}

/// Runs `ops` on one fresh contract per layout, all in one kv store, with page caches of
/// `page_capacity` clean pages, and checks every step against the model.
pub fn check(layouts: Vec<StorageLayout>, ops: &[StorageOp], page_capacity: usize) {
    let kv: Arc<dyn KvStore> = Arc::new(MemKv::new());
    let open = |address: Address, layout: &Arc<StorageLayout>, state| {
        PageSliceCache::open(kv.clone(), address, layout.clone(), state)
            .expect("open")
            .with_page_capacity(page_capacity)
    };
    let mut contracts: Vec<Contract> = layouts
        .into_iter()
        .enumerate()
        .map(|(i, layout)| {
            let layout = Arc::new(layout);
            let address = Address([0x5A ^ i as u8; 20]);
            let zeros: Vec<Vec<u8>> = layout.slices().iter().map(|s| vec![0; s.len as usize]).collect();
            Contract {
                address,
                execution: open(address, &layout, ContractState::EMPTY),
                layout,
                pending: zeros.clone(),
                committed: zeros.clone(),
                history: vec![(ContractState::EMPTY, zeros)],
            }
        })
        .collect();
    if contracts.is_empty() {
        return;
    }
    let count = contracts.len();
    for op in ops {
        let c = &mut contracts[op.contract() % count];
        match op {
            StorageOp::Write { slice, offset, bytes, .. } => {
                let expected = expected_access(&c.layout, *slice, *offset, bytes.len());
                assert_eq!(
                    c.execution.write(*slice, *offset, bytes),
                    expected,
                    "write {slice} {offset} {}",
                    bytes.len()
                );
                if expected.is_ok() {
                    let at = *offset as usize;
                    c.pending[*slice as usize][at..at + bytes.len()].copy_from_slice(bytes);
                }
            }
            StorageOp::Read { slice, offset, len, .. } => {
                let mut buf = vec![0xEE; *len];
                let expected = expected_access(&c.layout, *slice, *offset, *len);
                assert_eq!(c.execution.read(*slice, *offset, &mut buf), expected, "read {slice} {offset} {len}");
                if expected.is_ok() {
                    let at = *offset as usize;
                    assert_eq!(buf, c.pending[*slice as usize][at..at + len], "read {slice} {offset} {len} disagrees");
                }
            }
            StorageOp::Commit { .. } => {
                let fresh = open(c.address, &c.layout, ContractState::EMPTY);
                let state = std::mem::replace(&mut c.execution, fresh).commit().expect("commit");
                c.execution = open(c.address, &c.layout, state);
                c.committed = c.pending.clone();
                c.history.push((state, c.committed.clone()));
                assert_eq!(
                    contents(&kv, c.address, &c.layout, state),
                    c.committed,
                    "committed state reloads differently"
                );
            }
            StorageOp::Discard { .. } => {
                let last = c.history.last().map_or(ContractState::EMPTY, |h| h.0);
                let discarded = std::mem::replace(&mut c.execution, open(c.address, &c.layout, last)).discard();
                assert_eq!(discarded, last, "discard changed the state");
                c.pending = c.committed.clone();
                assert_eq!(contents(&kv, c.address, &c.layout, last), c.committed, "discard left a trace");
            }
            StorageOp::Reload { back, .. } => {
                let (state, expected) = &c.history[c.history.len() - 1 - back % c.history.len()];
                assert_eq!(&contents(&kv, c.address, &c.layout, *state), expected, "state {state} reloads differently");
            }
        }
    }
}
