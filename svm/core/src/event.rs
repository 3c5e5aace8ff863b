//! Structured events: what `event_emit` records — the emitting contract, up to four 32-byte topics, a
//! data payload and the last layer the event is live in — and the keys of the event store, the
//! collection tree that holds every live event under the state root (`docs/consensus.md`, Events).

use crate::Address;
use crate::codec::{CodecError, Reader, Writer};

/// The most topics one event has.
pub const MAX_EVENT_TOPICS: u32 = 4;
/// The bytes of one topic.
pub const TOPIC_LEN: usize = 32;
/// The longest data payload.
pub const MAX_EVENT_DATA_BYTES: u32 = 512;
/// The longest expiry, in layers after the one the event is emitted in (0: that layer only).
pub const MAX_EVENT_EXPIRY: u32 = 1024;
/// The most events one execution emits.
pub const MAX_EVENTS: u32 = 16;

/// A topic: 32 bytes a query can match exactly.
pub type Topic = [u8; TOPIC_LEN];

/// One event, as a receipt carries it and the event store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// The contract that emitted it.
    pub contract: Address,
    /// Its topics, in the order emitted (at most [`MAX_EVENT_TOPICS`]).
    pub topics: Vec<Topic>,
    /// Its payload (at most [`MAX_EVENT_DATA_BYTES`]).
    pub data: Vec<u8>,
    /// The last layer it is live in: the emitting layer plus the expiry.
    pub expires: u64,
}

impl Event {
    /// The canonical encoding: `address ‖ u8 topic_count ‖ topics ‖ bytes data ‖ u64le expires`.
    pub fn encode(&self, w: &mut Writer) {
        w.address(&self.contract);
        w.u8(self.topics.len() as u8);
        for topic in &self.topics {
            w.raw(topic);
        }
        w.bytes(&self.data);
        w.u64(self.expires);
    }

    /// The encoding alone.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_bytes()
    }

    /// Reads one event.
    pub fn decode(r: &mut Reader<'_>) -> Result<Event, CodecError> {
        let contract = r.address("event contract")?;
        let count = r.u8("event topic count")?;
        if u32::from(count) > MAX_EVENT_TOPICS {
            return Err(CodecError::TooLong { what: "event topics", len: count.into(), max: MAX_EVENT_TOPICS.into() });
        }
        let topics = (0..count)
            .map(|_| r.raw(TOPIC_LEN, "event topic").map(|t| t.try_into().unwrap_or([0; TOPIC_LEN])))
            .collect::<Result<_, _>>()?;
        let data = r.bytes(MAX_EVENT_DATA_BYTES, "event data")?;
        let expires = r.u64("event expiry")?;
        Ok(Event { contract, topics, data, expires })
    }

    /// Reads an event that is the whole of `bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Event, CodecError> {
        let mut r = Reader::new(bytes);
        let event = Event::decode(&mut r)?;
        r.finish()?;
        Ok(event)
    }

    /// Its distinct topics, in first-emitted order (the topic index holds each once).
    pub fn distinct_topics(&self) -> Vec<Topic> {
        let mut seen = Vec::with_capacity(self.topics.len());
        for topic in &self.topics {
            if !seen.contains(topic) {
                seen.push(*topic);
            }
        }
        seen
    }
}

/// Where an event sits in the store: the layer it was emitted in and its position among that layer's
/// events (in transaction order, then emission order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    /// The emitting layer.
    pub layer: u64,
    /// Its position among the layer's events, from 0.
    pub seq: u32,
}

impl EventId {
    /// `u64be layer ‖ u32be seq`: keys sort by layer, then position.
    pub fn to_bytes(self) -> [u8; 12] {
        let mut out = [0; 12];
        out[..8].copy_from_slice(&self.layer.to_be_bytes());
        out[8..].copy_from_slice(&self.seq.to_be_bytes());
        out
    }

    /// The id in `bytes` (12 bytes).
    pub fn from_bytes(bytes: &[u8]) -> Option<EventId> {
        let layer = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
        let seq = u32::from_be_bytes(bytes.get(8..12)?.try_into().ok()?);
        Some(EventId { layer, seq })
    }
}

/// The event store's keys: one collection tree, every key [`KEY_WIDTH`] bytes, zero-padded, its first
/// byte naming what the entry is.
pub mod keys {
    use super::{EventId, Topic};
    use crate::Address;

    /// The width of every key: tag, address, topic and id.
    pub const KEY_WIDTH: usize = 1 + Address::LEN + super::TOPIC_LEN + 12;
    /// `0x00 ‖ id` → the event's encoding.
    pub const RECORD: u8 = 0;
    /// `0x01 ‖ u64be expires ‖ id` → empty: pruning walks it from the smallest.
    pub const EXPIRY: u8 = 1;
    /// `0x02 ‖ contract ‖ id` → empty: queries by contract.
    pub const BY_CONTRACT: u8 = 2;
    /// `0x03 ‖ contract ‖ topic ‖ id` → empty: queries by contract and topic.
    pub const BY_TOPIC: u8 = 3;
    /// `0xFF` → `u64le layer ‖ u32le count`: events emitted so far in the current layer.
    pub const COUNTER: u8 = 0xFF;

    fn key(parts: &[&[u8]]) -> Vec<u8> {
        let mut key = Vec::with_capacity(KEY_WIDTH);
        for part in parts {
            key.extend_from_slice(part);
        }
        key.resize(KEY_WIDTH, 0);
        key
    }

