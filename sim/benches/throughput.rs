//! Per-replica throughput inside the simulator against a bare `Runtime::apply` loop on the same
//! stream and the same node configuration; one run, figures printed.
//!
//! `cargo bench -p svm-sim --bench throughput` (target: simulator ≥ 0.8 × bare).

use std::sync::Arc;
use std::time::Instant;
use svm::runtime::{BlockContext, Runtime};
use svm::storage::kv::MemKv;
use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_sim::node::default_nodes;
use svm_sim::progress::Progress;
use svm_sim::run::{run, run_replica};

fn main() {
    let txs = std::env::args().filter_map(|a| a.parse::<usize>().ok()).next().unwrap_or(3000);
    let stream = generate(&WorkloadParams::derive(42, txs)).expect("workload");
    println!("stream: seed 42, {} transactions\n", stream.txs.len());
    println!("{:<22} {:>12} {:>14} {:>7}", "replica config", "bare tx/s", "simulator tx/s", "ratio");
    for config in default_nodes() {
        // The bare loop: one runtime, apply every transaction, nothing else (restarts are a simulator
        // feature, so the bare loop runs the same config without them).
        let mut rt = Runtime::new(Arc::new(MemKv::new()), config.runtime_config(None));
        rt.genesis(&stream.genesis).expect("genesis");
        let started = Instant::now();
        for stx in &stream.txs {
            rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).expect("apply");
        }
        let bare = stream.txs.len() as f64 / started.elapsed().as_secs_f64();
        let simulated = {
            let no_restarts = svm_sim::node::NodeConfig { restart_every: None, ..config.clone() };
            let replica = run_replica(&stream, no_restarts, None, &Progress::hidden());
            replica.receipts.len() as f64 / replica.elapsed.as_secs_f64()
        };
        println!("{:<22} {:>12.0} {:>14.0} {:>7.2}", config.name, bare, simulated, simulated / bare);
    }
    let started = Instant::now();
    let result = run(&stream, &default_nodes(), None, 2, &Progress::hidden());
    let wall = started.elapsed().as_secs_f64();
    println!("\nall six replicas, 2 threads: {wall:.2} s wall, agree: {}", result.mismatch.is_none());
    for r in &result.replicas {
        println!(
            "  {:<22} {:>8.0} tx/s ({} restarts)",
            r.node.config.name,
            r.receipts.len() as f64 / r.elapsed.as_secs_f64(),
            r.node.restarts
        );
    }
}
