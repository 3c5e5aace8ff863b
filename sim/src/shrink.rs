//! The shrinker: reduces a divergent stream to a minimal one that still diverges the same way (the
//! same fingerprint components differ between the same two replica configurations) and is still a
//! valid stream: calls keep the deploys they need, and nonces are renumbered so that a transaction
//! that had a good nonce keeps one.

use crate::node::{Node, NodeConfig};
use crate::progress::Progress;
use crate::reproducer::{Expected, Reproducer};
use crate::run::run;
use std::collections::{BTreeMap, HashMap};
use svm::Address;
use svm::runtime::{Canary, contract_address};
use svm::transaction::Transaction;
use svm_fuzzing::oracles::agreement::{Component, Fingerprint, Mismatch, first_mismatch};
use svm_fuzzing::stream::Stream;
use thiserror::Error;

/// Why a reproducer could not be shrunk.
#[derive(Debug, Error)]
pub enum ShrinkError {
    /// Replaying it shows no divergence at all.
    #[error("the reproducer does not diverge: nothing to shrink")]
    NoDivergence,
}

/// A shrunk reproducer and how the shrinking went.
pub struct Shrunk {
    /// The minimal reproducer (the two disagreeing replica configurations, the minimal stream).
    pub reproducer: Reproducer,
    /// Transactions before and after.
    pub before: usize,
    /// Transactions in the shrunk stream.
    pub after: usize,
    /// Candidate streams tried.
    pub attempts: usize,
}

/// What must still hold: these two configurations disagree in exactly these components.
struct Target<'a> {
    pair: [NodeConfig; 2],
    canary: Option<Canary>,
    differs: Vec<Component>,
    stream: &'a Stream,
    /// Per transaction: its nonce minus the sender's nonce at that point in the original run.
    nonce_offsets: Vec<i128>,
    /// Per transaction: whether it consumed its nonce in the original run (it was not invalid).
    succeeded: Vec<bool>,
    /// Per transaction: the deploy transaction its contract comes from.
    needs: Vec<Option<usize>>,
    tried: HashMap<Vec<usize>, bool>,
}

