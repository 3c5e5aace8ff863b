//! Agreement between replicas — the one place that decides whether runtimes agree. A cheap
//! fingerprint per replica per transaction (root, receipt hash, gas) is compared across replicas and
//! grouped where it differs; the expensive analysis happens only there. The simulator compares
//! whole runs of fingerprints; [`Replicas`] runs runtimes in lockstep for tests, the differential
//! fuzz target and the spec-suite runner, comparing vmcall traces too when asked.

use super::trace_diff::{self, VmcallDivergence};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use svm::Address;
use svm::Hash;
use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::trace::TraceEntry;
use svm::transaction::Transaction;
use svm_reference::ReferenceVm;

/// What replicas compare after every transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// The global state root after the transaction.
    pub root: StateRoot,
    /// The receipt's consensus hash.
    pub receipt: Hash,
    /// Gas used.
    pub gas: u64,
}

impl Fingerprint {
    /// The fingerprint of `receipt` with the state at `root`.
    pub fn of(receipt: &Receipt, root: StateRoot) -> Fingerprint {
        Fingerprint { root, receipt: receipt.hash(), gas: receipt.gas_used }
    }

    /// The fingerprint recorded when a node fails outright (no receipt): unlike any real one.
    pub fn node_fault(message: &str) -> Fingerprint {
        Fingerprint { root: StateRoot::EMPTY, receipt: blake3::hash(message.as_bytes()).into(), gas: u64::MAX }
    }
}

/// A part of the fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    /// The state root.
    Root,
    /// The receipt hash.
    Receipt,
    /// Gas used.
    Gas,
}

/// Where replicas first disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Index of the first transaction after which fingerprints differ.
    pub tx: usize,
    /// Replica indices grouped by fingerprint, largest group first (ties: lowest index first).
    pub groups: Vec<Vec<usize>>,
    /// Which components differ between the first two groups.
    pub differs: Vec<Component>,
}

/// The first transaction after which the replicas' fingerprints disagree. A replica whose run is
/// shorter than the others (it stopped on a node fault) disagrees where its run ends.
pub fn first_mismatch(runs: &[Vec<Fingerprint>]) -> Option<Mismatch> {
    let longest = runs.iter().map(Vec::len).max()?;
    for tx in 0..longest {
        let at: Vec<Option<&Fingerprint>> = runs.iter().map(|run| run.get(tx)).collect();
        if at.iter().all(|f| *f == at[0]) {
            continue;
        }
        let mut groups: Vec<(Option<&Fingerprint>, Vec<usize>)> = Vec::new();
        for (replica, fingerprint) in at.iter().enumerate() {
            match groups.iter_mut().find(|(f, _)| f == fingerprint) {
                Some((_, members)) => members.push(replica),
                None => groups.push((*fingerprint, vec![replica])),
            }
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1[0].cmp(&b.1[0])));
        let differs = match (groups[0].0, groups[1].0) {
            (Some(a), Some(b)) => {
                let mut differs = Vec::new();
                if a.root != b.root {
                    differs.push(Component::Root);
                }
                if a.receipt != b.receipt {
                    differs.push(Component::Receipt);
                }
                if a.gas != b.gas {
                    differs.push(Component::Gas);
                }
                differs
            }
            _ => vec![Component::Root, Component::Receipt, Component::Gas],
        };
        return Some(Mismatch { tx, groups: groups.into_iter().map(|(_, members)| members).collect(), differs });
    }
    None
}

/// Runtimes with different configurations, each over its own in-memory kv store, applying the same
/// transactions in lockstep — and, if asked, the reference VM beside them (compared on receipts,
/// gas and roots; it keeps no vmcall trace).
pub struct Replicas {
    nodes: Vec<(String, Runtime)>,
    reference: Option<Box<ReferenceVm>>,
}

/// The name the reference VM goes by among lockstep replicas.
pub const REFERENCE: &str = "reference";

