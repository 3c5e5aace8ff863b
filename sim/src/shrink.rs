//! The shrinker: reduces a reproducer to a minimal one that still shows the same thing — a divergence
//! in the same fingerprint components between the same two replica configurations, or a finding of
//! the same check on the same replica — and is still a valid stream: calls keep the deploys they need,
//! nonces are renumbered so that a transaction that had a good nonce keeps one, and the replicas'
//! events (restarts …) are removed or moved along with the transactions they precede.

use crate::history::History;
use crate::node::{Node, NodeConfig};
use crate::progress::Progress;
use crate::reproducer::{Expected, Reproducer};
use crate::run::{Checks, Setup, run_replica, run_with};
use crate::step::step;
use std::collections::{BTreeMap, HashMap};
use svm::Address;
use svm::runtime::{Canary, contract_address};
use svm::transaction::Transaction;
use svm_fuzzing::models::linking::library_imports;
use svm_fuzzing::oracles::agreement::{Component, Fingerprint, Mismatch, first_mismatch};
use svm_fuzzing::stream::Stream;
use thiserror::Error;

/// Why a reproducer could not be shrunk.
#[derive(Debug, Error)]
pub enum ShrinkError {
    /// Replaying it shows neither a divergence nor a finding.
    #[error("the reproducer shows neither a divergence nor a finding: nothing to shrink")]
    NothingToShrink,
}

/// A shrunk reproducer and how the shrinking went.
pub struct Shrunk {
    /// The minimal reproducer (the replicas involved, the minimal stream and history).
    pub reproducer: Reproducer,
    /// Transactions before.
    pub before: usize,
    /// Transactions in the shrunk stream.
    pub after: usize,
    /// Events before and after.
    pub events: (usize, usize),
    /// Candidates tried.
    pub attempts: usize,
}

/// What a candidate must still show.
enum Goal {
    /// These two configurations disagree in exactly these components.
    Divergence { pair: [NodeConfig; 2], differs: Vec<Component> },
    /// This configuration breaks this check.
    Finding { node: NodeConfig, check: String },
}

impl Goal {
    fn nodes(&self) -> Vec<NodeConfig> {
        match self {
            Goal::Divergence { pair, .. } => pair.to_vec(),
            Goal::Finding { node, .. } => vec![node.clone()],
        }
    }
}

/// What must still hold, and the facts about the original stream that keep candidates valid.
struct Target<'a> {
    goal: Goal,
    canary: Option<Canary>,
    stream: &'a Stream,
    /// The events of the replicas involved.
    history: History,
    /// Per transaction: its nonce minus the sender's nonce at that point in the original run.
    nonce_offsets: Vec<i128>,
    /// Per transaction: whether it consumed its nonce in the original run (it was not invalid).
    succeeded: Vec<bool>,
    /// Per transaction: the deploys it needs — a call its contract's, a deploy those of the libraries it links.
    needs: Vec<Vec<usize>>,
    tried: HashMap<Vec<usize>, bool>,
}

/// Shrinks `repro`, reporting each candidate tried to `progress`.
pub fn shrink(repro: &Reproducer, threads: usize, progress: &Progress) -> Result<Shrunk, ShrinkError> {
    let result = run_with(&repro.setup(), threads, &Progress::hidden());
    let seen = Expected::seen_in(&result, &repro.nodes).ok_or(ShrinkError::NothingToShrink)?;
    let index = |name: &str| repro.nodes.iter().position(|n| n.name == name).unwrap_or(0);
    let (goal, reference) = match &seen {
        Expected::Divergence { groups, differs, .. } => {
            let (a, b) = (index(&groups[0][0]), index(&groups[1][0]));
            (Goal::Divergence { pair: [repro.nodes[a].clone(), repro.nodes[b].clone()], differs: differs.clone() }, a)
        }
        Expected::Finding { replica, check, .. } => {
            let i = index(replica);
            (Goal::Finding { node: repro.nodes[i].clone(), check: check.clone() }, i)
        }
    };
    let stream = &repro.stream;
    let (nonce_offsets, succeeded) = nonce_facts(stream, &result.replicas[reference].receipts);
    let names: Vec<String> = goal.nodes().into_iter().map(|n| n.name).collect();
    let history = repro.history.only(&names);
    // Nothing after the transaction where it shows can matter; events after it neither.
    let last = seen.tx();
    let relevant_events: Vec<usize> =
        history.events.iter().enumerate().filter(|(_, e)| e.before_tx <= last).map(|(i, _)| i).collect();
    let mut target = Target {
        goal,
        canary: repro.canary,
        stream,
        nonce_offsets,
        succeeded,
        needs: deploy_dependencies(stream),
        history,
        tried: HashMap::new(),
    };
    // Items: transactions 0..=last, then events (offset by the stream's length).
    let offset = stream.txs.len();
    let mut items: Vec<usize> = (0..=last.min(offset.saturating_sub(1))).collect();
    items.extend(relevant_events.iter().map(|e| offset + e));
    let minimal = ddmin(items, &mut target, progress);
    let (candidate, history) = target.candidate(&minimal);
    let nodes = target.goal.nodes();
    let final_setup =
        Setup { stream: &candidate, nodes: &nodes, history: &history, canary: repro.canary, checks: Checks::All };
    let final_run = run_with(&final_setup, threads, &Progress::hidden());
    let expected = Expected::seen_in(&final_run, &nodes).ok_or(ShrinkError::NothingToShrink)?;
    Ok(Shrunk {
        before: stream.txs.len(),
        after: candidate.txs.len(),
        events: (repro.history.events.len(), history.events.len()),
        attempts: target.tried.len(),
        reproducer: Reproducer {
            seed: repro.seed,
            canary: repro.canary,
            nodes,
            history,
            expected,
            stream: candidate,
            tool_version: crate::TOOL_VERSION.into(),
        },
    })
}