/// Shrinks `repro`, reporting each candidate tried to `progress`.
pub fn shrink(repro: &Reproducer, threads: usize, progress: &Progress) -> Result<Shrunk, ShrinkError> {
    let result = run(&repro.stream, &repro.nodes, repro.canary, threads, &Progress::hidden());
    let mismatch = result.mismatch.clone().ok_or(ShrinkError::NoDivergence)?;
    let (a, b) = (mismatch.groups[0][0], mismatch.groups[1][0]);
    let reference = &result.replicas[a];
    let stream = &repro.stream;
    let (nonce_offsets, succeeded) = nonce_facts(stream, &reference.receipts);
    let mut target = Target {
        pair: [repro.nodes[a].clone(), repro.nodes[b].clone()],
        canary: repro.canary,
        differs: mismatch.differs.clone(),
        stream,
        nonce_offsets,
        succeeded,
        needs: deploy_dependencies(stream),
        tried: HashMap::new(),
    };
    // Nothing after the first divergent transaction can matter.
    let prefix: Vec<usize> = (0..=mismatch.tx).collect();
    let minimal = ddmin(prefix, &mut target, progress);
    let candidate = target.candidate(&minimal);
    let nodes = target.pair.to_vec();
    let final_run = run(&candidate, &nodes, repro.canary, threads, &Progress::hidden());
    let expected = final_run.mismatch.as_ref().map(|m| Expected::of(m, &nodes)).ok_or(ShrinkError::NoDivergence)?;
    Ok(Shrunk {
        before: stream.txs.len(),
        after: candidate.txs.len(),
        attempts: target.tried.len(),
        reproducer: Reproducer {
            seed: repro.seed,
            canary: repro.canary,
            nodes,
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
        offsets.push(i128::from(nonce_of(&stx.tx)) - i128::from(*next));
        let ok = receipts.get(i).is_some_and(|r| !r.outcome.is_invalid());
        if ok {
            *next += 1;
        }
        succeeded.push(ok);
    }
    (offsets, succeeded)
}

/// Per transaction: the index of the deploy that created the contract it calls.
fn deploy_dependencies(stream: &Stream) -> Vec<Option<usize>> {
    let mut deployed_by: BTreeMap<Address, usize> = BTreeMap::new();
    stream
        .txs
        .iter()
        .enumerate()
        .map(|(i, stx)| match &stx.tx {
            Transaction::Deploy(d) => {
                deployed_by.insert(contract_address(&d.author, d.nonce, &svm::code::code_hash(&d.code)), i);
                None
            }
            Transaction::Execute(e) => deployed_by.get(&e.contract).copied(),
            Transaction::Transfer(_) => None,
        })
        .collect()
}

fn nonce_of(tx: &Transaction) -> u64 {
    match tx {
        Transaction::Deploy(d) => d.nonce,
        Transaction::Execute(e) => e.nonce,
        Transaction::Transfer(t) => t.nonce,
    }
}

fn set_nonce(tx: &mut Transaction, nonce: u64) {
    match tx {
        Transaction::Deploy(d) => d.nonce = nonce,
        Transaction::Execute(e) => e.nonce = nonce,
        Transaction::Transfer(t) => t.nonce = nonce,
    }
}

impl Target<'_> {
    /// The subset closed under "a call keeps its deploy", in stream order.
    fn close(&self, subset: &[usize]) -> Vec<usize> {
        let mut keep: Vec<usize> = subset.to_vec();
        keep.extend(subset.iter().filter_map(|&i| self.needs[i]));
        keep.sort_unstable();
        keep.dedup();
        keep
    }

    /// The stream of the (closed) subset with nonces renumbered and unused code dropped.
    fn candidate(&self, subset: &[usize]) -> Stream {
        let keep = self.close(subset);
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
                _ => None,
            })
            .collect();
        stream.contracts.retain(|hash, _| used.contains(hash));
        stream
    }

    /// Whether the subset still diverges the same way (results are remembered).
    fn diverges(&mut self, subset: &[usize]) -> bool {
        let keep = self.close(subset);
        if let Some(&known) = self.tried.get(&keep) {
            return known;
        }
        let candidate = self.candidate(subset);
        let verdict = lockstep(&candidate, &self.pair, self.canary).is_some_and(|m| m.differs == self.differs);
        self.tried.insert(keep, verdict);
        verdict
    }
}

/// Runs two replicas side by side and stops at their first disagreement.
fn lockstep(stream: &Stream, pair: &[NodeConfig; 2], canary: Option<Canary>) -> Option<Mismatch> {
    let mut nodes = pair.clone().map(|config| Node::new(config, canary));
    let mut runs: [Vec<Fingerprint>; 2] = [Vec::new(), Vec::new()];
    for node in nodes.iter_mut() {
        if node.genesis(&stream.genesis).is_err() {
            return None;
        }
    }
    for stx in &stream.txs {
        for (node, run) in nodes.iter_mut().zip(runs.iter_mut()) {
            let fingerprint = match node.apply(&stx.tx, stx.layer) {
                Ok(receipt) => Fingerprint::of(&receipt, node.root()),
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

/// Delta debugging (ddmin) followed by a one-at-a-time pass: a 1-minimal subset that still diverges.
fn ddmin(mut items: Vec<usize>, target: &mut Target<'_>, progress: &Progress) -> Vec<usize> {
    let mut granularity = 2usize;
    while items.len() >= 2 {
        let chunk = items.len().div_ceil(granularity);
        let chunks: Vec<Vec<usize>> = items.chunks(chunk).map(<[usize]>::to_vec).collect();
        let mut reduced = false;
        for (i, part) in chunks.iter().enumerate() {
            progress.add(1);
            progress.draw();
            if target.diverges(part) {
                items = part.clone();
                granularity = 2;
                reduced = true;
                break;
            }
            let complement: Vec<usize> =
                chunks.iter().enumerate().filter(|(j, _)| *j != i).flat_map(|(_, c)| c.clone()).collect();
            if chunks.len() > 2 && target.diverges(&complement) {
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
    // One at a time, until no single removal keeps the divergence.
    let mut i = 0;
    while i < items.len() && items.len() > 1 {
        let without: Vec<usize> = items.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, &x)| x).collect();
        progress.add(1);
        if target.diverges(&without) {
            items = without;
        } else {
            i += 1;
        }
    }
    progress.finish();
    target.close(&items)
}
