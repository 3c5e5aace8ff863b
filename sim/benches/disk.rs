//! Figures for a node on disk, all from one stream in one run: transactions per second on `MemKv`
//! and on redb (fsync per layer, fsync per transaction), bytes on disk per 10,000 transactions with
//! and without retention, and sync from a snapshot (entries and bytes copied per second, each checked
//! against its hash, redb to redb and in memory). Run: `cargo bench -p svm-sim --bench disk` (`SVM_DISK_TXS` changes the
//! stream length, default 10,000).

use std::sync::Arc;
use std::time::Instant;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_sim::disk_node::{DiskOptions, Durability, apply_on_disk};
use svm_sim::progress::Progress;

fn main() {
    let txs = std::env::var("SVM_DISK_TXS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let stream = generate(&WorkloadParams::derive(7, txs)).expect("the workload generates");
    let layers = stream.txs.last().map_or(0, |t| t.layer + 1);
    println!("stream: {} transactions in {layers} layers (seed 7)", stream.txs.len());

    let started = Instant::now();
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&stream.genesis).expect("genesis");
    for stx in &stream.txs {
        rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).expect("apply");
    }
    let memory = stream.txs.len() as f64 / started.elapsed().as_secs_f64();
    println!("{:<44} {:>9.0} tx/s", "MemKv", memory);

    let runs = [
        ("redb, fsync per layer", Durability::Layer, None),
        ("redb, fsync per transaction", Durability::Transaction, None),
        ("redb, fsync per layer, retain 4 layers", Durability::Layer, Some(4)),
    ];
    for (label, durability, retain) in runs {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let db = dir.path().join("node.redb");
        let options = DiskOptions { durability, retain, gc_every: 8, log: None };
        let started = Instant::now();
        let run = apply_on_disk(&db, &stream, &options, &Progress::hidden()).expect("the disk run");
        let tps = stream.txs.len() as f64 / started.elapsed().as_secs_f64();
        let bytes = std::fs::metadata(&db).map_or(0, |m| m.len());
        let per_10k = bytes as f64 * 10_000.0 / stream.txs.len() as f64;
        println!(
            "{label:<44} {tps:>9.0} tx/s ({:.2}× MemKv)  {:>7.1} MiB on disk per 10k txs  root {}",
            tps / memory,
            per_10k / (1024.0 * 1024.0),
            run.head.root
        );
        assert_eq!(run.head.root, rt.root(), "{label}: a different root than MemKv's");
        if durability == Durability::Layer && retain.is_none() {
            sync_figures(&db, run.head.layer);
        }
    }
}

/// Syncs the last layer of the store at `db` into a new redb store and into memory, and prints how fast.
fn sync_figures(db: &std::path::Path, layer: u64) {
    use svm::storage::kv::{KvDurability, RedbKv};
    use svm::storage::sync::sync_layer;
    let source = RedbKv::open_existing(db, KvDurability::OnSync).expect("the store reopens");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let redb = RedbKv::create_or_open(&dir.path().join("synced.redb"), KvDurability::OnSync).expect("a new store");
    for (label, target) in
        [("sync, redb to redb", &redb as &dyn svm::storage::kv::KvStore), ("sync, redb to MemKv", &MemKv::new())]
    {
        let started = Instant::now();
        let (_, stats) = sync_layer(&source, target, layer, None).expect("the sync");
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{label:<44} {:>9.0} entries/s  {:>6.1} MB/s  ({} entries, {} bytes of layer {layer} in {seconds:.3}s)",
            stats.entries as f64 / seconds,
            stats.bytes as f64 / seconds / 1e6,
            stats.entries,
            stats.bytes
        );
    }
}
