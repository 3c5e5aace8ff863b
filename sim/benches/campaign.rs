//! A default campaign's wall time (issue 23): the default replica set against the set as it was before
//! its cranelift replica compiled each new code once (`cl-off-tiny`: a compile per execution), with and
//! without the reference VM, on one stream, in one run, with every check and fault of `svm-sim run`.
//!
//! `cargo bench -p svm-sim --bench campaign [txs]` (default 5,000 transactions of seed 7; target: the
//! default set ≥ 2× faster than the previous one).

use std::time::Instant;
use svm_sim::campaign::generated_stream;
use svm_sim::history::FaultKind;
use svm_sim::node::{CacheName, NodeConfig, default_nodes, with_faults};
use svm_sim::progress::Progress;
use svm_sim::run::run;

/// Rounds per figure; each figure is the fastest (the machine is shared).
const ROUNDS: usize = 2;

/// The default set with its compile-once cranelift replica put back to a compile per execution.
fn previous_nodes() -> Vec<NodeConfig> {
    default_nodes()
        .into_iter()
        .map(|node| match node.cache {
            CacheName::Once => NodeConfig { name: "cl-off-tiny".into(), cache: CacheName::Off, ..node },
            _ => node,
        })
        .collect()
}

/// Seconds for the fastest of `ROUNDS` campaigns of `nodes` (with every fault kind) over `stream`.
fn campaign_seconds(stream: &svm_fuzzing::stream::Stream, nodes: Vec<NodeConfig>, threads: usize) -> f64 {
    let nodes = with_faults(nodes, &FaultKind::ALL);
    (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            let result = run(stream, &nodes, None, threads, &Progress::hidden());
            assert!(result.mismatch.is_none() && result.finding_count() == 0, "the campaign found something");
            started.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let txs = std::env::args().filter_map(|a| a.parse::<usize>().ok()).next().unwrap_or(5000);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (stream, _) = generated_stream(7, txs, None).expect("workload");
    let without_reference = |nodes: Vec<NodeConfig>| nodes.into_iter().filter(|n| !n.is_reference()).collect();
    println!("\nDefault campaign, seed 7, {txs} transactions, {threads} threads, every fault kind (issue 23)\n");
    println!("| {:<44} | {:>10} | {:>10} | {:>8} |", "replica set", "previous", "now", "speed-up");
    println!("| {:-<44} | {:->10} | {:->10} | {:->8} |", "", "", "", "");
    for (label, previous, now) in [
        ("all replicas (reference VM included)", previous_nodes(), default_nodes()),
        ("wasmer replicas only", without_reference(previous_nodes()), without_reference(default_nodes())),
    ] {
        let before = campaign_seconds(&stream, previous, threads);
        let after = campaign_seconds(&stream, now, threads);
        println!("| {label:<44} | {before:>8.1} s | {after:>8.1} s | {:>7.2}× |", before / after);
    }
    println!("\nprevious: cl-off-tiny compiles with cranelift on every execution; now: cl-once-tiny compiles each");
    println!("new code once. Target ≥ 2×. Issue 23's baseline, on the 6-replica set of its day: 12.6 s.");
}