/// Why lockstep replicas stopped agreeing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Disagreement {
    /// A replica could not produce a receipt at all.
    NodeFault {
        /// The replica.
        replica: String,
        /// Why.
        message: String,
    },
    /// Replicas produced different fingerprints (or traces).
    Differs {
        /// Replica names grouped by what they computed, largest group first.
        groups: Vec<Vec<String>>,
        /// Which fingerprint components differ between the first two groups (empty: only traces).
        differs: Vec<Component>,
        /// The receipt each group's first replica produced.
        receipts: Vec<Receipt>,
        /// The first divergent vmcall between the first two groups, when traces were compared.
        vmcall: Option<Box<VmcallDivergence>>,
    },
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Disagreement::NodeFault { replica, message } => write!(f, "node fault on {replica}: {message}"),
            Disagreement::Differs { groups, differs, receipts, vmcall } => {
                write!(f, "replicas disagree ({differs:?}):")?;
                for (group, receipt) in groups.iter().zip(receipts) {
                    write!(
                        f,
                        "\n  {}: {} gas {} returns {:?} returndata {} logs {}",
                        group.join(", "),
                        receipt.outcome.name(),
                        receipt.gas_used,
                        receipt.returns,
                        hex::encode(&receipt.returndata),
                        receipt.logs.len()
                    )?;
                }
                match vmcall {
                    Some(d) => write!(
                        f,
                        "\n  first divergent vmcall #{}:\n  - {:?}\n  + {:?}",
                        d.index, d.entries[0], d.entries[1]
                    ),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Replicas {
    /// One fresh runtime per named configuration, each credited `genesis`.
    pub fn new(configs: impl IntoIterator<Item = (String, RuntimeConfig)>, genesis: &[(Address, u64)]) -> Replicas {
        let nodes = configs
            .into_iter()
            .map(|(name, config)| {
                let mut rt = Runtime::new(Arc::new(MemKv::new()), config);
                // Genesis over an empty in-memory store cannot fail but on an overflowing allocation,
                // which the callers' fixed genesis never has.
                rt.genesis(genesis).unwrap_or_else(|e| panic!("genesis on {name}: {e}"));
                (name, rt)
            })
            .collect();
        Replicas { nodes, reference: None }
    }

    /// The same replicas with the reference VM beside them, credited `genesis` too.
    pub fn with_reference(mut self, genesis: &[(Address, u64)]) -> Replicas {
        let mut vm = ReferenceVm::new(self.nodes[0].1.config().limits.clone());
        vm.genesis(genesis).unwrap_or_else(|e| panic!("genesis on the reference VM: {e}"));
        self.reference = Some(Box::new(vm));
        self
    }

    /// The first replica's runtime (they agree, so any will do for reading state).
    pub fn first(&self) -> &Runtime {
        &self.nodes[0].1
    }

    /// The replicas' names and runtimes.
    pub fn nodes(&self) -> &[(String, Runtime)] {
        &self.nodes
    }

    /// The layer boundary before `layer` on every replica: expired events are pruned.
    pub fn begin_layer(&mut self, layer: u64) -> Result<(), Disagreement> {
        for (name, rt) in &mut self.nodes {
            rt.begin_layer(layer)
                .map_err(|e| Disagreement::NodeFault { replica: name.clone(), message: e.to_string() })?;
        }
        if let Some(vm) = &mut self.reference {
            vm.begin_layer(layer)
                .map_err(|e| Disagreement::NodeFault { replica: REFERENCE.into(), message: e.to_string() })?;
        }
        Ok(())
    }

    /// Applies `tx` on every replica; the receipt they agree on, or how they disagree.
    pub fn apply(&mut self, tx: &Transaction, block: &BlockContext) -> Result<Receipt, Disagreement> {
        self.step(tx, block, false).map(|(receipt, _)| receipt)
    }

    /// Like [`Replicas::apply`], with vmcall traces on and compared too; the agreed receipt and trace.
    pub fn apply_traced(
        &mut self,
        tx: &Transaction,
        block: &BlockContext,
    ) -> Result<(Receipt, Vec<TraceEntry>), Disagreement> {
        self.step(tx, block, true)
    }

    fn step(
        &mut self,
        tx: &Transaction,
        block: &BlockContext,
        traced: bool,
    ) -> Result<(Receipt, Vec<TraceEntry>), Disagreement> {
        let mut results = Vec::with_capacity(self.nodes.len());
        for (name, rt) in &mut self.nodes {
            let applied =
                if traced { rt.apply_traced(tx, block) } else { rt.apply(tx, block).map(|r| (r, Vec::new())) };
            let (receipt, trace) =
                applied.map_err(|e| Disagreement::NodeFault { replica: name.clone(), message: e.to_string() })?;
            results.push((Fingerprint::of(&receipt, rt.root()), receipt, trace));
        }
        let mut runs: Vec<Vec<Fingerprint>> = results.iter().map(|(f, _, _)| vec![*f]).collect();
        // The reference VM's run, if it takes part: its index is the one after the wasmer replicas'.
        let mut reference = None;
        if let Some(vm) = &mut self.reference {
            let receipt = vm
                .apply(tx, block.layer)
                .map_err(|e| Disagreement::NodeFault { replica: REFERENCE.into(), message: e.to_string() })?;
            runs.push(vec![Fingerprint::of(&receipt, vm.root())]);
            reference = Some(receipt);
        }
        let mismatch = first_mismatch(&runs);
        let trace_split = (1..results.len()).find(|&i| results[i].2 != results[0].2);
        if mismatch.is_none() && trace_split.is_none() {
            let (_, receipt, trace) = results.swap_remove(0);
            return Ok((receipt, trace));
        }
        let (groups, differs) = match mismatch {
            Some(m) => (m.groups, m.differs),
            None => {
                // Only the traces differ: group by trace.
                let (same, other): (Vec<usize>, Vec<usize>) =
                    (0..results.len()).partition(|&i| results[i].2 == results[0].2);
                (vec![same, other], Vec::new())
            }
        };
        // Traces are compared between wasmer replicas only: the reference VM keeps none.
        let wasmer = |group: &Vec<usize>| group.iter().copied().find(|&i| i < results.len());
        let vmcall = match (wasmer(&groups[0]), wasmer(&groups[1])) {
            (Some(a), Some(b)) => {
                trace_diff::diff(&results[a].2, &results[b].2, &self.nodes[a].0, &self.nodes[b].0).map(Box::new)
            }
            _ => None,
        };
        let name = |i: usize| self.nodes.get(i).map_or_else(|| REFERENCE.to_string(), |(name, _)| name.clone());
        let receipt = |i: usize| results.get(i).map(|(_, r, _)| r).or(reference.as_ref()).cloned();
        Err(Disagreement::Differs {
            groups: groups.iter().map(|g| g.iter().map(|&i| name(i)).collect()).collect(),
            differs,
            receipts: groups.iter().filter_map(|g| receipt(g[0])).collect(),
            vmcall,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(root: u8, receipt: u8, gas: u64) -> Fingerprint {
        Fingerprint { root: StateRoot(Hash([root; 32])), receipt: Hash([receipt; 32]), gas }
    }

    #[test]
    fn agreement_is_no_mismatch() {
        let run = vec![f(1, 1, 1), f(2, 2, 2)];
        assert_eq!(first_mismatch(&[run.clone(), run.clone(), run]), None);
    }

    #[test]
    fn finds_the_first_disagreement_groups_and_components() {
        let a = vec![f(1, 1, 1), f(2, 2, 2), f(3, 3, 3)];
        let mut b = a.clone();
        b[1] = f(2, 9, 7);
        b[2] = f(4, 4, 4);
        let m = first_mismatch(&[b.clone(), a.clone(), a]).unwrap();
        assert_eq!(m.tx, 1);
        assert_eq!(m.groups, vec![vec![1, 2], vec![0]]);
        assert_eq!(m.differs, vec![Component::Receipt, Component::Gas]);
    }

    #[test]
    fn a_replica_that_stopped_early_disagrees_where_it_stopped() {
        let a = vec![f(1, 1, 1), f(2, 2, 2)];
        let short = vec![f(1, 1, 1)];
        let m = first_mismatch(&[a, short]).unwrap();
        assert_eq!((m.tx, m.groups.len()), (1, 2));
    }
}
