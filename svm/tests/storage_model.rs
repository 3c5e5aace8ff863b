//! Model tests of the contract-storage stack: slices over pages over the kv store, against a plain
//! byte vector per slice.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::kv::{CountingKv, KvStore, MemKv};
use svm::page_slices::{PageSlice, PageSliceCache, SliceError, StorageLayout};
use svm::pages::PAGE_SIZE;
use svm::{Address, ContractState};

/// A layout packed the way a compiler would: slices in order, with gaps, moving to the next page
/// when one does not fit, and a few unused pages at the end.
fn layout() -> impl Strategy<Value = Arc<StorageLayout>> {
    (prop::collection::vec((1u32..1500, 0u32..64, any::<bool>()), 1..10), 0u32..3).prop_map(|(specs, spare)| {
        let (mut page, mut offset, mut slices) = (0u32, 0u32, Vec::new());
        for (len, gap, next_page) in specs {
            offset += gap;
            if next_page || offset + len > PAGE_SIZE as u32 {
                page += 1;
                offset = 0;
            }
            slices.push(PageSlice { page, offset, len });
            offset += len;
        }
        Arc::new(StorageLayout::new(page + 1 + spare, slices).unwrap())
    })
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..48),
        (0usize..48).prop_map(|n| vec![0; n]),
        (0usize..1500).prop_map(|n| vec![0x5A; n]),
    ]
}

fn offset() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..4, 0u32..1600]
}

