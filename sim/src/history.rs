//! Node history as data: what happens to a replica besides the transactions — restarts, crashes
//! (with torn writes), joining by sync from a snapshot, kv write failures, damaged and stale module
//! artifacts — as explicit events ("crash replica R before transaction N, keeping 40% of its unsynced
//! writes"), derived from the seed, recorded in reproducers, and moved or removed by the shrinker
//! together with the transactions, so that a divergence that depends on a node's history replays and
//! shrinks exactly.

use crate::node::{CacheName, KvName, NodeConfig};
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
    /// A crash of a replica on disk: of the writes since the last sync (the last layer's end), only
    /// the first `kept_permille`‰ of the batches survive (a torn tail); the node reopens its store at
    /// the durable head and applies again the transactions after it.
    Crash {
        /// The share of unsynced write batches that survive, in thousandths.
        kept_permille: u16,
    },
    /// The replica is replaced by a new node (new store, no artifacts, empty caches) that syncs the
    /// last completed layer from a snapshot of the old one's store, checking every entry, and then
    /// applies the transactions after it.
    Join,
    /// The next kv write fails: the node halts with a typed fault, restarts and applies the failed
    /// transaction again.
    KvWriteFailure,
    /// One stored module artifact (the `pick`-th, modulo how many there are) has a byte flipped: the
    /// node must detect it and recompile.
    ArtifactCorrupt {
        /// Which artifact, and which byte of it.
        pick: u32,
    },
    /// One stored module artifact is replaced by another module's (sealed for another key): the node
    /// must detect it and recompile, never run the other module.
    ArtifactStale {
        /// Which artifact.
        pick: u32,
    },
}

