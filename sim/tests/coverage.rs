//! A default campaign of 10,000 transactions reaches the whole VM surface: every vmcall, and every outcome kind that
//! `coverage::UNREACHABLE` does not excuse, at least ten times — with every invariant and expected
//! effect holding — and the storage, log, calldata and register shapes the generator aims for.

use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_sim::coverage::UNREACHABLE;
use svm_sim::history::History;
use svm_sim::node::default_nodes;
use svm_sim::progress::Progress;
use svm_sim::run::{Checks, Setup, run_replica};

#[test]
fn a_default_campaign_reaches_every_vmcall_and_every_reachable_outcome_ten_times() {
    let stream = generate(&WorkloadParams::derive(13, 10_000)).unwrap();
    // A replica with a one-page page cache, so that evictions are counted too.
    let node = default_nodes().into_iter().find(|n| n.page_cache == 1).unwrap();
    let nodes = [node.clone()];
    let history = History::derive(13, &nodes, stream.txs.len());
    let setup = Setup { stream: &stream, nodes: &nodes, history: &history, canary: None, checks: Checks::All };
    let replica = run_replica(&setup, &node, &Progress::hidden());
    assert!(replica.fault.is_none(), "{:?}", replica.fault);
    assert_eq!(replica.finding_count, 0, "{:?}", replica.findings);
    let coverage = &replica.coverage;
    assert_eq!(coverage.transactions, 10_000);
    let shortfalls = coverage.shortfalls(10);
    assert!(shortfalls.is_empty(), "reached fewer than 10 times: {shortfalls:?}");
    // Nothing excused is reached after all (the excuse would be wrong).
    for (kind, _) in UNREACHABLE {
        assert_eq!(coverage.outcomes[*kind], 0, "{kind} is reachable after all");
    }
    // The shapes: deep trees, the dirty-page and log limits, calldata and returndata at their limits,
    // every register class read before it is written, evictions on a small page cache.
    let limits = svm::Limits::default();
    assert_eq!(coverage.deepest_tree, svm::layout::tree_depth(limits.max_pages));
    assert_eq!(coverage.dirty_pages.max, u64::from(limits.max_dirty_pages));
    assert_eq!(coverage.logs.max, u64::from(limits.max_logs));
    assert_eq!(coverage.calldata_bytes.max, u64::from(limits.max_calldata_bytes));
    assert_eq!(coverage.returndata_bytes.max, u64::from(limits.max_returndata_bytes));
    assert!(coverage.pages_accessed.max > u64::from(limits.max_dirty_pages), "{:?}", coverage.pages_accessed);
    assert!(coverage.unwritten_register_reads.values().all(|n| *n >= 10), "{:?}", coverage.unwritten_register_reads);
    assert!(coverage.page_cache_evictions > 1000, "{}", coverage.page_cache_evictions);
    // Most transactions are checked against an exact expectation, not only for admission.
    assert!(replica.expected.exact > 3 * replica.expected.admitted_only, "{:?}", replica.expected);
}