/// Per transaction: nonce offset from the sender's nonce at that point, and whether it consumed it.
fn nonce_facts(stream: &Stream, receipts: &[svm::receipt::Receipt]) -> (Vec<i128>, Vec<bool>) {
    let mut expected: BTreeMap<Address, u64> = BTreeMap::new();
    let mut offsets = Vec::new();
    let mut succeeded = Vec::new();
    for (i, stx) in stream.txs.iter().enumerate() {
        let sender = stx.tx.sender();
        let next = expected.entry(sender).or_default();
        offsets.push(i128::from(stx.tx.nonce()) - i128::from(*next));
        let ok = receipts.get(i).is_some_and(|r| !r.outcome.is_invalid());
        if ok {
            *next += 1;
        }
        succeeded.push(ok);
    }
    (offsets, succeeded)
}

/// Per transaction: the deploys it needs — the deploy that created the contract it calls, or the library deploys
/// of the libraries its code imports.
fn deploy_dependencies(stream: &Stream) -> Vec<Vec<usize>> {
    let mut deployed_by: BTreeMap<Address, usize> = BTreeMap::new();
    let mut library_by: BTreeMap<svm::Hash, usize> = BTreeMap::new();
    let libraries = |code: &[u8], library_by: &BTreeMap<svm::Hash, usize>| -> Vec<usize> {
        library_imports(code).iter().filter_map(|hash| library_by.get(hash).copied()).collect()
    };
    stream
        .txs
        .iter()
        .enumerate()
        .map(|(i, stx)| match &stx.tx {
            Transaction::Deploy(d) => {
                deployed_by.insert(contract_address(&d.author, d.nonce, &svm::code::code_hash(&d.code)), i);
                libraries(&d.code, &library_by)
            }
            Transaction::DeployLibrary(l) => {
                let needs = libraries(&l.code, &library_by);
                library_by.entry(svm::code::code_hash(&l.code)).or_insert(i);
                needs
            }
            Transaction::Execute(e) => deployed_by.get(&e.contract).copied().into_iter().collect(),
            Transaction::Transfer(_) => Vec::new(),
        })
        .collect()
}

fn set_nonce(tx: &mut Transaction, nonce: u64) {
    match tx {
        Transaction::Deploy(d) => d.nonce = nonce,
        Transaction::Execute(e) => e.nonce = nonce,
        Transaction::Transfer(t) => t.nonce = nonce,
        Transaction::DeployLibrary(l) => l.nonce = nonce,
    }
}

