//! Each canary is caught, localized to the right transaction and vmcall, shrunk to at most five
//! transactions, and replayed — a history-dependent one among them, and ones the wasmer replicas agree
//! on, caught as findings or by the reference VM alone. And without a canary, nothing is caught.

use std::sync::Arc;
use svm::runtime::{BlockContext, Canary, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::Transaction;
use svm_fuzzing::generators::workload::{WorkloadParams, generate, generate_on};
use svm_fuzzing::oracles::agreement::Component;
use svm_fuzzing::stream::Stream;
use svm_sim::divergence::analyse;
use svm_sim::finding::NODE_FAULT;
use svm_sim::history::{FaultKind, History};
use svm_sim::node::{NodeConfig, default_nodes, wasmer_nodes, with_faults};
use svm_sim::progress::Progress;
use svm_sim::replay::replay;
use svm_sim::reproducer::{Expected, Reproducer};
use svm_sim::run::{Checks, RunResult, Setup, run, run_with};
use svm_sim::shrink::shrink;

fn stream(seed: u64, txs: usize) -> Stream {
    generate(&WorkloadParams::derive(seed, txs)).unwrap()
}

/// The first transaction where `canary` must show, found independently of the simulator: replay the
/// stream on one plain node with tracing, and apply the canary's rule to each transaction (with the
/// replicas' `history` for the canary that depends on it).
fn where_it_must_show(stream: &Stream, canary: Canary, history: &History) -> usize {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&stream.genesis).unwrap();
    // For restart-gas: per replica, whether its next instantiated execution is its first since it
    // started or restarted (every replica starts fresh).
    let mut fresh: Vec<(String, bool)> = wasmer_nodes().into_iter().map(|n| (n.name, true)).collect();
    for (i, stx) in stream.txs.iter().enumerate() {
        for event in history.events.iter().filter(|e| e.before_tx == i) {
            if let Some(entry) = fresh.iter_mut().find(|(name, _)| *name == event.replica) {
                entry.1 = true;
            }
        }
        let (receipt, trace) = rt.apply_traced(&stx.tx, &BlockContext { layer: stx.layer }).unwrap();
        let is_execute = matches!(stx.tx, Transaction::Execute(_));
        let calls = |names: &[&str]| trace.iter().any(|e| names.contains(&e.vmcall));
        let instantiated = rt.last_execution().is_some();
        let shows = match canary {
            // One more gas per vmcall where the module was cached: any execution that makes a vmcall.
            Canary::CacheGas => is_execute && !trace.is_empty(),
            // Tampered bytes only persist when the execution succeeds.
            Canary::PageCacheBytes => receipt.outcome.is_success() && calls(canary.vmcalls()),
            Canary::EngineText => receipt.outcome.is_success() && calls(canary.vmcalls()),
            // One more gas per vmcall of the first instantiated execution after a restart (invisible
            // when it runs out of gas: the whole limit is used either way).
            Canary::RestartGas => {
                let mixed = fresh.iter().any(|(_, f)| *f) && fresh.iter().any(|(_, f)| !*f);
                if instantiated {
                    fresh.iter_mut().for_each(|(_, f)| *f = false);
                }
                instantiated && mixed && !trace.is_empty() && receipt.outcome != svm::outcome::Outcome::OutOfGas
            }
            // Wrong, or faulting, the same way on every replica: never a divergence.
            Canary::WrongResult | Canary::NodeFault | Canary::CallGas | Canary::FrameWeight => false,
            // Only with faults injected: see the fault tests below.
            Canary::SwallowWriteFailure
            | Canary::HeadAhead
            | Canary::SyncSkipsCode
            | Canary::StaleArtifactTrusted
            | Canary::CorruptArtifactFaults => false,
        };
        if shows {
            return i;
        }
    }
    panic!("the stream never exercises {}", canary.name());
}

/// Shrinks what `repro` shows to at most five transactions, checks the shrunk reproducer survives its
/// file form and replays exactly, and (with `full`) that the full one replays too.
fn shrinks_and_replays(repro: &Reproducer, label: &str, full: bool) -> Reproducer {
    shrinks_to_and_replays(repro, label, full, 5)
}

