//! Figures for the collection tree, all in one run: insert, lookup and remove of one element (each
//! committed to the store, as a transaction would) in trees of 10, 10,000 and 1,000,000 elements, in
//! microseconds, in the work done (nodes read, nodes written, bytes hashed) — which should grow with
//! log2 n, not n — and in the gas the vmcall charges for it (its price and its work gas by the length;
//! a first write in an execution also pays its slot page's dirty gas, not counted here). Run: `cargo bench -p svm --bench collections`
//! (`SVM_COLLECTION_SIZES=10,10000` changes the sizes).

use std::time::Instant;
use svm::Hash;
use svm::gas::collection_prices::{read_work, write_work};
use svm::storage::collections::{CollectionTree, Work};
use svm::storage::kv::{KvStore, MemKv, WriteBatch};
use svm::vmcalls::registry::vmcall;

/// Keys spread like hashes of user data (32 bytes), from a counter.
fn key(i: u64) -> [u8; 32] {
    *blake3::hash(&i.to_le_bytes()).as_bytes()
}

fn main() {
    let sizes: Vec<u64> = std::env::var("SVM_COLLECTION_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 10_000, 1_000_000]);
    println!(
        "{:>9}  {:<7} {:>9} {:>11} {:>14} {:>13} {:>7}",
        "elements", "op", "µs/op", "nodes read", "nodes written", "bytes hashed", "gas"
    );
    let value = b"a new element";
    let price = |name: &str, bytes: u64| vmcall(name).map_or(0, |spec| spec.price.for_bytes(bytes));
    for n in sizes {
        // The tree of n elements, built 10,000 inserts per view and commit (a view keeps every node it
        // created until its commit, superseded ones included).
        let kv = std::sync::Arc::new(MemKv::new());
        let mut root = Hash::ZERO;
        for start in (0..n).step_by(10_000) {
            let mut tree = CollectionTree::open(kv.clone(), root, 32).expect("a width of 32");
            for i in start..(start + 10_000).min(n) {
                tree.insert(&key(i), &i.to_le_bytes()).expect("insert");
            }
            let mut batch = WriteBatch::new();
            root = tree.commit_into(&mut batch);
            kv.write(batch).expect("write");
        }

        let ops = 2_000u64.min(n.max(10));
        for op in ["insert", "lookup", "remove"] {
            let mut work = Work::default();
            let started = Instant::now();
            for j in 0..ops {
                let mut view = CollectionTree::open(kv.clone(), root, 32).expect("open");
                match op {
                    "insert" => {
                        view.insert(&key(n + j), value).expect("insert");
                    }
                    "lookup" => {
                        view.get(&key(j % n.max(1))).expect("get");
                    }
                    _ => {
                        view.remove(&key(n + j)).expect("remove");
                    }
                }
                let w = view.work();
                work.nodes_read += w.nodes_read;
                work.nodes_written += w.nodes_written;
                work.bytes_hashed += w.bytes_hashed;
                let mut batch = WriteBatch::new();
                root = view.commit_into(&mut batch);
                kv.write(batch).expect("write");
            }
            let micros = started.elapsed().as_secs_f64() * 1e6 / ops as f64;
            let per = |x: u64| x as f64 / ops as f64;
            let gas = match op {
                "insert" => price("collection_insert", value.len() as u64) + write_work(n),
                "lookup" => price("collection_get", 8) + read_work(n),
                _ => price("collection_remove", 0) + write_work(n),
            };
            println!(
                "{n:>9}  {op:<7} {micros:>9.2} {:>11.1} {:>14.1} {:>13.0} {gas:>7}",
                per(work.nodes_read),
                per(work.nodes_written),
                per(work.bytes_hashed)
            );
        }
    }
}
