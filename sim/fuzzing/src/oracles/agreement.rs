//! The checker: a cheap fingerprint per replica per transaction, compared across replicas; the
//! expensive analysis happens only where they disagree.

use serde::{Deserialize, Serialize};
use svm::Hash;
use svm::StateRoot;
use svm::receipt::Receipt;

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