#[derive(Clone, Debug)]
enum Op {
    Write { contract: usize, slice: u32, offset: u32, bytes: Vec<u8> },
    Read { contract: usize, slice: u32, offset: u32, len: usize },
    Commit { contract: usize },
    Discard { contract: usize },
    ReloadEarlier { contract: usize, back: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let contract = 0usize..2;
    let slice = 0u32..12;
    prop_oneof![
        4 => (contract.clone(), slice.clone(), offset(), bytes())
            .prop_map(|(contract, slice, offset, bytes)| Op::Write { contract, slice, offset, bytes }),
        3 => (contract.clone(), slice, offset(), 0usize..64)
            .prop_map(|(contract, slice, offset, len)| Op::Read { contract, slice, offset, len }),
        2 => contract.clone().prop_map(|contract| Op::Commit { contract }),
        1 => contract.clone().prop_map(|contract| Op::Discard { contract }),
        1 => (contract, 0usize..8).prop_map(|(contract, back)| Op::ReloadEarlier { contract, back }),
    ]
}

/// The expected outcome of an access of `len` bytes at `offset` in `slice` under `layout`.
fn expected_access(layout: &StorageLayout, slice: u32, offset: u32, len: usize) -> Result<(), SliceError> {
    let Some(s) = layout.slice(slice) else {
        return Err(SliceError::UnknownSlice { slice, count: layout.slices().len() });
    };
    if offset as usize + len > s.len as usize {
        return Err(SliceError::OutOfRange { slice, offset, len, slice_len: s.len });
    }
    Ok(())
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

impl Contract {
    fn new(kv: &Arc<dyn KvStore>, address: Address, layout: Arc<StorageLayout>) -> Contract {
        let zeros: Vec<Vec<u8>> = layout.slices().iter().map(|s| vec![0; s.len as usize]).collect();
        let execution = PageSliceCache::open(kv.clone(), address, layout.clone(), ContractState::EMPTY).unwrap();
        Contract {
            address,
            layout,
            execution,
            pending: zeros.clone(),
            committed: zeros.clone(),
            history: vec![(ContractState::EMPTY, zeros)],
        }
    }

    fn restart(&mut self, kv: &Arc<dyn KvStore>, state: ContractState) -> PageSliceCache {
        let fresh = PageSliceCache::open(kv.clone(), self.address, self.layout.clone(), state).unwrap();
        std::mem::replace(&mut self.execution, fresh)
    }
}

/// Reads every slice of the contract at `state` through a fresh execution.
fn contents_at(kv: &Arc<dyn KvStore>, contract: &Contract, state: ContractState) -> Vec<Vec<u8>> {
    let mut cache = PageSliceCache::open(kv.clone(), contract.address, contract.layout.clone(), state).unwrap();
    let contents = (0..contract.layout.slices().len() as u32).map(|i| cache.read_all(i).unwrap()).collect();
    cache.discard();
    contents
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Reads agree with the model; discard restores the last commit; every committed state reloads.
    #[test]
    fn slices_behave_like_byte_vectors(layouts in (layout(), layout()), ops in prop::collection::vec(op(), 1..60)) {
        let kv: Arc<dyn KvStore> = Arc::new(MemKv::new());
        let mut contracts = [
            Contract::new(&kv, Address([1; 20]), layouts.0),
            Contract::new(&kv, Address([2; 20]), layouts.1),
        ];
        for op in ops {
            match op {
                Op::Write { contract, slice, offset, bytes } => {
                    let c = &mut contracts[contract];
                    let expected = expected_access(&c.layout, slice, offset, bytes.len());
                    prop_assert_eq!(c.execution.write(slice, offset, &bytes), expected.clone());
                    if expected.is_ok() {
                        let at = offset as usize;
                        c.pending[slice as usize][at..at + bytes.len()].copy_from_slice(&bytes);
                    }
                }
                Op::Read { contract, slice, offset, len } => {
                    let c = &mut contracts[contract];
                    let mut buf = vec![0xEE; len];
                    let expected = expected_access(&c.layout, slice, offset, len);
                    prop_assert_eq!(c.execution.read(slice, offset, &mut buf), expected.clone());
                    if expected.is_ok() {
                        let at = offset as usize;
                        prop_assert_eq!(&buf[..], &c.pending[slice as usize][at..at + len]);
                    }
                }
                Op::Commit { contract } => {
                    let c = &mut contracts[contract];
                    let state = c.restart(&kv, ContractState::EMPTY).commit().unwrap();
                    c.restart(&kv, state);
                    c.committed = c.pending.clone();
                    c.history.push((state, c.committed.clone()));
                    prop_assert_eq!(contents_at(&kv, c, state), c.committed.clone());
                }
                Op::Discard { contract } => {
                    let c = &mut contracts[contract];
                    let last = c.history.last().unwrap().0;
                    let discarded = c.restart(&kv, last).discard();
                    prop_assert_eq!(discarded, last);
                    c.pending = c.committed.clone();
                    prop_assert_eq!(contents_at(&kv, c, last), c.committed.clone());
                }
                Op::ReloadEarlier { contract, back } => {
                    let c = &contracts[contract];
                    let (state, contents) = &c.history[c.history.len() - 1 - back % c.history.len()];
                    prop_assert_eq!(&contents_at(&kv, c, *state), contents);
                }
            }
        }
    }

    /// The same final contents give the same state whatever the write order, the intermediate
    /// values and the commit splits.
    #[test]
    fn state_is_history_independent(
        layout in layout(),
        writes in prop::collection::vec((0u32..12, offset(), bytes(), any::<bool>()), 1..40),
        shuffle_seed in any::<u64>(),
        split_seed in any::<u64>(),
    ) {
        let slices = layout.slices().len() as u32;
        let address = Address([9; 20]);
        // Clamp each write into its slice so that all of them apply.
        let writes: Vec<(u32, u32, Vec<u8>, bool)> = writes
            .into_iter()
            .map(|(slice, offset, mut bytes, commit_after)| {
                let slice = slice % slices;
                let len = layout.slice(slice).unwrap().len;
                bytes.truncate(len as usize);
                let offset = offset % (len - bytes.len() as u32 + 1);
                (slice, offset, bytes, commit_after)
            })
            .collect();

        // History A: every write as generated, committing wherever the generator said.
        let kv: Arc<dyn KvStore> = Arc::new(MemKv::new());
        let mut state = ContractState::EMPTY;
        let mut cache = PageSliceCache::open(kv.clone(), address, layout.clone(), state).unwrap();
        for (slice, offset, bytes, commit_after) in &writes {
            cache.write(*slice, *offset, bytes).unwrap();
            if *commit_after {
                state = cache.commit().unwrap();
                cache = PageSliceCache::open(kv.clone(), address, layout.clone(), state).unwrap();
            }
        }
        let state_a = cache.commit().unwrap();
        let final_contents: Vec<Vec<u8>> = {
            let mut reader = PageSliceCache::open(kv.clone(), address, layout.clone(), state_a).unwrap();
            (0..slices).map(|i| reader.read_all(i).unwrap()).collect()
        };

        // History B: only the final contents, slices in a shuffled order, in other commit splits,
        // into a different kv store.
        let mut order: Vec<u32> = (0..slices).collect();
        let mut rng = shuffle_seed;
        for i in (1..order.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (rng >> 33) as usize % (i + 1));
        }
        let kv_b: Arc<dyn KvStore> = Arc::new(MemKv::new());
        let mut state_b = ContractState::EMPTY;
        let mut cache = PageSliceCache::open(kv_b.clone(), address, layout.clone(), state_b).unwrap();
        for (n, slice) in order.into_iter().enumerate() {
            cache.write(slice, 0, &final_contents[slice as usize]).unwrap();
            if (split_seed >> (n % 64)) & 1 == 1 {
                state_b = cache.commit().unwrap();
                cache = PageSliceCache::open(kv_b.clone(), address, layout.clone(), state_b).unwrap();
            }
        }
        state_b = cache.commit().unwrap();
        prop_assert_eq!(state_a, state_b);

        // Zeroing everything returns to the empty state.
        let mut cache = PageSliceCache::open(kv_b.clone(), address, layout.clone(), state_b).unwrap();
        for slice in 0..slices {
            cache.write(slice, 0, &vec![0; layout.slice(slice).unwrap().len as usize]).unwrap();
        }
        prop_assert_eq!(cache.commit().unwrap(), ContractState::EMPTY);
    }

    /// Within one execution, no kv key (page or tree node) is read more than once.
    #[test]
    fn each_page_is_fetched_at_most_once_per_execution(
        accesses in prop::collection::vec((0u32..64, any::<bool>()), 1..200),
    ) {
        let slices: Vec<PageSlice> = (0..64).map(|i| PageSlice { page: i, offset: 8 * i, len: 8 }).collect();
        let layout = Arc::new(StorageLayout::new(64, slices).unwrap());
        let counting = Arc::new(CountingKv::new(MemKv::new()));
        let kv: Arc<dyn KvStore> = counting.clone();
        let address = Address([4; 20]);

        let mut cache = PageSliceCache::open(kv.clone(), address, layout.clone(), ContractState::EMPTY).unwrap();
        for slice in 0..64 {
            cache.write(slice, 0, &(slice as u64 + 1).to_le_bytes()).unwrap();
        }
        let state = cache.commit().unwrap();

        counting.reset();
        let mut cache = PageSliceCache::open(kv.clone(), address, layout.clone(), state).unwrap();
        let mut touched = BTreeMap::new();
        for (slice, write) in accesses {
            if write {
                cache.write(slice, 0, &[7; 8]).unwrap();
            } else {
                let mut buf = [0; 8];
                cache.read(slice, 0, &mut buf).unwrap();
            }
            touched.insert(slice, ());
        }
        cache.commit().unwrap();
        let reads = counting.reads_per_key();
        let page_reads = reads.keys().filter(|k| k[0] == svm::kv::namespace::PAGE).count();
        prop_assert!(reads.values().all(|&n| n == 1), "a key was read twice: {:?}", reads);
        prop_assert_eq!(page_reads, touched.len());
    }
}
