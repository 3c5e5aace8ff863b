//! The event store, from `docs/consensus.md` (Events): every live event and the layer counter, held
//! plainly; the store's entries are derived from them row by row as the rules' table lists them, and
//! its root is the reference's own `croot` over those entries (key width 65), recomputed whole.
//!
//! Nothing here is incremental: pruning drops whole events, and the entries (hence the root) are
//! rebuilt from the events whenever they change.

use crate::chain::collections::Collection;
use std::collections::{BTreeMap, BTreeSet};
use svm_core::event::{Event, EventId, Topic, keys};
use svm_core::{Address, Hash};

/// What is wrong with an event store, or with a transaction against it: a node error, never an outcome.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventStoreError {
    /// A transaction of `layer` after the store counted events of the later layer `current`: layers
    /// never go back, so a node refuses it.
    #[error("a transaction of layer {layer} after events of layer {current}")]
    LayerBehind {
        /// The transaction's layer.
        layer: u64,
        /// The counter's layer.
        current: u64,
    },
    /// More events in one layer than a u32 position counts.
    #[error("layer {layer} has more than 2^32 events")]
    LayerFull {
        /// The layer.
        layer: u64,
    },
    /// A store entry to load has a key that is no record, counter or index key of the right width.
    #[error("entry {key} is no event-store key")]
    BadKey {
        /// The key, in hex.
        key: String,
    },
    /// A record to load does not decode as an event.
    #[error("the record of event {id:?} does not decode: {error}")]
    BadRecord {
        /// Its id.
        id: EventId,
        /// The decoder's complaint.
        error: String,
    },
    /// The counter to load is not `u64le layer ‖ u32le count`.
    #[error("the counter holds {len} bytes, not 12")]
    BadCounter {
        /// Its length.
        len: usize,
    },
    /// The entries to load are not exactly those their records and counter give: an index entry is
    /// missing, has a value, or belongs to no record.
    #[error("entry {key} is {what}")]
    Mismatch {
        /// The key, in hex.
        key: String,
        /// Missing, extra or wrong.
        what: &'static str,
    },
}

/// A key or value in hex, for errors.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every live event by id, the counter, and the root of their entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventStore {
    events: BTreeMap<EventId, Event>,
    counter: Option<(u64, u32)>,
    root: Hash,
}

impl Default for EventStore {
    fn default() -> EventStore {
        EventStore::new()
    }
}

/// The entries one event adds, by the rules' table: its record, its expiry entry, its contract entry
/// and one topic entry per distinct topic (index values are empty).
fn event_entries(id: EventId, event: &Event) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut entries = vec![
        (keys::record(id), event.to_bytes()),
        (keys::expiry(event.expires, id), Vec::new()),
        (keys::by_contract(&event.contract, id), Vec::new()),
    ];
    let distinct: BTreeSet<&Topic> = event.topics.iter().collect();
    entries.extend(distinct.into_iter().map(|topic| (keys::by_topic(&event.contract, topic, id), Vec::new())));
    entries
}

impl EventStore {
    /// An empty store (root `ZERO`).
    pub fn new() -> EventStore {
        EventStore { events: BTreeMap::new(), counter: None, root: Hash::ZERO }
    }

    /// Every entry of the store, as the rules' table lists them: each live event's rows and the counter.
    pub fn entries(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
        let mut entries: BTreeMap<Vec<u8>, Vec<u8>> =
            self.events.iter().flat_map(|(id, event)| event_entries(*id, event)).collect();
        if let Some((layer, count)) = self.counter {
            entries.insert(keys::counter(), keys::counter_value(layer, count));
        }
        entries
    }

    /// `croot` of the entries: `ZERO` while the store is empty.
    pub fn root(&self) -> Hash {
        self.root
    }