impl Target<'_> {
    /// The subset closed under "a call keeps its deploy, a deploy the library deploys it links", in order
    /// (transactions, then events).
    fn close(&self, subset: &[usize]) -> Vec<usize> {
        let txs = self.stream.txs.len();
        let mut keep: std::collections::BTreeSet<usize> = subset.iter().copied().collect();
        let mut pending: Vec<usize> = subset.iter().copied().filter(|&i| i < txs).collect();
        while let Some(i) = pending.pop() {
            for &need in &self.needs[i] {
                if keep.insert(need) {
                    pending.push(need);
                }
            }
        }
        keep.into_iter().collect()
    }

    /// The stream and history of the (closed) subset: nonces renumbered, unused code dropped, events
    /// moved before the kept transactions they came before.
    fn candidate(&self, subset: &[usize]) -> (Stream, History) {
        let closed = self.close(subset);
        let txs = self.stream.txs.len();
        let (keep, events): (Vec<usize>, Vec<usize>) = closed.iter().partition(|&&i| i < txs);
        let events: Vec<usize> = events.into_iter().map(|i| i - txs).collect();
        let mut stream = self.stream.subset(&keep);
        let mut expected: BTreeMap<Address, u64> = BTreeMap::new();
        for (stx, &original) in stream.txs.iter_mut().zip(&keep) {
            let next = expected.entry(stx.tx.sender()).or_default();
            let nonce = (i128::from(*next) + self.nonce_offsets[original]).clamp(0, i128::from(u64::MAX)) as u64;
            set_nonce(&mut stx.tx, nonce);
            if self.succeeded[original] {
                *next += 1;
            }
        }
        let used: Vec<svm::Hash> = stream
            .txs
            .iter()
            .filter_map(|stx| match &stx.tx {
                Transaction::Deploy(d) => Some(svm::code::code_hash(&d.code)),
                Transaction::DeployLibrary(l) => Some(svm::code::code_hash(&l.code)),
                _ => None,
            })
            .collect();
        stream.contracts.retain(|hash, _| used.contains(hash));
        (stream, self.history.subset(&keep, &events))
    }

    /// Whether the subset still shows the goal (results are remembered).
    fn shows(&mut self, subset: &[usize]) -> bool {
        let keep = self.close(subset);
        if let Some(&known) = self.tried.get(&keep) {
            return known;
        }
        let (candidate, history) = self.candidate(subset);
        let verdict = match &self.goal {
            Goal::Divergence { pair, differs } => {
                lockstep(&candidate, pair, &history, self.canary).is_some_and(|m| m.differs == *differs)
            }
            Goal::Finding { node, check } => {
                let nodes = [node.clone()];
                let setup = Setup {
                    stream: &candidate,
                    nodes: &nodes,
                    history: &history,
                    canary: self.canary,
                    checks: Checks::All,
                };
                run_replica(&setup, node, &Progress::hidden()).findings.iter().any(|f| f.check == *check)
            }
        };
        self.tried.insert(keep, verdict);
        verdict
    }
}

/// Runs two replicas side by side, each with its events, and stops at their first disagreement.
fn lockstep(stream: &Stream, pair: &[NodeConfig; 2], history: &History, canary: Option<Canary>) -> Option<Mismatch> {
    let mut nodes = pair.clone().map(|config| Node::new(config, canary));
    let mut runs: [Vec<Fingerprint>; 2] = [Vec::new(), Vec::new()];
    for node in nodes.iter_mut() {
        if node.start(stream).is_err() {
            return None;
        }
    }
    for i in 0..stream.txs.len() {
        for (node, run) in nodes.iter_mut().zip(runs.iter_mut()) {
            let events: Vec<_> = history.of(&node.config.name).filter(|e| e.before_tx == i).map(|e| e.event).collect();
            let fingerprint = match step(node, &events, &stream.txs, i).receipt {
                Ok((receipt, _)) => Fingerprint::of(&receipt, node.root()),
                Err(e) => Fingerprint::node_fault(&e.to_string()),
            };
            run.push(fingerprint);
        }
        if runs[0].last() != runs[1].last() {
            return first_mismatch(&runs);
        }
    }
    None
}

/// Delta debugging (ddmin) followed by a one-at-a-time pass: a 1-minimal subset that still shows the
/// goal.
fn ddmin(mut items: Vec<usize>, target: &mut Target<'_>, progress: &Progress) -> Vec<usize> {
    let mut granularity = 2usize;
    while items.len() >= 2 {
        let chunk = items.len().div_ceil(granularity);
        let chunks: Vec<Vec<usize>> = items.chunks(chunk).map(<[usize]>::to_vec).collect();
        let mut reduced = false;
        for (i, part) in chunks.iter().enumerate() {
            progress.add(1);
            progress.draw();
            if target.shows(part) {
                items = part.clone();
                granularity = 2;
                reduced = true;
                break;
            }
            let complement: Vec<usize> =
                chunks.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, c)| c.clone()).collect();
            if chunks.len() > 2 && target.shows(&complement) {
                items = complement;
                granularity = (granularity - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if granularity >= items.len() {
                break;
            }
            granularity = (granularity * 2).min(items.len());
        }
    }
    // One at a time, until no single removal keeps the goal.
    let mut i = 0;
    while i < items.len() && items.len() > 1 {
        let without: Vec<usize> = items.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, &x)| x).collect();
        progress.add(1);
        if target.shows(&without) {
            items = without;
        } else {
            i += 1;
        }
    }
    progress.finish();
    target.close(&items)
}