/// [`shrinks_and_replays`] to at most `max` transactions.
fn shrinks_to_and_replays(repro: &Reproducer, label: &str, full: bool, max: usize) -> Reproducer {
    let shrunk = shrink(repro, 2, &Progress::hidden()).unwrap();
    assert!(shrunk.after <= max, "{label} shrunk only to {} transactions", shrunk.after);
    let reread = Reproducer::from_json(&shrunk.reproducer.to_json()).unwrap();
    assert_eq!(reread, shrunk.reproducer);
    let replayed = replay(&reread, 2, &Progress::hidden());
    assert!(replayed.reproduced, "{label}: replay saw {:?}", replayed.seen);
    if full {
        assert!(replay(repro, 2, &Progress::hidden()).reproduced, "{label}: the full reproducer");
    }
    shrunk.reproducer
}

fn reproducer(
    stream: &Stream,
    nodes: &[NodeConfig],
    history: &History,
    canary: Canary,
    result: &RunResult,
) -> Reproducer {
    Reproducer {
        seed: stream.seed,
        canary: Some(canary),
        nodes: nodes.to_vec(),
        history: history.clone(),
        expected: Expected::seen_in(result, nodes).unwrap(),
        stream: stream.clone(),
        tool_version: svm_sim::TOOL_VERSION.into(),
    }
}