    /// The record key of `id`.
    pub fn record(id: EventId) -> Vec<u8> {
        key(&[&[RECORD], &id.to_bytes()])
    }

    /// The expiry-index key of an event live through `expires`.
    pub fn expiry(expires: u64, id: EventId) -> Vec<u8> {
        key(&[&[EXPIRY], &expires.to_be_bytes(), &id.to_bytes()])
    }

    /// The contract-index key.
    pub fn by_contract(contract: &Address, id: EventId) -> Vec<u8> {
        key(&[&[BY_CONTRACT], &contract.0, &id.to_bytes()])
    }

    /// The topic-index key.
    pub fn by_topic(contract: &Address, topic: &Topic, id: EventId) -> Vec<u8> {
        key(&[&[BY_TOPIC], &contract.0, topic, &id.to_bytes()])
    }

    /// Every index entry's key of `event` under `id`: expiry, contract, one per distinct topic.
    pub fn index(event: &super::Event, id: EventId) -> Vec<Vec<u8>> {
        let mut keys = vec![expiry(event.expires, id), by_contract(&event.contract, id)];
        keys.extend(event.distinct_topics().iter().map(|topic| by_topic(&event.contract, topic, id)));
        keys
    }

    /// The counter's key.
    pub fn counter() -> Vec<u8> {
        key(&[&[COUNTER]])
    }

    /// The counter's value.
    pub fn counter_value(layer: u64, count: u32) -> Vec<u8> {
        let mut value = layer.to_le_bytes().to_vec();
        value.extend_from_slice(&count.to_le_bytes());
        value
    }

    /// The (layer, count) a counter value holds.
    pub fn parse_counter(value: &[u8]) -> Option<(u64, u32)> {
        let layer = u64::from_le_bytes(value.get(..8)?.try_into().ok()?);
        let count = u32::from_le_bytes(value.get(8..12)?.try_into().ok()?);
        (value.len() == 12).then_some((layer, count))
    }

    /// The id at the end of an index key of `tag` (`None` for a record or counter key, or a short key).
    pub fn id_of(key: &[u8]) -> Option<EventId> {
        let at = match *key.first()? {
            RECORD => 1,
            EXPIRY => 9,
            BY_CONTRACT => 1 + Address::LEN,
            BY_TOPIC => 1 + Address::LEN + super::TOPIC_LEN,
            _ => return None,
        };
        EventId::from_bytes(key.get(at..at + 12)?)
    }

    /// The expiry an expiry-index key names.
    pub fn expiry_of(key: &[u8]) -> Option<u64> {
        if key.first() != Some(&EXPIRY) {
            return None;
        }
        Some(u64::from_be_bytes(key.get(1..9)?.try_into().ok()?))
    }
}

/// The gas an event's retention and indexing cost, besides `event_emit`'s price: `EVENT_INDEX` per
/// index entry (record, expiry, contract, each distinct topic) plus one gas per
/// `EVENT_BYTE_LAYERS_PER_GAS` byte-layers kept (`docs/consensus.md`, Events).
pub fn retention_gas(distinct_topics: u32, data_len: u32, expiry: u32) -> u64 {
    use crate::gas::event_prices::{EVENT_BYTE_LAYERS_PER_GAS, EVENT_INDEX, EVENT_STORED_OVERHEAD};
    let entries = 3 + u64::from(distinct_topics);
    let stored = EVENT_STORED_OVERHEAD + u64::from(distinct_topics) * TOPIC_LEN as u64 + u64::from(data_len);
    EVENT_INDEX * entries + stored * (u64::from(expiry) + 1) / EVENT_BYTE_LAYERS_PER_GAS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_round_trips_and_a_bad_one_is_refused() {
        let event =
            Event { contract: Address([7; 20]), topics: vec![[1; 32], [2; 32]], data: vec![9; 40], expires: 77 };
        assert_eq!(Event::from_bytes(&event.to_bytes()).unwrap(), event);
        let mut five = event.clone();
        five.topics = vec![[0; 32]; 5];
        assert!(Event::from_bytes(&five.to_bytes()).is_err());
        let bytes = event.to_bytes();
        assert!(Event::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn keys_are_one_width_and_give_back_their_id() {
        let id = EventId { layer: 3, seq: 9 };
        let c = Address([5; 20]);
        for key in [keys::record(id), keys::expiry(10, id), keys::by_contract(&c, id), keys::by_topic(&c, &[4; 32], id)]
        {
            assert_eq!(key.len(), keys::KEY_WIDTH);
            assert_eq!(keys::id_of(&key), Some(id));
        }
        assert_eq!(keys::expiry_of(&keys::expiry(10, id)), Some(10));
        assert!(
            keys::record(EventId { layer: 1, seq: 0 })
                < keys::record(EventId { layer: 0, seq: 1 }).max(keys::record(id))
        );
        assert_eq!(keys::parse_counter(&keys::counter_value(6, 2)), Some((6, 2)));
    }

    #[test]
    fn retention_grows_with_bytes_and_layers() {
        assert_eq!(retention_gas(0, 0, 0), 3 * 300 + 64 / 8);
        assert!(retention_gas(1, 0, 0) > retention_gas(0, 0, 0));
        assert_eq!(retention_gas(4, 512, 1024) - 7 * 300, (64 + 128 + 512) * 1025 / 8);
    }
}
