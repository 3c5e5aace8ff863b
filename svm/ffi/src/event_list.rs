//! The bytes `svm_events_query` hands out: a count, then each live event with its id, in id order.

use svm::storage::events::StoredEvent;

/// `u32le count ‖ count × (u64le layer ‖ u32le seq ‖ enc(Event))`, with `enc(Event)` the canonical event
/// encoding of `docs/consensus.md` (Events).
pub fn encode(events: &[StoredEvent]) -> Vec<u8> {
    let mut w = svm::codec::Writer::new();
    w.u32(u32::try_from(events.len()).unwrap_or(u32::MAX));
    for stored in events {
        w.u64(stored.id.layer);
        w.u32(stored.id.seq);
        stored.event.encode(&mut w);
    }
    w.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::Address;
    use svm::event::{Event, EventId};

    #[test]
    fn the_list_is_a_count_then_id_and_canonical_event_per_entry() {
        assert_eq!(encode(&[]), 0u32.to_le_bytes());
        let event = Event { contract: Address([7; 20]), topics: vec![[1; 32]], data: vec![9, 8], expires: 0x0102 };
        let listed = encode(&[StoredEvent { id: EventId { layer: 5, seq: 3 }, event: event.clone() }]);
        let mut want = 1u32.to_le_bytes().to_vec();
        want.extend_from_slice(&5u64.to_le_bytes());
        want.extend_from_slice(&3u32.to_le_bytes());
        want.extend_from_slice(&[7; 20]);
        want.push(1);
        want.extend_from_slice(&[1; 32]);
        want.extend_from_slice(&2u32.to_le_bytes());
        want.extend_from_slice(&[9, 8]);
        want.extend_from_slice(&0x0102u64.to_le_bytes());
        assert_eq!(listed, want);
        assert_eq!(&listed[16..], event.to_bytes().as_slice());
    }
}
