//! Collections: unbounded, ordered, authenticated key-value structures whose whole contents are named
//! by one root that depends on the contents alone (history independence). [`tree`] is the structure
//! they are all made of; [`open_table`] is what one execution has open, and its commit; the vmcalls
//! over them are in `crate::vmcalls`, and the rules in `docs/consensus.md` (Collections).

pub mod open_table;
pub mod tree;

pub use open_table::{OpenCollections, Parent};
pub use tree::{CollectionTree, Entry, MAX_KEY_WIDTH, Work};

use crate::Hash;
use crate::storage::kv::KvError;
use crate::storage::page_slices::SliceError;
use thiserror::Error;

/// Why a collection operation could not be done.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CollectionError {
    /// The kv store failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A key width outside 1 to [`MAX_KEY_WIDTH`] bytes.
    #[error("a tree key is 1 to {MAX_KEY_WIDTH} bytes wide, not {width}")]
    KeyWidth {
        /// The width asked for.
        width: usize,
    },
    /// A key of another width than the collection's.
    #[error("the collection's keys are {expected} bytes, this one is {found}")]
    KeyLength {
        /// The collection's key width.
        expected: usize,
        /// The key's length.
        found: usize,
    },
    /// A node the root reaches is not in the store (unknown root, or a damaged store).
    #[error("collection node {0} is missing")]
    MissingNode(Hash),
    /// A stored node does not hash to its key, or does not decode for this key width.
    #[error("collection node {0} is corrupt")]
    CorruptNode(Hash),
    /// A stored value that should be a child collection's state is not one.
    #[error("a stored child collection state is corrupt")]
    CorruptState,
    /// A slot could not be written at commit.
    #[error(transparent)]
    Storage(#[from] SliceError),
    /// A child whose parent is no longer in the table (a bug).
    #[error("collection {handle} was committed before its child")]
    Orphan {
        /// The parent's handle.
        handle: u32,
    },
}
