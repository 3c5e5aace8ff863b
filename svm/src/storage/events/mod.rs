//! The event store: every live event, in one collection tree under the state root, with a record per
//! event and indexes by expiry, contract and topic; pruned at layer boundaries (`docs/consensus.md`,
//! Events). [`query`] reads it.

pub mod query;

pub use query::{EventQuery, StoredEvent};

use super::collections::{CollectionError, CollectionTree, Entry};
use super::kv::{KvStore, WriteBatch};
use crate::Hash;
use std::sync::Arc;
use svm_core::event::{Event, EventId, keys};
use thiserror::Error;

/// Why the event store could not be read or changed. Node faults, never consensus outcomes.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EventStoreError {
    /// The tree could not be read.
    #[error(transparent)]
    Tree(#[from] CollectionError),
    /// An entry of the store is not what its key says.
    #[error("the event store is damaged: {0}")]
    Corrupt(String),
    /// A transaction of a layer before the one the store has events of.
    #[error("layer {layer} comes before layer {current}, whose events the store already holds")]
    LayerBehind {
        /// The transaction's layer.
        layer: u64,
        /// The counter's layer.
        current: u64,
    },
}

/// What a layer boundary removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Events removed (they expired before the layer).
    pub events: u64,
    /// Tree entries removed (records and index entries).
    pub entries: u64,
}

/// A view of the event store at a root, with the changes made through it not yet written.
pub struct EventStore {
    tree: CollectionTree,
}

impl EventStore {
    /// The store whose root is `root` (the zero hash: empty).
    pub fn open(kv: Arc<dyn KvStore>, root: Hash) -> Result<EventStore, EventStoreError> {
        Ok(EventStore { tree: CollectionTree::open(kv, root, keys::KEY_WIDTH)? })
    }

    /// The root, changes included.
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The layer boundary before `layer`: removes every event that expired before it (record and
    /// index entries) and a counter of an earlier layer. Idempotent. A layer before the counter's is
    /// refused: layers never go back.
    pub fn begin_layer(&mut self, layer: u64) -> Result<Pruned, EventStoreError> {
        let mut pruned = Pruned::default();
        if self.tree.root().is_zero() {
            return Ok(pruned);
        }
        if let Some((current, _)) = self.counter()?
            && current > layer
        {
            return Err(EventStoreError::LayerBehind { layer, current });
        }
        let from = keys::expiry(0, EventId { layer: 0, seq: 0 });
        // The smallest expiry entry each time: the first key at or after `from`.
        while let Some((key, _)) = self.first_at_or_after(&from)? {
            let Some(expires) = keys::expiry_of(&key) else { break };
            if expires >= layer {
                break;
            }
            let id = keys::id_of(&key).ok_or_else(|| EventStoreError::Corrupt("an expiry key without an id".into()))?;
            let record = self
                .tree
                .remove(&keys::record(id))?
                .ok_or_else(|| EventStoreError::Corrupt(format!("event {id:?} has an expiry entry but no record")))?;
            let event = Event::from_bytes(&record).map_err(|e| EventStoreError::Corrupt(e.to_string()))?;
            let mut removed = 1;
            for key in keys::index(&event, id) {
                self.tree
                    .remove(&key)?
                    .ok_or_else(|| EventStoreError::Corrupt(format!("event {id:?} lacks an index entry")))?;
                removed += 1;
            }
            pruned.events += 1;
            pruned.entries += removed;
        }
        if let Some((counter_layer, _)) = self.counter()?
            && counter_layer < layer
        {
            self.tree.remove(&keys::counter())?;
            pruned.entries += 1;
        }
        Ok(pruned)
    }

    /// Stores `events`, emitted in that order by one transaction of `layer`, under the next ids of the
    /// layer; returns their ids. The layer's boundary must have been passed.
    pub fn add(&mut self, layer: u64, events: &[Event]) -> Result<Vec<EventId>, EventStoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let first = match self.counter()? {
            Some((current, _)) if current > layer => return Err(EventStoreError::LayerBehind { layer, current }),
            Some((current, count)) if current == layer => count,
            _ => 0,
        };
        let mut ids = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let seq = u32::try_from(i).ok().and_then(|i| first.checked_add(i));
            let seq =
                seq.ok_or_else(|| EventStoreError::Corrupt(format!("layer {layer} has more than 2^32 events")))?;
            let id = EventId { layer, seq };
            if self.tree.insert(&keys::record(id), &event.to_bytes())?.is_some() {
                return Err(EventStoreError::Corrupt(format!("event {id:?} is stored already")));
            }
            for key in keys::index(event, id) {
                self.tree.insert(&key, &[])?;
            }
            ids.push(id);
        }
        let count = first + events.len() as u32;
        self.tree.insert(&keys::counter(), &keys::counter_value(layer, count))?;
        Ok(ids)
    }

    /// The counter: the layer of the last events stored and how many it has (`None`: no counter).
    pub fn counter(&mut self) -> Result<Option<(u64, u32)>, EventStoreError> {
        let Some(value) = self.tree.get(&keys::counter())? else { return Ok(None) };
        keys::parse_counter(&value)
            .map(Some)
            .ok_or_else(|| EventStoreError::Corrupt(format!("a counter of {} bytes", value.len())))
    }

    /// The event with id `id`, if it is live here.
    pub fn get(&mut self, id: EventId) -> Result<Option<Event>, EventStoreError> {
        let Some(bytes) = self.tree.get(&keys::record(id))? else { return Ok(None) };
        Event::from_bytes(&bytes).map(Some).map_err(|e| EventStoreError::Corrupt(e.to_string()))
    }

    /// The entry with the smallest key at or after `key`.
    fn first_at_or_after(&mut self, key: &[u8]) -> Result<Option<Entry>, EventStoreError> {
        if let Some(value) = self.tree.get(key)? {
            return Ok(Some((key.to_vec(), value)));
        }
        Ok(self.tree.next_after(Some(key))?)
    }

    /// Adds the nodes this view created to `batch`; returns the root.
    pub fn commit_into(self, batch: &mut WriteBatch) -> Hash {
        self.tree.commit_into(batch)
    }
}
