//! Running one stream on every replica, in parallel, with each replica's history of events, recording
//! a fingerprint per transaction, and — on each replica, whatever the others do — checking every
//! invariant and every expected effect after every transaction, and counting what the run covered.

use crate::coverage::Coverage;
use crate::finding::{FAULT_RECOVERY, Finding, NODE_FAULT};
use crate::history::{FaultKind, History, NodeEventKind};
use crate::node::{CacheName, CompilerName, Node, NodeConfig};
use crate::progress::Progress;
use crate::recovery;
use crate::step::{step, undergo_all};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use svm::Hash;
use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::Canary;
use svm::state::TrieNodeCache;
use svm_fuzzing::invariants::effects::{self, Effects};
use svm_fuzzing::invariants::{self, Step, Violation, events_live};
use svm_fuzzing::oracles::agreement::{Fingerprint, Mismatch, first_mismatch};
use svm_fuzzing::oracles::expected_effects::{ExpectedEffects, Tally};
use svm_fuzzing::stream::Stream;

/// Everything a run needs: the stream, the replicas, what happens to them, the canary, the checks.
#[derive(Clone, Copy)]
pub struct Setup<'a> {
    /// The transactions.
    pub stream: &'a Stream,
    /// The replicas' configurations.
    pub nodes: &'a [NodeConfig],
    /// The events that happen to them.
    pub history: &'a History,
    /// A planted canary, if any.
    pub canary: Option<Canary>,
    /// What is checked besides agreement.
    pub checks: Checks,
}

/// What a run checks besides agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// Every invariant and every expected effect, after every transaction, on every replica.
    All,
    /// Agreement only: for measuring what the checks cost.
    AgreementOnly,
}

/// One replica after the run.
pub struct ReplicaRun {
    /// The node, with its whole history in its kv store (for diffs).
    pub node: Node,
    /// The root after genesis.
    pub genesis_root: StateRoot,
    /// One fingerprint per transaction applied (shorter than the stream if the node faulted).
    pub fingerprints: Vec<Fingerprint>,
    /// The receipts, in order.
    pub receipts: Vec<Receipt>,
    /// The node fault that stopped it, if one did: (transaction index, message).
    pub fault: Option<(usize, String)>,
    /// Injected faults it underwent and recovered from (halts on failed writes, crashes, joins,
    /// damaged artifacts).
    pub recovered: usize,
    /// Time spent applying transactions.
    pub elapsed: Duration,
    /// Time at which each transaction finished, from the first one's start.
    pub finished_at: Vec<Duration>,
    /// Invariants, expected effects and unexplained node faults that did not hold on this replica
    /// (the first [`MAX_FINDINGS`]).
    pub findings: Vec<Finding>,
    /// How many findings there were, kept or not.
    pub finding_count: usize,
    /// How the expected-effect checks went.
    pub expected: Tally,
    /// What this replica's run reached.
    pub coverage: Coverage,
}

/// Findings kept per replica (the rest are counted).
pub const MAX_FINDINGS: usize = 50;

impl ReplicaRun {
    /// The root before transaction `tx`.
    pub fn root_before(&self, tx: usize) -> StateRoot {
        if tx == 0 { self.genesis_root } else { self.fingerprints[tx - 1].root }
    }
}

/// Every replica's run and where they first disagree.
pub struct RunResult {
    /// The replicas, in configuration order.
    pub replicas: Vec<ReplicaRun>,
    /// The events that happened to them.
    pub history: History,
    /// The first disagreement, if any.
    pub mismatch: Option<Mismatch>,
    /// A digest of the whole run (seed, stream, configurations, history, every replica's every
    /// fingerprint): two runs of the same seed must give the same one.
    pub fingerprint: Hash,
}

impl RunResult {
    /// The first finding on any replica (lowest transaction, then replica order).
    pub fn first_finding(&self) -> Option<&Finding> {
        self.replicas.iter().filter_map(|r| r.findings.first()).min_by_key(|f| f.tx)
    }

    /// Findings on every replica, in all.
    pub fn finding_count(&self) -> usize {
        self.replicas.iter().map(|r| r.finding_count).sum()
    }
}

/// Runs `stream` on one node per configuration with the history the stream's seed gives them,
/// `threads` at a time, reporting progress, with every check on.
pub fn run(
    stream: &Stream,
    configs: &[NodeConfig],
    canary: Option<Canary>,
    threads: usize,
    progress: &Progress,
) -> RunResult {
    let history = History::derive(stream.seed, configs, stream.txs.len());
    run_with(&Setup { stream, nodes: configs, history: &history, canary, checks: Checks::All }, threads, progress)
}

