//! Collections: unbounded, ordered, authenticated key-value structures whose whole contents are named
//! by one root that depends on the contents alone (history independence). This module holds the tree
//! they are all made of ([`tree`]); the vmcalls, the fixed-size state a page slice holds, nesting and
//! gas come on top of it.
//!
//! Not yet reachable: garbage collection and sync do not follow collection roots (nothing stores one
//! in a contract's state yet), so [`crate::storage::kv::namespace::COLLECTION_NODE`] is not among the
//! content namespaces a collection may delete.

pub mod tree;

pub use tree::{CollectionTree, Entry, MAX_KEY_WIDTH, Work};

use crate::Hash;
use crate::storage::kv::KvError;
use thiserror::Error;

/// Why a collection operation could not be done.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CollectionError {
    /// The kv store failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A key width outside 1 to [`MAX_KEY_WIDTH`] bytes.
    #[error("a collection key is 1 to {MAX_KEY_WIDTH} bytes wide, not {width}")]
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
}
