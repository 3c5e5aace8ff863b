//! Per-replica throughput inside the simulator (every invariant and expected effect checked) against
//! a bare `Runtime::apply` loop on the same stream and the same node configuration, and what the checks
//! cost a whole campaign; one run, figures printed.
//!
//! `cargo bench -p svm-sim --bench throughput [txs]` (targets: simulator ≥ 0.8 × bare; checks ≤ 15%
//! of campaign time).

use std::sync::Arc;
use std::time::Instant;
use svm::runtime::{BlockContext, Runtime};
use svm::storage::kv::MemKv;
use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_sim::history::History;
use svm_sim::node::default_nodes;
use svm_sim::progress::Progress;
use svm_sim::run::{Checks, Setup, run_replica, run_with};

fn main() {
    let txs = std::env::args().filter_map(|a| a.parse::<usize>().ok()).next().unwrap_or(3000);
    let stream = generate(&WorkloadParams::derive(42, txs)).expect("workload");
    println!("stream: seed 42, {} transactions\n", stream.txs.len());
    println!(
        "{:<22} {:>10} {:>16} {:>7} {:>16} {:>7}",
        "replica config", "bare tx/s", "checked sim tx/s", "ratio", "unchecked tx/s", "ratio"
    );
    for config in default_nodes() {
        // The bare loop: one runtime, apply every transaction, nothing else (restarts are a simulator
        // feature, so both run the same config without them). Each figure is the best of three runs,
        // interleaved, as the machine is shared.
        let no_restarts = svm_sim::node::NodeConfig { restart_mean: None, ..config.clone() };
        let bare = || {
            let mut rt = Runtime::new(Arc::new(MemKv::new()), config.runtime_config(None));
            rt.genesis(&stream.genesis).expect("genesis");
            let started = Instant::now();
            for stx in &stream.txs {
                rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).expect("apply");
            }
            stream.txs.len() as f64 / started.elapsed().as_secs_f64()
        };
        let simulated = |checks| {
            let nodes = [no_restarts.clone()];
            let setup = Setup { stream: &stream, nodes: &nodes, history: &History::default(), canary: None, checks };
            let replica = run_replica(&setup, &no_restarts, &Progress::hidden());
            assert_eq!(replica.finding_count, 0, "{:?}", replica.findings.first());
            replica.receipts.len() as f64 / replica.elapsed.as_secs_f64()
        };
        let (mut best_bare, mut checked, mut unchecked) = (0f64, 0f64, 0f64);
        for _ in 0..3 {
            best_bare = best_bare.max(bare());
            checked = checked.max(simulated(Checks::All));
            unchecked = unchecked.max(simulated(Checks::AgreementOnly));
        }
        println!(
            "{:<22} {:>10.0} {:>16.0} {:>7.2} {:>16.0} {:>7.2}",
            config.name,
            best_bare,
            checked,
            checked / best_bare,
            unchecked,
            unchecked / best_bare
        );
    }
    let nodes = default_nodes();
    let history = History::derive(42, &nodes, stream.txs.len());
    let campaign = |checks| {
        let started = Instant::now();
        let setup = Setup { stream: &stream, nodes: &nodes, history: &history, canary: None, checks };
        let result = run_with(&setup, 2, &Progress::hidden());
        (started.elapsed().as_secs_f64(), result)
    };
    let (unchecked_wall, _) = campaign(Checks::AgreementOnly);
    let (wall, result) = campaign(Checks::All);
    println!(
        "\nall six replicas, 2 threads: {wall:.2} s wall with every check, {unchecked_wall:.2} s with agreement only: the checks cost {:.1}% of the campaign; agree: {}",
        100.0 * (wall - unchecked_wall) / wall,
        result.mismatch.is_none()
    );
    for r in &result.replicas {
        println!(
            "  {:<22} {:>8.0} tx/s ({} restarts)",
            r.node.config.name,
            r.receipts.len() as f64 / r.elapsed.as_secs_f64(),
            r.node.restarts
        );
    }
}