/// Runs `setup`, `threads` replicas at a time.
pub fn run_with(setup: &Setup<'_>, threads: usize, progress: &Progress) -> RunResult {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let configs = setup.nodes;
    let threads = threads.clamp(1, configs.len().max(1));
    // Longest first, so that the slowest replica does not start last and run alone at the end.
    let mut order: Vec<usize> = (0..configs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(expected_cost(&configs[i])));
    let mut slots: Vec<Option<ReplicaRun>> = (0..configs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(&i) = order.get(i) else { break };
                        let config = &configs[i];
                        done.push((i, run_replica(setup, config, progress)));
                    }
                    finished.fetch_add(1, Ordering::SeqCst);
                    done
                })
            })
            .collect();
        progress.watch(Duration::from_millis(100), || finished.load(Ordering::SeqCst) < threads);
        for worker in workers {
            // A worker panicking means a bug in the simulator or a panic inside the VM: re-raise it.
            for (i, replica) in worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)) {
                slots[i] = Some(replica);
            }
        }
    });
    let replicas: Vec<ReplicaRun> = slots.into_iter().flatten().collect();
    let runs: Vec<Vec<Fingerprint>> = replicas.iter().map(|r| r.fingerprints.clone()).collect();
    let mismatch = first_mismatch(&runs);
    let fingerprint = run_fingerprint(setup, &runs);
    RunResult { replicas, history: setup.history.clone(), mismatch, fingerprint }
}

/// A rough rank of how long a replica takes (compiles dominate): cranelift compiles cost most, then
/// compiling on every execution, then restarts (which recompile), then a store on disk. Only scheduling
/// uses it.
fn expected_cost(config: &NodeConfig) -> u32 {
    let compiler = if config.compiler == CompilerName::Cranelift { 4 } else { 0 };
    let off = if config.cache == CacheName::Off { 3 } else { 0 };
    let restarts = if config.restart_mean.is_some() { 2 } else { 0 };
    let disk = if config.kv.is_memory() { 0 } else { 1 };
    compiler + off + restarts + disk
}

/// Applies the whole stream on one fresh node of `config`, with its events.
pub fn run_replica(setup: &Setup<'_>, config: &NodeConfig, progress: &Progress) -> ReplicaRun {
    let stream = setup.stream;
    let name = config.name.clone();
    let mut node = Node::new(config.clone(), setup.canary);
    let mut events = setup.history.of(&name).peekable();
    let mut expected = ExpectedEffects::new(stream);
    // The checkers' own trie-node cache: they never read through the runtime's caches.
    let nodes = TrieNodeCache::new(1 << 16);
    let mut coverage = Coverage::default();
    let mut findings = Vec::new();
    let mut finding_count = 0;
    let mut found = |findings: &mut Vec<Finding>, finding: Finding| {
        finding_count += 1;
        if findings.len() < MAX_FINDINGS {
            findings.push(finding);
        }
    };
    let mut fingerprints = Vec::with_capacity(stream.txs.len());
    let mut receipts = Vec::with_capacity(stream.txs.len());
    let mut finished_at = Vec::with_capacity(stream.txs.len());
    let mut fault = None;
    let mut fault_reported = false;
    let mut recovered = 0;
    let started = Instant::now();
    let genesis_root = match node.start(stream) {
        Ok(root) => root,
        Err(e) => {
            fault = Some((0, format!("start: {e}")));
            fingerprints.push(Fingerprint::node_fault(&e.to_string()));
            StateRoot::EMPTY
        }
    };
    if stream.snapshot.is_some()
        && fault.is_none()
        && let Some(runtime) = node.runtime()
    {
        // Contracts of the snapshot: no model knows their state, so their calls are checked for
        // admission only.
        match svm::state::export_state(runtime.kv().as_ref(), genesis_root) {
            Ok(accounts) => {
                for account in accounts {
                    if let Some(contract) = account.contract {
                        // What executions pay intrinsic gas for: the linked length when it links libraries.
                        expected.know_existing(account.address, contract.meta.code_len as usize);
                    }
                }
            }
            Err(e) => {
                fault = Some((0, format!("reading the snapshot's contracts: {e}")));
                fingerprints.push(Fingerprint::node_fault(&e.to_string()));
            }
        }
    }
    for (i, stx) in stream.txs.iter().enumerate() {
        if fault.is_some() {
            break;
        }
        let mine: Vec<NodeEventKind> =
            std::iter::from_fn(|| events.next_if(|e| e.before_tx <= i)).map(|e| e.event).collect();
        let outcome = step(&mut node, &mine, &stream.txs, i);
        // The node must come back from every fault exactly where it was: recovery is checked whether
        // or not the transaction then succeeds.
        let recovery = recovery::check(&outcome, &receipts);
        recovered += outcome.halts.len() + outcome.events.iter().filter(|e| FaultKind::of(e.event).is_some()).count();
        if let Err(detail) = recovery {
            found(&mut findings, Finding::new(&name, i, FAULT_RECOVERY, detail.clone()));
            // It never continues on a different state: it stops here.
            fault = Some((i, format!("{FAULT_RECOVERY}: {detail}")));
            fault_reported = true;
            fingerprints.push(Fingerprint::node_fault(&detail));
            progress.add((stream.txs.len() - i) as u64);
            finished_at.push(started.elapsed());
            break;
        }
        match outcome.receipt {
            Ok((receipt, before)) => {
                // The per-replica checks read a runtime's store; the reference VM is checked by
                // agreement with the wasmer replicas instead.
                if setup.checks == Checks::All
                    && let Some(runtime) = node.runtime()
                {
                    let step = Step {
                        runtime,
                        tx: &stx.tx,
                        receipt: &receipt,
                        before,
                        after: node.root(),
                        layer: stx.layer,
                        nodes: Some(&nodes),
                    };
                    for boundary in &outcome.boundaries {
                        coverage.pruning_boundaries += 1;
                        let (before, after) = (boundary.before, boundary.after);
                        let kv = runtime.kv().as_ref();
                        if let Err(detail) = events_live::check_boundary(kv, before, after, boundary.layer) {
                            found(&mut findings, Finding::new(&name, i, events_live::CHECKER.name, detail));
                        }
                    }
                    let effects = Effects::of(&step);
                    let violations = match &effects {
                        Ok(effects) => invariants::check_effects(&step, effects, true),
                        Err(detail) => vec![Violation { invariant: effects::CHECKER.name, detail: detail.clone() }],
                    };
                    for violation in violations {
                        let finding = Finding::new(&name, i, violation.invariant, violation.detail);
                        found(&mut findings, finding);
                    }
                    if let Err(detail) = expected.check_known(&step, effects.as_ref().ok(), stx.layer) {
                        found(&mut findings, Finding::new(&name, i, "expected-effects", detail));
                    }
                    coverage.record(&stx.tx, &receipt, node.last_execution());
                }
                fingerprints.push(Fingerprint::of(&receipt, node.root()));
                receipts.push(receipt);
                progress.add(1);
            }
            Err(e) => {
                fault = Some((i, e.to_string()));
                fingerprints.push(Fingerprint::node_fault(&e.to_string()));
                progress.add((stream.txs.len() - i) as u64);
            }
        }
        finished_at.push(started.elapsed());
    }
    // A node fault is a finding, whatever the others did: every injected fault the node halts on is
    // one it must recover from.
    if let Some((tx, why)) = &fault
        && !fault_reported
    {
        found(&mut findings, Finding::new(&name, *tx, NODE_FAULT, why.clone()));
    }
    ReplicaRun {
        node,
        genesis_root,
        fingerprints,
        receipts,
        fault,
        recovered,
        elapsed: started.elapsed(),
        finished_at,
        findings,
        finding_count,
        expected: expected.tally,
        coverage,
    }
}