/// The kinds of fault a replica can be given, as configurations and the command line name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// [`NodeEventKind::Crash`] (replicas on disk only).
    Crash,
    /// [`NodeEventKind::Join`].
    Join,
    /// [`NodeEventKind::KvWriteFailure`].
    KvWriteFailure,
    /// [`NodeEventKind::ArtifactCorrupt`] (replicas with serialized artifacts only).
    ArtifactCorrupt,
    /// [`NodeEventKind::ArtifactStale`] (replicas with serialized artifacts only).
    ArtifactStale,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 5] = [
        FaultKind::Crash,
        FaultKind::Join,
        FaultKind::KvWriteFailure,
        FaultKind::ArtifactCorrupt,
        FaultKind::ArtifactStale,
    ];

    /// The kind's name, as configurations and the command line spell it.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Join => "join",
            FaultKind::KvWriteFailure => "kv-write-failure",
            FaultKind::ArtifactCorrupt => "artifact-corrupt",
            FaultKind::ArtifactStale => "artifact-stale",
        }
    }

    /// Whether a replica of `config` can undergo this fault.
    pub fn applies_to(self, config: &NodeConfig) -> bool {
        !config.is_reference()
            && match self {
                FaultKind::Crash => config.kv == KvName::Redb,
                FaultKind::Join | FaultKind::KvWriteFailure => true,
                FaultKind::ArtifactCorrupt | FaultKind::ArtifactStale => config.cache == CacheName::Serialized,
            }
    }

    /// The kind of `event`, if it is a fault.
    pub fn of(event: NodeEventKind) -> Option<FaultKind> {
        match event {
            NodeEventKind::Restart => None,
            NodeEventKind::Crash { .. } => Some(FaultKind::Crash),
            NodeEventKind::Join => Some(FaultKind::Join),
            NodeEventKind::KvWriteFailure => Some(FaultKind::KvWriteFailure),
            NodeEventKind::ArtifactCorrupt { .. } => Some(FaultKind::ArtifactCorrupt),
            NodeEventKind::ArtifactStale { .. } => Some(FaultKind::ArtifactStale),
        }
    }

    /// An event of this kind with its parameters drawn from `rng`.
    fn draw(self, rng: &mut ChaCha8Rng) -> NodeEventKind {
        match self {
            FaultKind::Crash => NodeEventKind::Crash { kept_permille: rng.random_range(0..=1000) },
            FaultKind::Join => NodeEventKind::Join,
            FaultKind::KvWriteFailure => NodeEventKind::KvWriteFailure,
            FaultKind::ArtifactCorrupt => NodeEventKind::ArtifactCorrupt { pick: rng.random() },
            FaultKind::ArtifactStale => NodeEventKind::ArtifactStale { pick: rng.random() },
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
    /// interval restarts after gaps drawn uniformly from 1 to twice that interval, and likewise for each
    /// fault kind it is given (each kind drawn from its own stream, so that adding one leaves the
    /// others where they were).
    pub fn derive(seed: u64, nodes: &[NodeConfig], txs: usize) -> History {
        let mut events = Vec::new();
        for node in nodes {
            let name_hash =
                u64::from_le_bytes(blake3::hash(node.name.as_bytes()).as_bytes()[..8].try_into().unwrap_or([0; 8]));
            let mut draw = |salt: u64, mean: u64, kind: Option<FaultKind>| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ name_hash ^ salt);
                let mut at = 0usize;
                loop {
                    at += rng.random_range(1..=(2 * mean).max(1)) as usize;
                    if at >= txs {
                        break;
                    }
                    let event = kind.map_or(NodeEventKind::Restart, |k| k.draw(&mut rng));
                    events.push(NodeEvent { before_tx: at, replica: node.name.clone(), event });
                }
            };
            if let Some(mean) = node.restart_mean.filter(|m| *m > 0) {
                draw(0x6869_7374_6f72_7921, mean, None);
            }
            for (&kind, &mean) in node.faults.iter().filter(|(_, m)| **m > 0) {
                draw(0x6661_756c_7400_0000 ^ (kind as u64 + 1), mean, Some(kind));
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

    /// How many events of each fault kind there are.
    pub fn fault_counts(&self) -> std::collections::BTreeMap<FaultKind, usize> {
        let mut counts = std::collections::BTreeMap::new();
        for kind in self.events.iter().filter_map(|e| FaultKind::of(e.event)) {
            *counts.entry(kind).or_insert(0) += 1;
        }
        counts
    }

    /// Checks the events against the replicas and the stream: every replica named exists and can
    /// undergo its events, and every event precedes a transaction of the stream or its end.
    pub fn check(&self, nodes: &[NodeConfig], txs: usize) -> Result<(), String> {
        for event in &self.events {
            let Some(node) = nodes.iter().find(|n| n.name == event.replica) else {
                return Err(format!("an event names replica {:?}, which is not among the replicas", event.replica));
            };
            if let Some(kind) = FaultKind::of(event.event).filter(|k| !k.applies_to(node)) {
                return Err(format!("replica {} cannot undergo a {kind:?} fault", node.name));
            }
            if node.is_reference() && event.event == NodeEventKind::Restart {
                return Err(format!("replica {} (the reference VM) has nothing to restart", node.name));
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
    }

    #[test]
    fn faults_come_only_to_replicas_that_can_undergo_them_and_adding_one_moves_no_other() {
        let nodes = crate::node::with_faults(default_nodes(), &FaultKind::ALL);
        let history = History::derive(7, &nodes, 5000);
        assert!(history.check(&nodes, 5000).is_ok());
        let counts = history.fault_counts();
        assert_eq!(counts.keys().copied().collect::<Vec<_>>(), FaultKind::ALL.to_vec(), "{counts:?}");
        for event in &history.events {
            let node = nodes.iter().find(|n| n.name == event.replica).unwrap();
            if let Some(kind) = FaultKind::of(event.event) {
                assert!(kind.applies_to(node) && node.faults.contains_key(&kind), "{event:?}");
            }
        }
        // Without crashes, every other event stays where it was.
        let fewer = crate::node::with_faults(default_nodes(), &[FaultKind::Join, FaultKind::KvWriteFailure]);
        let without = History::derive(7, &fewer, 5000);
        let kept: Vec<_> = history
            .events
            .iter()
            .filter(|e| matches!(FaultKind::of(e.event), None | Some(FaultKind::Join | FaultKind::KvWriteFailure)))
            .cloned()
            .collect();
        assert_eq!(without.events, kept);
        // A crash on a replica in memory is refused.
        let crash =
            NodeEvent { before_tx: 1, replica: "sp-off-big".into(), event: NodeEventKind::Crash { kept_permille: 0 } };
        assert!(History::new(vec![crash]).check(&nodes, 5000).unwrap_err().contains("cannot undergo"));
    }
}
