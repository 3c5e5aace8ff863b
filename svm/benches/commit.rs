//! Commit cost with the same small dirty set on a small and a huge contract, in one kv store.
//!
//! `cargo bench -p svm --bench commit`. The commitment is incremental when the two are close
//! (target: huge ≤ 1.3 × small).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use svm::storage::kv::{KvStore, MemKv};
use svm::storage::page_cache::PageCache;
use svm::{Address, ContractState};

const DIRTY_PAGES: u32 = 4;
const SIZES: [u32; 2] = [10, 100_000];

/// Writes one non-zero byte into every page of a new contract, in chunks, and returns its state.
fn populate(kv: &Arc<dyn KvStore>, address: Address, page_count: u32) -> ContractState {
    let mut state = ContractState::EMPTY;
    for chunk in (0..page_count).collect::<Vec<_>>().chunks(10_000) {
        let mut cache = PageCache::open(kv.clone(), address, page_count, state).unwrap();
        for &index in chunk {
            cache.write(index, 0, &index.to_le_bytes()).unwrap();
            cache.write(index, 4, &[1]).unwrap();
        }
        state = cache.commit().unwrap();
    }
    state
}

/// Where the dirty pages lie.
#[derive(Clone, Copy)]
enum Placement {
    /// Next to each other, as a contract's few variables usually are.
    Clustered,
    /// As far apart as possible: the worst case for shared tree paths.
    Spread,
}

/// The dirty set: `DIRTY_PAGES` pages of the contract.
fn dirty_set(page_count: u32, placement: Placement) -> Vec<u32> {
    match placement {
        Placement::Clustered => (0..DIRTY_PAGES).map(|i| page_count / 2 - 2 + i).collect(),
        Placement::Spread => (0..DIRTY_PAGES).map(|i| i * (page_count - 1) / (DIRTY_PAGES - 1)).collect(),
    }
}

fn open_and_dirty(
    kv: &Arc<dyn KvStore>,
    address: Address,
    page_count: u32,
    state: ContractState,
    placement: Placement,
) -> PageCache {
    let mut cache = PageCache::open(kv.clone(), address, page_count, state).unwrap();
    for index in dirty_set(page_count, placement) {
        cache.write(index, 100, &[0xAB; 8]).unwrap();
    }
    cache
}

fn bench(c: &mut Criterion) {
    let kv: Arc<dyn KvStore> = Arc::new(MemKv::new());
    let contracts: Vec<(u32, Address, ContractState)> = SIZES
        .iter()
        .map(|&pages| {
            let address = Address([pages as u8; 20]);
            (pages, address, populate(&kv, address, pages))
        })
        .collect();

    for (name, placement) in [("clustered", Placement::Clustered), ("spread", Placement::Spread)] {
        let mut group = c.benchmark_group(format!("commit_{name}"));
        for &(pages, address, state) in &contracts {
            group.bench_function(format!("{pages}_pages"), |b| {
                b.iter_batched(
                    || open_and_dirty(&kv, address, pages, state, placement),
                    |cache| black_box(cache.commit().unwrap()),
                    BatchSize::SmallInput,
                )
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("open_write_commit_spread");
    for &(pages, address, state) in &contracts {
        group.bench_function(format!("{pages}_pages"), |b| {
            b.iter(|| black_box(open_and_dirty(&kv, address, pages, state, Placement::Spread).commit().unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