#[test]
fn each_canary_is_caught_localized_shrunk_and_replayed() {
    // These canaries hang on what differs between wasmer replicas (cache, page cache, compiler,
    // restarts), so they are shown among the wasmer replicas; the reference VM, which no canary
    // touches, would stand apart at the canary's first effect instead.
    let nodes = wasmer_nodes();
    let cases =
        [(11, Canary::CacheGas), (12, Canary::PageCacheBytes), (13, Canary::EngineText), (14, Canary::RestartGas)];
    for (seed, canary) in cases {
        let stream = stream(seed, 300);
        let history = History::derive(seed, &nodes, stream.txs.len());
        let setup =
            Setup { stream: &stream, nodes: &nodes, history: &history, canary: Some(canary), checks: Checks::All };
        let mut result = run_with(&setup, 2, &Progress::hidden());
        let mismatch = result.mismatch.clone().unwrap_or_else(|| panic!("{} not caught", canary.name()));

        // Localized: the right transaction and vmcall, traced from the state (and history) each
        // replica had at that transaction.
        assert_eq!(mismatch.tx, where_it_must_show(&stream, canary, &history), "{}", canary.name());
        let report = analyse(&setup, &mut result, &mismatch);
        let vmcall = report.first_divergent_vmcall.unwrap_or_else(|| panic!("{}: no divergent vmcall", canary.name()));
        let name = vmcall.vmcall[0].clone().unwrap();
        match canary {
            Canary::CacheGas | Canary::RestartGas => {
                assert_eq!(vmcall.index, 0, "the first vmcall already costs one more")
            }
            _ => assert!(canary.vmcalls().contains(&name.as_str()), "{}: localized to {name}", canary.name()),
        }

        // Shrunk to at most five transactions, diverging the same way; replayed exactly.
        let repro = reproducer(&stream, &nodes, &history, canary, &result);
        let shrunk = shrinks_and_replays(&repro, canary.name(), canary == Canary::RestartGas);
        let Expected::Divergence { differs, .. } = &shrunk.expected else {
            panic!("{}: not a divergence", canary.name())
        };
        assert_eq!(*differs, mismatch.differs);
        if canary == Canary::RestartGas {
            // The restart it needs came along, moved before the transactions kept.
            assert!(!shrunk.history.events.is_empty(), "the shrunk reproducer lost its restart");
        }
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
    assert!(!result.history.events.is_empty(), "the default replicas restart");
}

#[test]
fn a_canary_wrong_the_same_way_everywhere_is_caught_only_by_the_expected_effects() {
    let canary = Canary::WrongResult;
    assert!(canary.wrong_everywhere());
    // Planted on the workload's own reference runtime too: nothing that ran the VM can know better.
    let reference = RuntimeConfig { canary: Some(canary), ..RuntimeConfig::default() };
    let stream = generate_on(&WorkloadParams::derive(41, 300), reference).unwrap();
    // The wasmer replicas alone (the reference VM would disagree with them: see below).
    let nodes = wasmer_nodes();
    let result = run(&stream, &nodes, Some(canary), 2, &Progress::hidden());
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
    // A finding has the same reproducer, shrink and replay path as a divergence.
    let history = result.history.clone();
    let shrunk = shrinks_and_replays(&reproducer(&stream, &nodes, &history, canary, &result), canary.name(), false);
    assert!(matches!(shrunk.expected, Expected::Finding { ref check, .. } if check == "expected-effects"));
}

#[test]
fn a_node_fault_on_every_replica_is_a_finding_though_they_all_agree() {
    let canary = Canary::NodeFault;
    let stream = stream(18, 150);
    let nodes = wasmer_nodes();
    let result = run(&stream, &nodes, Some(canary), 2, &Progress::hidden());
    assert!(result.mismatch.is_none(), "every replica faults alike: {:?}", result.mismatch);
    let at = result.replicas[0].fault.as_ref().map(|(tx, _)| *tx).expect("a node fault");
    for replica in &result.replicas {
        assert_eq!(replica.fault.as_ref().map(|(tx, _)| *tx), Some(at));
        assert!(replica.findings.iter().any(|f| f.check == NODE_FAULT && f.tx == at), "{}", replica.node.config.name);
    }
    let history = result.history.clone();
    let shrunk = shrinks_and_replays(&reproducer(&stream, &nodes, &history, canary, &result), canary.name(), true);
    assert!(matches!(shrunk.expected, Expected::Finding { ref check, .. } if check == NODE_FAULT));
}

#[test]
fn the_same_seed_twice_gives_byte_identical_fingerprints() {
    let first = run(&stream(31, 200), &default_nodes(), None, 2, &Progress::hidden()).fingerprint;
    let second = run(&stream(31, 200), &default_nodes(), None, 1, &Progress::hidden()).fingerprint;
    let other = run(&stream(32, 200), &default_nodes(), None, 2, &Progress::hidden()).fingerprint;
    assert_eq!(first, second);
    assert_ne!(first, other);
}

#[test]
fn canaries_on_the_shared_path_are_caught_by_the_reference_vm_alone() {
    let nodes = default_nodes();
    let reference = nodes.iter().position(|n| n.is_reference()).expect("the default replicas include the reference");
    for (seed, canary) in [(16, Canary::CallGas), (17, Canary::FrameWeight), (41, Canary::WrongResult)] {
        // Long enough for `storage_slice_len` (wrong-result's vmcall) to be called by what it checks.
        let stream = stream(seed, 250);
        // Planted in what every wasmer replica shares, the canary makes them wrong alike: they agree.
        let wasmer = run(&stream, &wasmer_nodes(), Some(canary), 2, &Progress::hidden());
        assert!(wasmer.mismatch.is_none(), "{}: the wasmer replicas disagree: {:?}", canary.name(), wasmer.mismatch);
        // The reference VM shares none of that code, and stands alone against all of them.
        let result = run(&stream, &nodes, Some(canary), 2, &Progress::hidden());
        let mismatch = result.mismatch.clone().unwrap_or_else(|| panic!("{}: not caught", canary.name()));
        assert_eq!(mismatch.groups.len(), 2, "{}: {:?}", canary.name(), mismatch.groups);
        assert!(mismatch.groups.contains(&vec![reference]), "{}: {:?}", canary.name(), mismatch.groups);
        if canary != Canary::WrongResult {
            assert!(mismatch.differs.contains(&Component::Gas), "{}: differs in {:?}", canary.name(), mismatch.differs);
        }
        let history = result.history.clone();
        let repro = reproducer(&stream, &nodes, &history, canary, &result);
        let shrunk = shrinks_and_replays(&repro, canary.name(), false);
        assert!(matches!(shrunk.expected, Expected::Divergence { .. }), "{}", canary.name());
    }
}

/// The default replicas with every fault of `kinds` they can undergo, one every ~`mean` transactions.
fn faulted(kinds: &[FaultKind], mean: u64) -> Vec<NodeConfig> {
    let mut nodes = with_faults(default_nodes(), kinds);
    for node in &mut nodes {
        node.faults.values_mut().for_each(|m| *m = mean);
    }
    nodes
}

#[test]
fn a_campaign_with_every_fault_kind_agrees_and_every_replica_recovers() {
    let stream = stream(51, 500);
    let nodes = faulted(&FaultKind::ALL, 60);
    let history = History::derive(stream.seed, &nodes, stream.txs.len());
    assert_eq!(history.fault_counts().len(), FaultKind::ALL.len(), "{:?}", history.fault_counts());
    let setup = Setup { stream: &stream, nodes: &nodes, history: &history, canary: None, checks: Checks::All };
    let result = run_with(&setup, 2, &Progress::hidden());
    assert!(result.mismatch.is_none(), "{:?}", result.mismatch);
    for replica in &result.replicas {
        let name = &replica.node.config.name;
        assert_eq!(replica.finding_count, 0, "{name}: {:?}", replica.findings.first());
        assert!(replica.fault.is_none() && replica.receipts.len() == 500, "{name}: {:?}", replica.fault);
        let faults = history.of(name).filter(|e| FaultKind::of(e.event).is_some()).count();
        // Every fault event was recovered from; a failed write that fired is counted once more (its halt).
        assert!(replica.recovered >= faults, "{name}: recovered {} of {faults}", replica.recovered);
    }
}

#[test]
fn each_fault_kind_has_a_canary_that_only_the_fault_shows_and_the_checks_catch() {
    let cases = [
        (71, FaultKind::Crash, Canary::HeadAhead),
        (62, FaultKind::Join, Canary::SyncSkipsCode),
        (63, FaultKind::KvWriteFailure, Canary::SwallowWriteFailure),
        (64, FaultKind::ArtifactCorrupt, Canary::CorruptArtifactFaults),
        (65, FaultKind::ArtifactStale, Canary::StaleArtifactTrusted),
    ];
    for (seed, kind, canary) in cases {
        assert!(canary.needs_faults());
        let stream = stream(seed, 300);
        // The replicas that can undergo the fault, and the reference VM (which undergoes none).
        let nodes: Vec<NodeConfig> =
            faulted(&[kind], 40).into_iter().filter(|n| n.is_reference() || !n.faults.is_empty()).collect();
        let history = History::derive(seed, &nodes, stream.txs.len());
        let first_fault =
            history.events.iter().find(|e| FaultKind::of(e.event) == Some(kind)).expect("a fault").before_tx;
        // Handled right, the fault changes nothing anyone can see.
        let setup = Setup { stream: &stream, nodes: &nodes, history: &history, canary: None, checks: Checks::All };
        let clean = run_with(&setup, 2, &Progress::hidden());
        assert!(clean.mismatch.is_none() && clean.finding_count() == 0, "{}: {:?}", kind.name(), clean.mismatch);
        assert!(clean.replicas.iter().any(|r| r.recovered > 0), "{}: nothing recovered", kind.name());
        // Without the fault, the canary never shows.
        let calm =
            run_with(&Setup { history: &History::default(), canary: Some(canary), ..setup }, 2, &Progress::hidden());
        assert!(calm.mismatch.is_none() && calm.finding_count() == 0, "{} showed without faults", canary.name());
        // With both, it is caught — at or after the first fault — shrunk and replayed.
        let result = run_with(&Setup { canary: Some(canary), ..setup }, 2, &Progress::hidden());
        let seen = Expected::seen_in(&result, &nodes).unwrap_or_else(|| panic!("{} not caught", canary.name()));
        assert!(seen.tx() >= first_fault, "{}: {seen:?} before the first fault at {first_fault}", canary.name());
        // A fault shows only where its history lets it (a crash loses only what its layer wrote since
        // the last durable head): about a sixth of the stream at most (60 of 300), not five transactions
        // (since generated contracts call each other, a crash's layer holds more the shrinker must keep:
        // head-ahead on seed 71 went from under 40 to 51).
        let repro = reproducer(&stream, &nodes, &history, canary, &result);
        let shrunk = shrinks_to_and_replays(&repro, canary.name(), false, 60);
        assert!(
            shrunk.history.events.iter().any(|e| FaultKind::of(e.event) == Some(kind)),
            "{}: the shrunk reproducer lost its {} event",
            canary.name(),
            kind.name()
        );
    }
}
