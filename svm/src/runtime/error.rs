//! Node faults: the runtime cannot produce a trustworthy receipt. Never a consensus outcome.

use crate::module_cache::ModuleError;
use crate::state::StateError;
use thiserror::Error;

/// Why the runtime could not apply a transaction at all (the node must stop or repair, not continue).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RuntimeError {
    /// The state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// A stored contract could not be compiled.
    #[error(transparent)]
    Module(#[from] ModuleError),
    /// wasmer could not instantiate a validated module, or a vmcall hit a node fault.
    #[error("engine failure: {0}")]
    Engine(String),
    /// The store's head or layer index could not be read.
    #[error(transparent)]
    Head(#[from] crate::storage::head::HeadError),
    /// A sync from another store stopped (the new store has no head).
    #[error("sync: {0}")]
    Sync(#[from] crate::storage::sync::SyncError),
}

impl From<crate::storage::kv::KvError> for RuntimeError {
    fn from(e: crate::storage::kv::KvError) -> RuntimeError {
        RuntimeError::State(e.into())
    }
}

impl From<crate::storage::pages::PagesError> for RuntimeError {
    fn from(e: crate::storage::pages::PagesError) -> RuntimeError {
        RuntimeError::State(e.into())
    }
}
