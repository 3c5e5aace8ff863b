//! Events: structured records with up to four 32-byte topics and at most 512 bytes of data, kept in
//! the chain's event store for `expiry` more layers after the current one (at most 1,024) and then
//! pruned; at most 16 per execution. Nodes answer queries by contract and topic; contracts cannot read
//! events back — what must last belongs in storage. A failed call emits none of its events.

use crate::vmcalls;

/// One topic: 32 bytes a query matches exactly.
pub type Topic = [u8; 32];

/// The longest expiry, in layers.
pub const MAX_EXPIRY: u32 = 1024;

/// Emits an event with `topics` (at most 4) and `data`, live through the current layer + `expiry`.
/// Out-of-range arguments make the call fail with the matching host error.
pub fn emit(topics: &[Topic], data: &[u8], expiry: u32) {
    unsafe {
        vmcalls::event_emit(topics.as_ptr() as *const u8, topics.len() as u32, data.as_ptr(), data.len() as u32, expiry)
    }
}

/// A topic from a short name: its bytes, zero-padded (a name longer than 32 bytes is cut).
pub fn topic(name: &[u8]) -> Topic {
    let mut topic = [0; 32];
    let len = if name.len() < 32 { name.len() } else { 32 };
    topic[..len].copy_from_slice(&name[..len]);
    topic
}

/// A topic holding an address (its 20 bytes, zero-padded).
pub fn address_topic(address: &crate::Address) -> Topic {
    topic(&address.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_zero_padded_and_cut_at_32_bytes() {
        assert_eq!(&topic(b"transfer")[..8], b"transfer");
        assert!(topic(b"transfer")[8..].iter().all(|b| *b == 0));
        assert_eq!(topic(&[7; 40]), [7; 32]);
    }
}