    /// Whether the store has no entry at all.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.counter.is_none()
    }

    /// The counter: the layer of the last events stored and how many that layer has.
    pub fn counter(&self) -> Option<(u64, u32)> {
        self.counter
    }

    /// The live event with id `id`.
    pub fn get(&self, id: EventId) -> Option<&Event> {
        self.events.get(&id)
    }

    /// Every live event, in id order.
    pub fn events(&self) -> impl Iterator<Item = (EventId, &Event)> {
        self.events.iter().map(|(id, event)| (*id, event))
    }

    fn rehash(&mut self) {
        let collection = Collection { width: keys::KEY_WIDTH, entries: self.entries() };
        self.root = collection.root();
    }

    /// Refuses a transaction of `layer` when the counter names a later layer.
    pub fn check_layer(&self, layer: u64) -> Result<(), EventStoreError> {
        match self.counter {
            Some((current, _)) if current > layer => Err(EventStoreError::LayerBehind { layer, current }),
            _ => Ok(()),
        }
    }

    /// The layer boundary before `layer`: removes every event with `expires < layer` (all its entries)
    /// and the counter if its layer is below `layer`. Idempotent. Returns how many events it removed.
    pub fn begin_layer(&mut self, layer: u64) -> usize {
        let before = self.events.len();
        self.events.retain(|_, event| event.expires >= layer);
        let removed = before - self.events.len();
        let counter_gone = matches!(self.counter, Some((current, _)) if current < layer);
        if counter_gone {
            self.counter = None;
        }
        if removed > 0 || counter_gone {
            self.rehash();
        }
        removed
    }

    /// Stores `events`, emitted in that order by one successful transaction of `layer` (whose boundary
    /// has passed), under ids `(layer, c + i)`, and sets the counter to `(layer, c + k)`; returns the ids.
    /// Nothing changes on an error.
    pub fn add(&mut self, layer: u64, events: &[Event]) -> Result<Vec<EventId>, EventStoreError> {
        self.check_layer(layer)?;
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let first = match self.counter {
            Some((current, count)) if current == layer => count,
            _ => 0,
        };
        let count = u32::try_from(events.len())
            .ok()
            .and_then(|k| first.checked_add(k))
            .ok_or(EventStoreError::LayerFull { layer })?;
        let ids: Vec<EventId> = (first..count).map(|seq| EventId { layer, seq }).collect();
        for (id, event) in ids.iter().zip(events) {
            self.events.insert(*id, event.clone());
        }
        self.counter = Some((layer, count));
        self.rehash();
        Ok(ids)
    }

    /// The live events of `contract`, with `topic` among their topics when given, emitted in a layer
    /// of `from_layer ..= to_layer`, in id order (a filter over every live event, not an index walk).
    pub fn query(
        &self,
        contract: &Address,
        topic: Option<&Topic>,
        from_layer: u64,
        to_layer: u64,
    ) -> Vec<(EventId, Event)> {
        self.events
            .iter()
            .filter(|(id, event)| {
                event.contract == *contract
                    && (from_layer..=to_layer).contains(&id.layer)
                    && topic.is_none_or(|t| event.topics.contains(t))
            })
            .map(|(id, event)| (*id, event.clone()))
            .collect()
    }

    /// The store whose entries are exactly `entries`: every record decodes, the counter parses, and the
    /// entries are precisely the rows the records and counter give (no index entry missing, extra or
    /// with a value).
    pub fn from_entries(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> Result<EventStore, EventStoreError> {
        let mut store = EventStore::new();
        for (key, value) in entries {
            if key.len() != keys::KEY_WIDTH {
                return Err(EventStoreError::BadKey { key: hex(key) });
            }
            if *key == keys::counter() {
                let counter = keys::parse_counter(value).ok_or(EventStoreError::BadCounter { len: value.len() })?;
                store.counter = Some(counter);
            } else if key[0] == keys::RECORD {
                let id = keys::id_of(key).ok_or_else(|| EventStoreError::BadKey { key: hex(key) })?;
                let event =
                    Event::from_bytes(value).map_err(|e| EventStoreError::BadRecord { id, error: e.to_string() })?;
                store.events.insert(id, event);
            }
        }
        let derived = store.entries();
        for (key, value) in &derived {
            match entries.get(key) {
                None => return Err(EventStoreError::Mismatch { key: hex(key), what: "missing" }),
                Some(given) if given != value => {
                    return Err(EventStoreError::Mismatch { key: hex(key), what: "not the value its record gives" });
                }
                Some(_) => {}
            }
        }
        if let Some(extra) = entries.keys().find(|key| !derived.contains_key(*key)) {
            return Err(EventStoreError::Mismatch { key: hex(extra), what: "no entry of any record or counter" });
        }
        store.rehash();
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(contract: u8, topics: &[u8], expires: u64) -> Event {
        Event {
            contract: Address([contract; 20]),
            topics: topics.iter().map(|t| [*t; 32]).collect(),
            data: vec![7],
            expires,
        }
    }

    #[test]
    fn an_event_has_its_rows_and_a_repeated_topic_is_indexed_once() {
        let mut store = EventStore::new();
        store.add(5, &[event(1, &[9, 9, 8], 6)]).unwrap();
        let entries = store.entries();
        // record, expiry, contract, two distinct topics, counter.
        assert_eq!(entries.len(), 6);
        assert!(entries.keys().all(|k| k.len() == 65));
        assert_eq!(entries[&keys::counter()], keys::counter_value(5, 1));
        assert_eq!(EventStore::from_entries(&entries).unwrap(), store);
    }

    #[test]
    fn loading_refuses_missing_extra_and_wrong_entries() {
        let mut store = EventStore::new();
        store.add(5, &[event(1, &[9], 6)]).unwrap();
        let entries = store.entries();
        let id = EventId { layer: 5, seq: 0 };
        let mut missing = entries.clone();
        missing.remove(&keys::by_topic(&Address([1; 20]), &[9; 32], id));
        assert!(matches!(EventStore::from_entries(&missing), Err(EventStoreError::Mismatch { what: "missing", .. })));
        let mut extra = entries.clone();
        extra.insert(keys::by_topic(&Address([1; 20]), &[3; 32], id), Vec::new());
        assert!(matches!(EventStore::from_entries(&extra), Err(EventStoreError::Mismatch { .. })));
        let mut valued = entries.clone();
        valued.insert(keys::expiry(6, id), vec![1]);
        assert!(matches!(EventStore::from_entries(&valued), Err(EventStoreError::Mismatch { .. })));
        let mut bad = entries.clone();
        bad.insert(keys::record(id), vec![1, 2]);
        assert!(matches!(EventStore::from_entries(&bad), Err(EventStoreError::BadRecord { .. })));
        let mut short = entries;
        short.insert(vec![0; 12], Vec::new());
        assert!(matches!(EventStore::from_entries(&short), Err(EventStoreError::BadKey { .. })));
    }

    #[test]
    fn ids_restart_in_a_new_layer_even_before_its_boundary() {
        let mut store = EventStore::new();
        assert_eq!(store.add(3, &[event(1, &[], 9), event(1, &[], 9)]).unwrap().len(), 2);
        assert_eq!(store.add(4, &[event(1, &[], 9)]).unwrap(), vec![EventId { layer: 4, seq: 0 }]);
        assert_eq!(store.counter(), Some((4, 1)));
        assert_eq!(store.add(4, &[]).unwrap(), vec![]);
        assert_eq!(store.counter(), Some((4, 1)), "no events, no counter change");
    }

    #[test]
    fn a_layer_behind_the_counter_is_refused_and_changes_nothing() {
        let mut store = EventStore::new();
        store.add(5, &[event(1, &[], 9)]).unwrap();
        let before = store.clone();
        assert_eq!(store.add(4, &[event(1, &[], 9)]), Err(EventStoreError::LayerBehind { layer: 4, current: 5 }));
        assert_eq!(store, before);
    }
}
