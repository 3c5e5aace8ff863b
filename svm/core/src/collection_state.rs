//! A collection's fixed-size state — what a collection slot (or a parent collection's value) holds —
//! and the collection rules both implementations share as data (`docs/consensus.md`, Collections).
//!
//! `state = u8 kind ‖ u8 key_width ‖ u8 value_kind ‖ 5 zero bytes ‖ u64le length ‖ root`; all zero is
//! "no collection yet".

use crate::Hash;
use crate::layout::COLLECTION_STATE_LEN;

/// The bytes of a state.
pub const STATE_LEN: usize = COLLECTION_STATE_LEN as usize;
/// The most collections one execution may have open.
pub const MAX_OPEN_COLLECTIONS: usize = 64;
/// The deepest nesting: a slot's collection is at depth 1.
pub const MAX_COLLECTION_DEPTH: u32 = 4;
/// The longest byte value a map or list may hold.
pub const MAX_COLLECTION_VALUE_BYTES: u32 = 1024;
/// The widest key.
pub const MAX_KEY_WIDTH: u8 = 32;
/// A list's key width: its indices as u64 big-endian.
pub const LIST_KEY_WIDTH: u8 = 8;
/// The pointer argument meaning "none" (`collection_next`'s `after_ptr` and `bound_ptr`).
pub const NONE_PTR: u32 = u32::MAX;

/// What kind of collection a state names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CollectionKind {
    /// Keys to byte values (or to child collections).
    Map,
    /// Keys only.
    Set,
    /// Keys only, meant for range queries (stored like a set).
    SortedSet,
    /// Values by index `0 … length − 1`.
    List,
}

impl CollectionKind {
    /// The kind's code in a state.
    pub fn code(self) -> u8 {
        match self {
            CollectionKind::Map => 1,
            CollectionKind::Set => 2,
            CollectionKind::SortedSet => 3,
            CollectionKind::List => 4,
        }
    }

    /// The kind with `code`.
    pub fn from_code(code: u32) -> Option<CollectionKind> {
        Some(match code {
            1 => CollectionKind::Map,
            2 => CollectionKind::Set,
            3 => CollectionKind::SortedSet,
            4 => CollectionKind::List,
            _ => return None,
        })
    }

    /// The name the docs use.
    pub fn name(self) -> &'static str {
        match self {
            CollectionKind::Map => "map",
            CollectionKind::Set => "set",
            CollectionKind::SortedSet => "sorted-set",
            CollectionKind::List => "list",
        }
    }

    /// Whether values are empty (a set or sorted-set).
    pub fn keys_only(self) -> bool {
        matches!(self, CollectionKind::Set | CollectionKind::SortedSet)
    }
}

/// What a collection's values are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueKind {
    /// Byte strings.
    Bytes,
    /// Child collections' states.
    Collection,
}

impl ValueKind {
    /// The value kind's code in a state.
    pub fn code(self) -> u8 {
        match self {
            ValueKind::Bytes => 0,
            ValueKind::Collection => 1,
        }
    }
}

/// A collection's type: kind, key width and value kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shape {
    /// Map, set, sorted-set or list.
    pub kind: CollectionKind,
    /// Bytes per key.
    pub key_width: u8,
    /// Byte values or child collections.
    pub values: ValueKind,
}

impl Shape {
    /// The shape the three vmcall arguments name, if it is valid.
    pub fn from_args(kind: u32, key_width: u32, value_kind: u32) -> Option<Shape> {
        let kind = CollectionKind::from_code(kind)?;
        let key_width = u8::try_from(key_width).ok().filter(|w| (1..=MAX_KEY_WIDTH).contains(w))?;
        let values = match value_kind {
            0 => ValueKind::Bytes,
            1 => ValueKind::Collection,
            _ => return None,
        };
        let shape = Shape { kind, key_width, values };
        shape.is_valid().then_some(shape)
    }

