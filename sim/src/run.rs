//! Running one stream on every replica, in parallel, recording a fingerprint per transaction, and —
//! on each replica, whatever the others do — checking every invariant and every expected effect after
//! every transaction, and counting what the run covered.

use crate::coverage::Coverage;
use crate::finding::Finding;
use crate::node::{Node, NodeConfig};
use crate::progress::Progress;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use svm::Hash;
use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::Canary;
use svm::state::TrieNodeCache;
use svm_fuzzing::invariants::{self, Step};
use svm_fuzzing::oracles::agreement::{Fingerprint, Mismatch, first_mismatch};
use svm_fuzzing::oracles::expected_effects::{ExpectedEffects, Tally};
use svm_fuzzing::stream::Stream;

/// One replica after the run.
pub struct ReplicaRun {
    /// The node, with its whole history in its kv store (for diffs and traces).
    pub node: Node,
    /// The root after genesis.
    pub genesis_root: StateRoot,
    /// One fingerprint per transaction applied (shorter than the stream if the node faulted).
    pub fingerprints: Vec<Fingerprint>,
    /// The receipts, in order.
    pub receipts: Vec<Receipt>,
    /// The node fault that stopped it, if one did: (transaction index, message).
    pub fault: Option<(usize, String)>,
    /// Time spent applying transactions.
    pub elapsed: Duration,
    /// Time at which each transaction finished, from the first one's start.
    pub finished_at: Vec<Duration>,
    /// Invariants and expected effects that did not hold on this replica (the first
    /// [`MAX_FINDINGS`]), and how many there were in all.
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

/// What a run checks besides agreement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checks {
    /// Every invariant and every expected effect, after every transaction, on every replica.
    All,
    /// Agreement only: for measuring what the checks cost.
    AgreementOnly,
}

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
    /// The first disagreement, if any.
    pub mismatch: Option<Mismatch>,
    /// A digest of the whole run (seed, stream, configurations, every replica's every fingerprint):
    /// two runs of the same seed must give the same one.
    pub fingerprint: Hash,
}

/// Runs `stream` on one node per configuration, `threads` at a time, reporting progress, with every
/// check on.
pub fn run(
    stream: &Stream,
    configs: &[NodeConfig],
    canary: Option<Canary>,
    threads: usize,
    progress: &Progress,
) -> RunResult {
    run_with(stream, configs, canary, threads, progress, Checks::All)
}

/// [`run`], checking `checks`.
pub fn run_with(
    stream: &Stream,
    configs: &[NodeConfig],
    canary: Option<Canary>,
    threads: usize,
    progress: &Progress,
    checks: Checks,
) -> RunResult {
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let threads = threads.clamp(1, configs.len().max(1));
    let mut slots: Vec<Option<ReplicaRun>> = (0..configs.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(config) = configs.get(i) else { break };
                        done.push((i, run_replica_with(stream, config.clone(), canary, progress, checks)));
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
    let fingerprint = run_fingerprint(stream, configs, canary, &runs);
    RunResult { replicas, mismatch, fingerprint }
}

/// Applies the whole stream on one fresh node, with every check on.
pub fn run_replica(stream: &Stream, config: NodeConfig, canary: Option<Canary>, progress: &Progress) -> ReplicaRun {
    run_replica_with(stream, config, canary, progress, Checks::All)
}

/// [`run_replica`], checking `checks`.
pub fn run_replica_with(
    stream: &Stream,
    config: NodeConfig,
    canary: Option<Canary>,
    progress: &Progress,
    checks: Checks,
) -> ReplicaRun {
    let mut node = Node::new(config, canary);
    let mut expected = ExpectedEffects::new(stream);
    // The checkers' own trie-node cache: they never read through the runtime's caches.
    let nodes = TrieNodeCache::new(1 << 16);
    let mut coverage = Coverage::default();
    let mut findings = Vec::new();
    let mut finding_count = 0;
    let mut fingerprints = Vec::with_capacity(stream.txs.len());
    let mut receipts = Vec::with_capacity(stream.txs.len());
    let mut finished_at = Vec::with_capacity(stream.txs.len());
    let mut fault = None;
    let started = Instant::now();
    let genesis_root = match node.genesis(&stream.genesis) {
        Ok(root) => root,
        Err(e) => {
            fault = Some((0, format!("genesis: {e}")));
            fingerprints.push(Fingerprint::node_fault(&e.to_string()));
            StateRoot::EMPTY
        }
    };
    for (i, stx) in stream.txs.iter().enumerate() {
        if fault.is_some() {
            break;
        }
        let before = node.root();
        match node.apply(&stx.tx, stx.layer) {
            Ok(receipt) => {
                if checks == Checks::All {
                    let step = Step {
                        runtime: node.runtime(),
                        tx: &stx.tx,
                        receipt: &receipt,
                        before,
                        after: node.root(),
                        nodes: Some(&nodes),
                    };
                    let mut found: Vec<(String, String)> = invariants::check(&step, false)
                        .into_iter()
                        .map(|v| (v.invariant.to_string(), v.detail))
                        .collect();
                    if let Err(detail) = expected.check(&step, stx.layer) {
                        found.push(("expected-effects".into(), detail));
                    }
                    coverage.record(&stx.tx, &receipt, node.last_execution());
                    for (check, detail) in found {
                        finding_count += 1;
                        if findings.len() < MAX_FINDINGS {
                            findings.push(Finding { replica: node.config.name.clone(), tx: i, check, detail });
                        }
                    }
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
    ReplicaRun {
        node,
        genesis_root,
        fingerprints,
        receipts,
        fault,
        elapsed: started.elapsed(),
        finished_at,
        findings,
        finding_count,
        expected: expected.tally,
        coverage,
    }
}

fn run_fingerprint(stream: &Stream, configs: &[NodeConfig], canary: Option<Canary>, runs: &[Vec<Fingerprint>]) -> Hash {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"svm-sim run fingerprint v1");
    hasher.update(&stream.seed.to_le_bytes());
    hasher.update(stream.hash().as_bytes());
    hasher.update(canary.map_or("", |c| c.name()).as_bytes());
    for (config, run) in configs.iter().zip(runs) {
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
