//! The one place where the kv key space is divided: every layer's keys start with its own byte.

/// Page contents, keyed by page hash.
pub const PAGE: u8 = b'p';
/// Page-tree nodes (two child hashes), keyed by node hash.
pub const PAGE_TREE_NODE: u8 = b'n';

/// Contract code, keyed by code hash.
pub const CODE: u8 = b'c';
/// Encoded contract metadata (code size, layout, exports), keyed by its hash.
pub const META: u8 = b'm';
/// Account-trie nodes, keyed by node hash.
pub const ACCOUNT_NODE: u8 = b'a';

/// Collection-tree nodes (leaves and internal nodes), keyed by node hash.
pub const COLLECTION_NODE: u8 = b't';

/// A state root's two halves (account root ‖ event-store root), keyed by the root, for roots with live
/// events.
pub const STATE_PARTS: u8 = b'r';

/// The node's durable head (one key: this byte alone). Not content: never garbage-collected.
pub const HEAD: u8 = b'h';
/// The layer index: layer (u64 big-endian, so keys sort by layer) → the root committed at its end and
/// the transactions applied by then (u64 little-endian).
pub const LAYER: u8 = b'l';

/// The namespaces of content-addressed entries (what garbage collection may delete).
pub const CONTENT: [u8; 7] = [PAGE, PAGE_TREE_NODE, CODE, META, ACCOUNT_NODE, COLLECTION_NODE, STATE_PARTS];

/// The key `namespace ‖ id`.
pub fn key(namespace: u8, id: &[u8]) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + id.len());
    key.push(namespace);
    key.extend_from_slice(id);
    key
}
