//! Each canary is caught, localized to the right transaction and vmcall, shrunk to at most five
//! transactions, and replayed. And without a canary, nothing is caught.

use std::sync::Arc;
use svm::runtime::{BlockContext, Canary, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::Transaction;
use svm_fuzzing::generators::workload::{WorkloadParams, generate, generate_on};
use svm_fuzzing::stream::Stream;
use svm_sim::divergence::analyse;
use svm_sim::node::default_nodes;
use svm_sim::progress::Progress;
use svm_sim::replay::replay;
use svm_sim::reproducer::{Expected, Reproducer};
use svm_sim::run::run;
use svm_sim::shrink::shrink;

fn stream(seed: u64, txs: usize) -> Stream {
    generate(&WorkloadParams::derive(seed, txs)).unwrap()
}

/// The first transaction where `canary` must show, found independently of the simulator: replay the
/// stream on one plain node with tracing, and apply the canary's rule to each transaction.
fn where_it_must_show(stream: &Stream, canary: Canary) -> usize {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&stream.genesis).unwrap();
    for (i, stx) in stream.txs.iter().enumerate() {
        let (receipt, trace) = rt.apply_traced(&stx.tx, &BlockContext { layer: stx.layer }).unwrap();
        let is_execute = matches!(stx.tx, Transaction::Execute(_));
        let calls = |names: &[&str]| trace.iter().any(|e| names.contains(&e.vmcall));
        let shows = match canary {
            // One more gas per vmcall where the module was cached: any execution that makes a vmcall.
            Canary::CacheGas => is_execute && !trace.is_empty(),
            // Tampered bytes only persist when the execution succeeds.
            Canary::PageCacheBytes => receipt.outcome.is_success() && calls(canary.vmcalls()),
            Canary::EngineText => receipt.outcome.is_success() && calls(canary.vmcalls()),
            // Wrong the same way on every replica: it never shows as a divergence.
            Canary::WrongResult => false,
        };
        if shows {
            return i;
        }
    }
    panic!("the stream never exercises {}", canary.name());
}

#[test]
fn each_canary_is_caught_localized_shrunk_and_replayed() {
    let nodes = default_nodes();
    for (seed, canary) in [(11, Canary::CacheGas), (12, Canary::PageCacheBytes), (13, Canary::EngineText)] {
        let stream = stream(seed, 300);
        let mut result = run(&stream, &nodes, Some(canary), 2, &Progress::hidden());
        let mismatch = result.mismatch.clone().unwrap_or_else(|| panic!("{} not caught", canary.name()));

        // Localized: the right transaction and vmcall.
        assert_eq!(mismatch.tx, where_it_must_show(&stream, canary), "{}", canary.name());
        let report = analyse(&stream, &mut result, &mismatch);
        let vmcall = report.first_divergent_vmcall.unwrap_or_else(|| panic!("{}: no divergent vmcall", canary.name()));
        let name = vmcall.vmcall[0].clone().unwrap();
        match canary {
            Canary::CacheGas => assert_eq!(vmcall.index, 0, "the first vmcall already costs one more"),
            _ => assert!(canary.vmcalls().contains(&name.as_str()), "{}: localized to {name}", canary.name()),
        }

        // Shrunk to at most five transactions, diverging the same way.
        let repro = Reproducer {
            seed,
            canary: Some(canary),
            nodes: nodes.clone(),
            expected: Expected::of(&mismatch, &nodes),
            stream: stream.clone(),
            tool_version: svm_sim::TOOL_VERSION.into(),
        };
        let shrunk = shrink(&repro, 2, &Progress::hidden()).unwrap();
        assert!(shrunk.after <= 5, "{} shrunk only to {} transactions", canary.name(), shrunk.after);
        assert_eq!(shrunk.reproducer.expected.differs, mismatch.differs);

        // Replayed exactly, from its file form.
        let text = shrunk.reproducer.to_json();
        let reread = Reproducer::from_json(&text).unwrap();
        assert_eq!(reread, shrunk.reproducer);
        let replayed = replay(&reread, 2, &Progress::hidden());
        assert!(replayed.reproduced, "{}: replay saw {:?}", canary.name(), replayed.seen);
        // And the full reproducer replays too.
        assert!(replay(&repro, 2, &Progress::hidden()).reproduced);
    }
}

#[test]
fn without_a_canary_every_replica_agrees_and_every_check_holds() {
    let stream = stream(21, 400);
    let result = run(&stream, &default_nodes(), None, 2, &Progress::hidden());
    assert!(result.mismatch.is_none(), "{:?}", result.mismatch);
    assert!(result.replicas.iter().all(|r| r.fault.is_none() && r.receipts.len() == 400));
    for replica in &result.replicas {
        assert_eq!(replica.finding_count, 0, "{:?}", replica.findings.first());
    }
}

#[test]
fn a_canary_wrong_the_same_way_everywhere_is_caught_only_by_the_expected_effects() {
    let canary = Canary::WrongResult;
    // Planted on the workload's own reference runtime too: nothing that ran the VM can know better.
    let reference = RuntimeConfig { canary: Some(canary), ..RuntimeConfig::default() };
    let stream = generate_on(&WorkloadParams::derive(41, 600), reference).unwrap();
    let result = run(&stream, &default_nodes(), Some(canary), 2, &Progress::hidden());
    assert!(result.mismatch.is_none(), "the replicas agree: {:?}", result.mismatch);
    for replica in &result.replicas {
        assert!(replica.finding_count > 0, "{} did not catch it", replica.node.config.name);
        for finding in &replica.findings {
            assert_eq!(finding.check, "expected-effects", "{finding}");
        }
    }
    // The first finding is at the first successful call whose result depends on `storage_slice_len`,
    // found here from a traced run of the stream without the canary.
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&stream.genesis).unwrap();
    let first = stream
        .txs
        .iter()
        .position(|stx| {
            let (receipt, trace) = rt.apply_traced(&stx.tx, &BlockContext { layer: stx.layer }).unwrap();
            receipt.outcome.is_success() && trace.iter().any(|e| e.vmcall == "storage_slice_len")
        })
        .unwrap();
    assert_eq!(result.replicas[0].findings[0].tx, first);
}

#[test]
fn the_same_seed_twice_gives_byte_identical_fingerprints() {
    let first = run(&stream(31, 200), &default_nodes(), None, 2, &Progress::hidden()).fingerprint;
    let second = run(&stream(31, 200), &default_nodes(), None, 1, &Progress::hidden()).fingerprint;
    let other = run(&stream(32, 200), &default_nodes(), None, 2, &Progress::hidden()).fingerprint;
    assert_eq!(first, second);
    assert_ne!(first, other);
}
