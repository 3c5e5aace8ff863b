//! Running one stream on every replica, in parallel, recording a fingerprint per transaction.

use crate::node::{Node, NodeConfig};
use crate::progress::Progress;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use svm::Hash;
use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::Canary;
use svm_fuzzing::oracles::agreement::{Fingerprint, Mismatch, first_mismatch};
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

/// Runs `stream` on one node per configuration, `threads` at a time, reporting progress.
pub fn run(
    stream: &Stream,
    configs: &[NodeConfig],
    canary: Option<Canary>,
    threads: usize,
    progress: &Progress,
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
                        done.push((i, run_replica(stream, config.clone(), canary, progress)));
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

/// Applies the whole stream on one fresh node.
pub fn run_replica(stream: &Stream, config: NodeConfig, canary: Option<Canary>, progress: &Progress) -> ReplicaRun {
    let mut node = Node::new(config, canary);
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
        match node.apply(&stx.tx, stx.layer) {
            Ok(receipt) => {
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
    ReplicaRun { node, genesis_root, fingerprints, receipts, fault, elapsed: started.elapsed(), finished_at }
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
