//! Model tests of the contract-storage stack: slices over pages over the kv store, against a plain
//! byte vector per slice (the shared oracle of `svm-fuzzing`), history independence and read counts.

use arbitrary::Unstructured;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::storage::kv::{KvStore, MemKv};
use svm::storage::page_slices::{PageSlice, PageSliceCache, StorageLayout};
use svm::storage::pages::PAGE_SIZE;
use svm::testing::CountingKv;
use svm::{Address, ContractState};
use svm_fuzzing::generators::storage_ops;
use svm_fuzzing::oracles::storage_model;

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The shared storage oracle (the one the `storage` fuzz target runs): reads agree with a byte-vector
    /// model, errors are exact, discard restores the last commit, every committed state reloads.
    #[test]
    fn slices_behave_like_byte_vectors(data in prop::collection::vec(any::<u8>(), 64..4096), capacity in 1usize..6) {
        let mut u = Unstructured::new(&data);
        let (Ok(first), Ok(second), Ok(ops)) = (storage_ops::layout(&mut u), storage_ops::layout(&mut u), storage_ops::ops(&mut u, 80)) else {
            return Ok(());
        };
        storage_model::check(vec![first, second], &ops, capacity);
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
        let page_reads = reads.keys().filter(|k| k[0] == svm::storage::kv::namespace::PAGE).count();
        prop_assert!(reads.values().all(|&n| n == 1), "a key was read twice: {:?}", reads);
        prop_assert_eq!(page_reads, touched.len());
    }
}