    /// The shape rules: a list's keys are 8 bytes; a set's and sorted-set's values are bytes (empty).
    pub fn is_valid(&self) -> bool {
        (1..=MAX_KEY_WIDTH).contains(&self.key_width)
            && (self.kind != CollectionKind::List || self.key_width == LIST_KEY_WIDTH)
            && (!self.kind.keys_only() || self.values == ValueKind::Bytes)
    }

    /// The longest byte value this shape takes.
    pub fn max_value_bytes(&self) -> u32 {
        if self.kind.keys_only() { 0 } else { MAX_COLLECTION_VALUE_BYTES }
    }
}

/// A collection's state: its shape, how many entries it has and the root of their tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CollectionState {
    /// Its type.
    pub shape: Shape,
    /// Entries.
    pub length: u64,
    /// The collection tree's root (zero when empty).
    pub root: Hash,
}

impl CollectionState {
    /// An empty collection of `shape`.
    pub fn empty(shape: Shape) -> CollectionState {
        CollectionState { shape, length: 0, root: Hash::ZERO }
    }

    /// The state's 48 bytes.
    pub fn encode(&self) -> [u8; STATE_LEN] {
        let mut bytes = [0; STATE_LEN];
        bytes[0] = self.shape.kind.code();
        bytes[1] = self.shape.key_width;
        bytes[2] = self.shape.values.code();
        bytes[8..16].copy_from_slice(&self.length.to_le_bytes());
        bytes[16..].copy_from_slice(self.root.as_bytes());
        bytes
    }

    /// The state in `bytes`: `Ok(None)` for all zero (no collection yet), `Err` for bytes no state
    /// encodes to (a wrong length, an invalid shape, non-zero reserved bytes, a root that disagrees with
    /// the length).
    pub fn decode(bytes: &[u8]) -> Result<Option<CollectionState>, BadState> {
        if bytes.len() != STATE_LEN {
            return Err(BadState);
        }
        if bytes.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        let shape = Shape::from_args(bytes[0].into(), bytes[1].into(), bytes[2].into()).ok_or(BadState)?;
        let length = u64::from_le_bytes(bytes[8..16].try_into().map_err(|_| BadState)?);
        let root = Hash::from_slice(&bytes[16..]).ok_or(BadState)?;
        if bytes[3..8].iter().any(|&b| b != 0) || (length == 0) != root.is_zero() {
            return Err(BadState);
        }
        Ok(Some(CollectionState { shape, length, root }))
    }
}

/// Bytes that are not a collection state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a collection state")]
pub struct BadState;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_zero_is_no_collection() {
        let shape = Shape::from_args(4, 8, 1).unwrap();
        let state = CollectionState { shape, length: 3, root: Hash([9; 32]) };
        assert_eq!(CollectionState::decode(&state.encode()), Ok(Some(state)));
        assert_eq!(CollectionState::decode(&[0; STATE_LEN]), Ok(None));
        let empty = CollectionState::empty(shape).encode();
        assert_eq!(CollectionState::decode(&empty), Ok(Some(CollectionState::empty(shape))));
        let mut reserved = state.encode();
        reserved[5] = 1;
        assert_eq!(CollectionState::decode(&reserved), Err(BadState));
        let mut lying = state.encode();
        lying[8..16].copy_from_slice(&0u64.to_le_bytes());
        assert_eq!(CollectionState::decode(&lying), Err(BadState));
        assert_eq!(CollectionState::decode(&[1; 47]), Err(BadState));
    }

    #[test]
    fn the_shape_rules() {
        assert!(Shape::from_args(1, 32, 1).is_some());
        assert!(Shape::from_args(1, 33, 0).is_none(), "keys are at most 32 bytes");
        assert!(Shape::from_args(1, 0, 0).is_none());
        assert!(Shape::from_args(4, 4, 0).is_none(), "list keys are 8 bytes");
        assert!(Shape::from_args(2, 4, 1).is_none(), "a set holds no collections");
        assert!(Shape::from_args(3, 4, 2).is_none());
        assert!(Shape::from_args(5, 4, 0).is_none());
        assert_eq!(Shape::from_args(2, 4, 0).unwrap().max_value_bytes(), 0);
    }
}
