//! Queries of the event store: the live events of a contract, optionally with a topic, emitted in a
//! layer range, in id order — a walk of the contract or topic index (node API, not consensus).

use super::{EventStore, EventStoreError};
use crate::Address;
use svm_core::event::{Event, EventId, Topic, keys};

/// Which live events to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventQuery {
    /// The emitting contract.
    pub contract: Address,
    /// Only events with this topic (at any position), when given.
    pub topic: Option<Topic>,
    /// The first emitting layer to list.
    pub from_layer: u64,
    /// The last emitting layer to list.
    pub to_layer: u64,
    /// The most events to list.
    pub limit: usize,
}

impl EventQuery {
    /// Every live event of `contract` (no topic, every layer, no limit).
    pub fn contract(contract: Address) -> EventQuery {
        EventQuery { contract, topic: None, from_layer: 0, to_layer: u64::MAX, limit: usize::MAX }
    }

    /// The same query, only events with `topic`.
    pub fn with_topic(mut self, topic: Topic) -> EventQuery {
        self.topic = Some(topic);
        self
    }

    /// The same query, only events emitted in `from ..= to`.
    pub fn in_layers(mut self, from: u64, to: u64) -> EventQuery {
        self.from_layer = from;
        self.to_layer = to;
        self
    }
}

/// A live event and where it sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its id: emitting layer and position.
    pub id: EventId,
    /// The event.
    pub event: Event,
}

impl EventStore {
    /// The live events `query` asks for, in id order.
    pub fn query(&mut self, query: &EventQuery) -> Result<Vec<StoredEvent>, EventStoreError> {
        let mut found = Vec::new();
        if query.from_layer > query.to_layer || query.limit == 0 || self.root().is_zero() {
            return Ok(found);
        }
        let start = EventId { layer: query.from_layer, seq: 0 };
        let (prefix_len, start_key) = match &query.topic {
            None => (1 + Address::LEN, keys::by_contract(&query.contract, start)),
            Some(topic) => (1 + Address::LEN + topic.len(), keys::by_topic(&query.contract, topic, start)),
        };
        let mut next = self.first_at_or_after(&start_key)?;
        while let Some((key, _)) = next {
            if key[..prefix_len] != start_key[..prefix_len] {
                break;
            }
            let id = keys::id_of(&key).ok_or_else(|| EventStoreError::Corrupt("an index key without an id".into()))?;
            if id.layer > query.to_layer {
                break;
            }
            let event = self
                .get(id)?
                .ok_or_else(|| EventStoreError::Corrupt(format!("index entry of {id:?} without a record")))?;
            found.push(StoredEvent { id, event });
            if found.len() >= query.limit {
                break;
            }
            next = self.tree.next_after(Some(&key))?;
        }
        Ok(found)
    }
}
