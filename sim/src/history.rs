//! Node history as data: what happens to a replica besides the transactions — restarts now; crashes,
//! syncs and kv faults as they arrive — as explicit events ("restart replica R before transaction N"),
//! derived from the seed, recorded in reproducers, and moved or removed by the shrinker together with
//! the transactions, so that a divergence that depends on a node's history replays and shrinks exactly.

use crate::node::NodeConfig;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// What happens to a replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeEventKind {
    /// A process restart: a new runtime over the same kv store and artifacts, at the same root (every
    /// in-memory cache starts empty).
    Restart,
}

impl NodeEventKind {
    /// Whether this event explains a node fault of its replica at the transaction it precedes (an
    /// injected kv fault will; a restart never does).
    pub fn explains_fault(self) -> bool {
        match self {
            NodeEventKind::Restart => false,
        }
    }
}

/// One event: `event` happens to replica `replica` just before transaction `before_tx` is applied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEvent {
    /// The transaction it precedes (the stream's length: after the last one).
    pub before_tx: usize,
    /// The replica's name.
    pub replica: String,
    /// What happens.
    pub event: NodeEventKind,
}

/// Every event of a run, in order of `before_tx`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct History {
    /// The events.
    pub events: Vec<NodeEvent>,
}

impl History {
    /// The history `seed` gives `nodes` over `txs` transactions: each replica with a mean restart
    /// interval restarts after gaps drawn uniformly from 1 to twice that interval.
    pub fn derive(seed: u64, nodes: &[NodeConfig], txs: usize) -> History {
        let mut events = Vec::new();
        for node in nodes {
            let Some(mean) = node.restart_mean.filter(|m| *m > 0) else { continue };
            let name_hash =
                u64::from_le_bytes(blake3::hash(node.name.as_bytes()).as_bytes()[..8].try_into().unwrap_or([0; 8]));
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ name_hash ^ 0x6869_7374_6f72_7921);
            let mut at = 0usize;
            loop {
                at += rng.random_range(1..=(2 * mean).max(1)) as usize;
                if at >= txs {
                    break;
                }
                events.push(NodeEvent { before_tx: at, replica: node.name.clone(), event: NodeEventKind::Restart });
            }
        }
        History::new(events)
    }

    /// A history of `events`, sorted.
    pub fn new(mut events: Vec<NodeEvent>) -> History {
        events.sort();
        History { events }
    }

    /// The events of replica `name`, in order.
    pub fn of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a NodeEvent> + 'a {
        self.events.iter().filter(move |e| e.replica == name)
    }

    /// Whether an event explains a node fault of `replica` at transaction `tx`: one that precedes it
    /// (or an earlier transaction) and can cause one.
    pub fn explains_fault(&self, replica: &str, tx: usize) -> bool {
        self.of(replica).any(|e| e.before_tx <= tx && e.event.explains_fault())
    }

    /// Checks the events against the replicas and the stream: every replica named exists, and every
    /// event precedes a transaction of the stream or its end.
    pub fn check(&self, nodes: &[NodeConfig], txs: usize) -> Result<(), String> {
        for event in &self.events {
            if !nodes.iter().any(|n| n.name == event.replica) {
                return Err(format!("an event names replica {:?}, which is not among the replicas", event.replica));
            }
            if event.before_tx > txs {
                return Err(format!(
                    "an event of {} comes before transaction {}, past the stream's {txs}",
                    event.replica, event.before_tx
                ));
            }
        }
        Ok(())
    }

    /// The history of a stream cut down to the transactions at `keep` (indices into the original, in
    /// order), keeping the events at `events` (indices into this history): each moves to just before
    /// the first kept transaction at or after its place; one after every kept transaction goes to the end.
    pub fn subset(&self, keep: &[usize], events: &[usize]) -> History {
        let moved = events
            .iter()
            .filter_map(|&i| self.events.get(i))
            .map(|e| NodeEvent { before_tx: keep.partition_point(|&t| t < e.before_tx), ..e.clone() })
            .collect();
        History::new(moved)
    }

    /// Only the events of the replicas named in `names`.
    pub fn only(&self, names: &[String]) -> History {
        History::new(self.events.iter().filter(|e| names.contains(&e.replica)).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::default_nodes;

    #[test]
    fn the_seed_decides_the_history_and_only_restarting_replicas_restart() {
        let nodes = default_nodes();
        let a = History::derive(7, &nodes, 1000);
        assert_eq!(a, History::derive(7, &nodes, 1000));
        assert_ne!(a, History::derive(8, &nodes, 1000));
        for node in &nodes {
            let count = a.of(&node.name).count();
            match node.restart_mean {
                Some(mean) => assert!(count as u64 >= 1000 / (2 * mean), "{}: {count}", node.name),
                None => assert_eq!(count, 0, "{}", node.name),
            }
        }
        assert!(a.events.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.check(&nodes, 1000).is_ok());
        assert!(a.check(&nodes[..1], 1000).is_err());
    }

    #[test]
    fn cutting_transactions_moves_each_event_before_the_next_kept_one() {
        let event = |before_tx| NodeEvent { before_tx, replica: "r".into(), event: NodeEventKind::Restart };
        let history = History::new(vec![event(3), event(5), event(9)]);
        // Keep transactions 1, 4 and 6: the event before 3 goes before 4 (now index 1), the one before 5
        // before 6 (index 2), the one before 9 to the end (index 3).
        assert_eq!(history.subset(&[1, 4, 6], &[0, 1, 2]).events, vec![event(1), event(2), event(3)]);
        assert_eq!(history.subset(&[1, 4, 6], &[1]).events, vec![event(2)]);
        assert!(!history.explains_fault("r", 9));
    }
}