/// A fresh node of `config` brought to the state it had just before transaction `tx` of `setup`:
/// genesis, then every transaction before it with every event of its history in between (and, before
/// `tx` itself, its events). The state a divergent transaction must be traced from — never an
/// end-of-run runtime, whose caches and restarts differ from what they were then.
pub fn node_before(setup: &Setup<'_>, config: &NodeConfig, tx: usize) -> Result<Node, String> {
    let mut node = Node::new(config.clone(), setup.canary);
    node.start(setup.stream).map_err(|e| format!("start: {e}"))?;
    let txs = &setup.stream.txs;
    for i in 0..=tx.min(txs.len()) {
        let events: Vec<NodeEventKind> =
            setup.history.of(&config.name).filter(|e| e.before_tx == i).map(|e| e.event).collect();
        if i == tx {
            // Its events, and no transaction: the caller traces it.
            undergo_all(&mut node, &events, txs, i, &mut Vec::new(), &mut Vec::new(), &mut Vec::new())
                .map_err(|e| format!("events before tx {i}: {e}"))?;
            return Ok(node);
        }
        step(&mut node, &events, txs, i).receipt.map_err(|e| format!("tx {i}: {e}"))?;
    }
    Ok(node)
}

fn run_fingerprint(setup: &Setup<'_>, runs: &[Vec<Fingerprint>]) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"svm-sim run fingerprint v2");
    hasher.update(&setup.stream.seed.to_le_bytes());
    hasher.update(setup.stream.hash().as_bytes());
    hasher.update(setup.canary.map_or("", |c| c.name()).as_bytes());
    hasher.update(serde_json::to_string(setup.history).unwrap_or_default().as_bytes());
    for (config, run) in setup.nodes.iter().zip(runs) {
        hasher.update(config.name.as_bytes());
        hasher.update(&(run.len() as u64).to_le_bytes());
        for f in run {
            hasher.update(f.root.0.as_bytes());
            hasher.update(f.receipt.as_bytes());
            hasher.update(&f.gas.to_le_bytes());
        }
    }
    hasher.finalize().into()
}
