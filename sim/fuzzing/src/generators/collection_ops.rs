//! Collection operation sequences: opens of four slots (a map, a map of lists, a list of maps, a sorted
//! set) and of children, inserts, removes, pushes,
//! pops, lookups and cursor steps, commits and discards — over small keys so that they meet.

use arbitrary::{Result, Unstructured};
use svm::collection_state::Shape;

/// The shapes the operations open collections with: a map of 1-byte keys, a map of 2-byte keys, a
/// sorted set, a list, a map of lists and a list of maps of 1-byte keys.
pub const SHAPES: [(u32, u32, u32); 6] = [(1, 1, 0), (1, 2, 0), (3, 1, 0), (4, 8, 0), (1, 1, 1), (4, 8, 1)];

/// The shape a slot's collection has (fixed per slot, so that reopening finds it).
pub fn slot_shape(slot: u32) -> Shape {
    let (kind, width, values) = SHAPES[[0, 4, 5, 2][slot as usize % 4]];
    Shape::from_args(kind, width, values).unwrap_or_else(|| unreachable!("a valid shape"))
}

/// The shape a child of a collection whose values are collections has, by the parent's kind.
pub fn child_shape(parent: Shape) -> Shape {
    let (kind, width, values) =
        if parent.kind == svm::collection_state::CollectionKind::List { SHAPES[0] } else { SHAPES[3] };
    Shape::from_args(kind, width, values).unwrap_or_else(|| unreachable!("a valid shape"))
}

/// One operation. Handles are indices into the execution's table (unknown ones are skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CollectionOp {
    /// Open slot `slot`'s collection.
    Open { slot: u32 },
    /// Open (creating) the child at `key` of the collection with `handle`.
    OpenChild { handle: u32, key: u64 },
    /// Store `value` at `key`.
    Insert { handle: u32, key: u64, value: Vec<u8> },
    /// Remove `key`.
    Remove { handle: u32, key: u64 },
    /// Append `value` to a list.
    Push { handle: u32, value: Vec<u8> },
    /// Remove a list's last value.
    Pop { handle: u32 },
    /// Look `key` up.
    Get { handle: u32, key: u64 },
    /// The next key after `key` (from the start for `None`), below `bound`.
    Next { handle: u32, after: Option<u64>, bound: Option<u64> },
    /// End the execution, committing it.
    Commit,
    /// End the execution, discarding it.
    Discard,
}

/// At most `max` operations from `u`.
pub fn ops(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<CollectionOp>> {
    let mut ops = Vec::new();
    let key = |u: &mut Unstructured<'_>| -> Result<u64> { Ok(u64::from(u.int_in_range(0..=7u8)?)) };
    while ops.len() < max && !u.is_empty() {
        let handle = u.int_in_range(0..=5u32)?;
        ops.push(match u.int_in_range(0..=11u8)? {
            0 | 1 => CollectionOp::Open { slot: u.int_in_range(0..=3)? },
            2 => CollectionOp::OpenChild { handle, key: key(u)? },
            3..=5 => {
                let len = u.int_in_range(0..=12usize)?;
                CollectionOp::Insert { handle, key: key(u)?, value: u.bytes(len)?.to_vec() }
            }
            6 => CollectionOp::Remove { handle, key: key(u)? },
            7 => {
                let len = u.int_in_range(0..=8usize)?;
                CollectionOp::Push { handle, value: u.bytes(len)?.to_vec() }
            }
            8 => CollectionOp::Pop { handle },
            9 => CollectionOp::Get { handle, key: key(u)? },
            10 => {
                let after = if u.arbitrary()? { Some(key(u)?) } else { None };
                let bound = if u.arbitrary()? { Some(key(u)?) } else { None };
                CollectionOp::Next { handle, after, bound }
            }
            _ => {
                if u.arbitrary()? {
                    CollectionOp::Commit
                } else {
                    CollectionOp::Discard
                }
            }
        });
    }
    Ok(ops)
}
