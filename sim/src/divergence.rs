//! The divergence report: first divergent transaction, which replicas disagree, the decoded state
//! diff, the receipts, and the first divergent vmcall from a trace diff of that transaction.

use crate::run::{RunResult, Setup, node_before};
use crate::state_diff::{self, AccountDiff};
use serde::Serialize;
use std::collections::BTreeSet;
use svm::Address;
use svm::runtime::contract_address;
use svm::transaction::Transaction;
use svm_fuzzing::oracles::agreement::{Component, Mismatch};
use svm_fuzzing::oracles::trace_diff::{self, VmcallDivergence};
use svm_fuzzing::stream::Stream;

/// Everything an on-call engineer needs about one divergence.
#[derive(Clone, Debug, Serialize)]
pub struct DivergenceReport {
    /// Index of the first divergent transaction.
    pub tx: usize,
    /// What that transaction was.
    pub tx_summary: String,
    /// Replica names grouped by what they computed, largest group first.
    pub groups: Vec<Vec<String>>,
    /// Which fingerprint components differ.
    pub differs: Vec<Component>,
    /// The receipt each group's first replica produced (consensus fields and diagnostic).
    pub receipts: Vec<String>,
    /// A replica that stopped with a node fault, and why.
    pub node_faults: Vec<(String, String)>,
    /// Accounts and slices that differ between the first two groups after the transaction.
    pub state_diff: Vec<AccountDiff>,
    /// The first vmcall whose traces differ, when the traces differ.
    pub first_divergent_vmcall: Option<VmcallDivergence>,
    /// Set when the traces agree: the divergence is after the last vmcall (commit or receipt).
    pub traces_agree: bool,
}

/// A one-line description of a transaction.
pub fn summarize(tx: &Transaction) -> String {
    match tx {
        Transaction::Deploy(d) => {
            format!("deploy by {} (nonce {}, {} bytes of code)", hex::encode(d.author.0), d.nonce, d.code.len())
        }
        Transaction::Execute(e) => format!(
            "execute {}.{}({:?}) from {} (nonce {}, gas {}, value {}, {} bytes calldata)",
            hex::encode(e.contract.0),
            e.function,
            e.args,
            hex::encode(e.sender.0),
            e.nonce,
            e.gas_limit,
            e.value,
            e.calldata.len()
        ),
        Transaction::Transfer(t) => format!(
            "transfer {} from {} to {} (nonce {})",
            t.amount,
            hex::encode(t.from.0),
            hex::encode(t.to.0),
            t.nonce
        ),
        Transaction::DeployLibrary(l) => {
            format!("deploy library by {} (nonce {}, {} bytes of code)", hex::encode(l.author.0), l.nonce, l.code.len())
        }
    }
}

/// Every address the stream can touch: senders, recipients, contracts and deploy addresses.
pub fn addresses(stream: &Stream) -> BTreeSet<Address> {
    let mut all: BTreeSet<Address> = stream.genesis.iter().map(|(a, _)| *a).collect();
    for stx in &stream.txs {
        match &stx.tx {
            Transaction::Deploy(d) => {
                all.insert(d.author);
                all.insert(contract_address(&d.author, d.nonce, &svm::code::code_hash(&d.code)));
            }
            Transaction::Execute(e) => {
                all.insert(e.sender);
                all.insert(e.contract);
            }
            Transaction::Transfer(t) => {
                all.insert(t.from);
                all.insert(t.to);
            }
            Transaction::DeployLibrary(l) => {
                all.insert(l.author);
                all.insert(svm::address::library_address(&svm::code::code_hash(&l.code)));
            }
        }
    }
    all
}

/// Analyses `mismatch` in `result` (a run of `setup`): compares states and receipts, and traces the
/// transaction on a fresh replica of each of the first two groups brought to the state — history
/// included — it had just before that transaction.
pub fn analyse(setup: &Setup<'_>, result: &mut RunResult, mismatch: &Mismatch) -> DivergenceReport {
    let stream = setup.stream;
    let names = |group: &Vec<usize>| group.iter().map(|&i| result.replicas[i].node.config.name.clone()).collect();
    let groups: Vec<Vec<String>> = mismatch.groups.iter().map(names).collect();
    // Each group is represented by a wasmer replica where it has one: the reference VM keeps neither
    // a trace nor earlier states, so a group of the reference alone gets receipts but no trace.
    let representative = |group: &Vec<usize>| {
        *group.iter().find(|&&i| !result.replicas[i].node.config.is_reference()).unwrap_or(&group[0])
    };
    let (a, b) = (representative(&mismatch.groups[0]), representative(&mismatch.groups[1]));
    let stx = &stream.txs[mismatch.tx];
    let receipts = mismatch
        .groups
        .iter()
        .map(|group| {
            let replica = &result.replicas[group[0]];
            match replica.receipts.get(mismatch.tx) {
                Some(r) => format!(
                    "{}: {} gas {} returns {:?} returndata {} logs {:?} state {:?} ({})",
                    replica.node.config.name,
                    r.outcome.name(),
                    r.gas_used,
                    r.returns,
                    hex::encode(&r.returndata),
                    r.logs.iter().map(hex::encode).collect::<Vec<_>>(),
                    r.state.map(|s| s.to_string()),
                    r.diagnostic
                ),
                None => format!("{}: no receipt (node fault)", replica.node.config.name),
            }
        })
        .collect();
    let node_faults = result
        .replicas
        .iter()
        .filter_map(|r| r.fault.as_ref().map(|(_, why)| (r.node.config.name.clone(), why.clone())))
        .collect();

    // State after the transaction, on each side (where both got that far).
    let after = |i: usize| result.replicas[i].fingerprints.get(mismatch.tx).map(|f| f.root);
    let mut state = Vec::new();
    if let (Some(ra), Some(rb)) = (after(a), after(b)) {
        let (left, right) = two(&mut result.replicas, a, b);
        if left.node.reset_to(ra).is_ok()
            && right.node.reset_to(rb).is_ok()
            && let (Some(left), Some(right)) = (left.node.runtime(), right.node.runtime())
        {
            state = state_diff::diff(left, right, &addresses(stream)).unwrap_or_default();
        }
    }

    // The same transaction again, traced, on each side from the state and history it had before it.
    let trace = |i: usize| {
        let config = result.replicas[i].node.config.clone();
        if config.is_reference() {
            return Err("the reference VM keeps no trace".to_string());
        }
        let mut node = node_before(setup, &config, mismatch.tx)?;
        node.apply_traced(&stx.tx, stx.layer).map(|(_, trace)| trace).map_err(|e| e.to_string())
    };
    let (name_a, name_b) = (result.replicas[a].node.config.name.clone(), result.replicas[b].node.config.name.clone());
    let (vmcall, traces_agree) = match (trace(a), trace(b)) {
        (Ok(ta), Ok(tb)) => {
            let d = trace_diff::diff(&ta, &tb, &name_a, &name_b);
            let agree = d.is_none();
            (d, agree)
        }
        _ => (None, false),
    };
    DivergenceReport {
        tx: mismatch.tx,
        tx_summary: summarize(&stx.tx),
        groups,
        differs: mismatch.differs.clone(),
        receipts,
        node_faults,
        state_diff: state,
        first_divergent_vmcall: vmcall,
        traces_agree,
    }
}

/// Two distinct elements of a slice, mutably.
fn two<T>(items: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    if a < b {
        let (low, high) = items.split_at_mut(b);
        (&mut low[a], &mut high[0])
    } else {
        let (low, high) = items.split_at_mut(a);
        (&mut high[0], &mut low[b])
    }
}
