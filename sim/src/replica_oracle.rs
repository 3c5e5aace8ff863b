//! Replica oracle: a stream through the simulator's replicas never diverges, never faults a node, and
//! breaks no invariant or expected effect on any replica.

use crate::divergence::analyse;
use crate::history::History;
use crate::node::{NodeConfig, default_nodes};
use crate::progress::Progress;
use crate::run::{Checks, Setup, run_with};
use svm_fuzzing::stream::Stream;

/// The replicas a fuzzed stream runs on: one of each compiler and cache mode, tiny and large page
/// caches, a restarting node.
pub fn nodes() -> Vec<NodeConfig> {
    default_nodes()
        .into_iter()
        .filter(|n| {
            ["sp-off-big", "sp-ser-big-restart", "cl-mem-big-restart", "cl-ser-tiny"].contains(&n.name.as_str())
        })
        .collect()
}

/// Runs `stream` on the replicas; panics with the divergence report when they disagree, or with the
/// first finding when a check fails.
pub fn check(stream: &Stream) {
    let nodes = nodes();
    let history = History::derive(stream.seed, &nodes, stream.txs.len());
    let setup = Setup { stream, nodes: &nodes, history: &history, canary: None, checks: Checks::All };
    let mut result = run_with(&setup, 1, &Progress::hidden());
    for replica in &result.replicas {
        if let Some((tx, why)) = &replica.fault {
            panic!("node fault on {} at tx {tx}: {why}", replica.node.config.name);
        }
        if let Some(finding) = replica.findings.first() {
            panic!("{finding}");
        }
    }
    if let Some(mismatch) = result.mismatch.clone() {
        let report = analyse(&setup, &mut result, &mismatch);
        panic!("replicas diverge: {}", serde_json::to_string_pretty(&report).unwrap_or_default());
    }
}

/// The `stream` fuzz target: an arbitrary transaction stream through the replicas; no divergence.
pub fn stream_target(data: &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(stream) = svm_fuzzing::generators::stream::stream(&mut u, 24) else { return };
    check(&stream);
}

/// Every fuzz target by name: the shared library's, and `stream`, whose oracle is the simulator.
pub fn all_targets() -> Vec<(&'static str, svm_fuzzing::targets::Target)> {
    let mut targets = svm_fuzzing::targets::TARGETS.to_vec();
    targets.push(("stream", stream_target));
    targets
}
