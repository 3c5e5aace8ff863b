//! Commit cost with the same small dirty set on a small and a huge contract, in one kv store.
//!
//! `cargo bench -p svm --bench commit`. The commitment is incremental when the two are close
//! (target: huge ≤ 1.3 × small).

mod common;

use common::{Placement, open_and_dirty, populate};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use svm::storage::kv::{KvStore, MemKv};
use svm::{Address, ContractState};

const SIZES: [u32; 2] = [10, 100_000];

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
