//! Garbage collection: deletes every stored content entry that no retained state root reaches.
//!
//! **Mark.** Every entry a retained root reaches ([`super::reach`]): the account-trie nodes; for each
//! contract account, its code, its metadata, and its page tree's chunks and non-zero pages. Every
//! node and chunk walked is checked against its hash, and every marked key must be in the store: a retained state that is already damaged stops the collection before anything is
//! deleted.
//!
//! **Sweep.** Every key in the five content namespaces that is not marked is deleted, in batches.
//! Only unmarked keys are ever deleted, so a crash after any number of batches leaves every retained
//! root whole, and running the collection again finishes the job. Keys outside the content namespaces
//! (chain heads, layers, anything else) are never read or deleted.
//!
//! The store must not be written while a collection runs: a commit could store again a key that the
//! sweep has already decided to delete.

use crate::Hash;
use crate::state::{StateError, StateRoot};
use crate::storage::kv::{KvError, KvStore, WriteBatch, namespace};
use crate::storage::reach::walk_reachable;
use std::collections::HashSet;
use thiserror::Error;

/// Deletes per kv write in [`collect_garbage`].
pub const DELETE_BATCH: usize = 10_000;

/// What a collection did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GcStats {
    /// Content keys a retained root reaches (all of them stored).
    pub kept: u64,
    /// Content keys deleted.
    pub deleted: u64,
}

/// Why a collection stopped.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum GcError {
    /// The kv store failed (during the sweep, some batches may have been written: harmless).
    #[error(transparent)]
    Kv(#[from] KvError),
    /// A retained root's state could not be walked (missing or corrupt node, chunk or metadata);
    /// nothing was deleted.
    #[error("retained root {root} cannot be walked: {source}")]
    Unreadable {
        /// The retained root.
        root: StateRoot,
        /// What failed.
        source: StateError,
    },
    /// A retained root reaches an entry the store does not hold (a damaged store); nothing was deleted.
    #[error("a retained root reaches key '{}' {id}, which the store does not hold", *namespace as char)]
    Missing {
        /// The key's namespace byte.
        namespace: u8,
        /// The rest of the key: the hash naming the entry.
        id: Hash,
    },
}

/// Deletes every content entry of `kv` that none of the `retained` roots reaches, [`DELETE_BATCH`]
/// deletes per write.
pub fn collect_garbage(kv: &dyn KvStore, retained: &[StateRoot]) -> Result<GcStats, GcError> {
    collect_garbage_in_batches(kv, retained, DELETE_BATCH)
}

/// [`collect_garbage`] with at most `batch` deletes per kv write (at least one).
pub fn collect_garbage_in_batches(kv: &dyn KvStore, retained: &[StateRoot], batch: usize) -> Result<GcStats, GcError> {
    let marked = mark(kv, retained)?;
    let mut stored = Vec::with_capacity(namespace::CONTENT.len());
    for ns in namespace::CONTENT {
        stored.push(kv.keys_with_prefix(&[ns])?);
    }
    let present: HashSet<&[u8]> = stored.iter().flatten().map(Vec::as_slice).collect();
    if let Some(missing) = marked.iter().find(|key| !present.contains(key.as_slice())) {
        let (namespace, id) = missing.split_first().unwrap_or((&0, &[]));
        return Err(GcError::Missing { namespace: *namespace, id: Hash::from_slice(id).unwrap_or_default() });
    }

    let mut stats = GcStats { kept: marked.len() as u64, deleted: 0 };
    let mut deletes = WriteBatch::new();
    for key in stored.into_iter().flatten() {
        if marked.contains(&key) {
            continue;
        }
        deletes.delete(key);
        if deletes.len() >= batch.max(1) {
            stats.deleted += deletes.len() as u64;
            kv.write(std::mem::take(&mut deletes))?;
        }
    }
    if !deletes.is_empty() {
        stats.deleted += deletes.len() as u64;
        kv.write(deletes)?;
    }
    Ok(stats)
}

/// The key of every content entry the `retained` roots reach.
fn mark(kv: &dyn KvStore, retained: &[StateRoot]) -> Result<HashSet<Vec<u8>>, GcError> {
    let mut marked = HashSet::new();
    walk_reachable(kv, retained, &mut |reached| marked.insert(reached.key()))
        .map_err(|e| GcError::Unreadable { root: e.root, source: e.source })?;
    Ok(marked)
}
