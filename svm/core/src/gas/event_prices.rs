//! Event retention gas: what `event_emit` pays, besides its price, after its checks and before it
//! records the event (`docs/consensus.md`, Events).

/// Per entry the event store gains: the record, its expiry entry, its contract entry and one per
/// distinct topic.
pub const EVENT_INDEX: u64 = 300;
/// Bytes an event is counted for besides its topics and data (its id, contract and expiry).
pub const EVENT_STORED_OVERHEAD: u64 = 64;
/// Byte-layers of retention one gas buys: an event pays `stored bytes × (expiry + 1) / this`.
pub const EVENT_BYTE_LAYERS_PER_GAS: u64 = 8;

/// The event prices by name, for the schedule fingerprint and the docs.
pub const EVENT_PRICES: [(&str, u64); 3] = [
    ("event_index", EVENT_INDEX),
    ("event_stored_overhead", EVENT_STORED_OVERHEAD),
    ("event_byte_layers_per_gas", EVENT_BYTE_LAYERS_PER_GAS),
];
