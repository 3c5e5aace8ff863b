//! Errors reading or writing the global state. These are node faults, never consensus outcomes.

use crate::Hash;
use crate::storage::kv::KvError;
use crate::storage::pages::PagesError;
use thiserror::Error;

/// The state could not be read or written: a damaged store or an unknown root.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum StateError {
    /// The kv store failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A trie node the root names is not in the kv store (unknown root, or a damaged store).
    #[error("account-trie node {0} is missing")]
    MissingNode(Hash),
    /// A stored trie node does not hash to its key or does not decode.
    #[error("account-trie node {0} is corrupt")]
    CorruptNode(Hash),
    /// Contract code or layout named by an account is missing or does not match its hash.
    #[error("contract {what} {hash} is missing or corrupt")]
    CorruptContract {
        /// "code" or "layout".
        what: &'static str,
        /// The hash the account names.
        hash: Hash,
    },
    /// The contract's pages could not be read or committed.
    #[error(transparent)]
    Pages(#[from] PagesError),
    /// A state root's stored split into account and event roots does not make that root.
    #[error("the parts of state root {0} are corrupt")]
    CorruptParts(Hash),
    /// The event store could not be read or changed.
    #[error(transparent)]
    Events(#[from] crate::storage::events::EventStoreError),
    /// A collection the contract's slots hold could not be read.
    #[error(transparent)]
    Collection(#[from] crate::storage::collections::CollectionError),
}
