//! The key-value store: the lowest storage layer. Stateless: it knows nothing of contracts.

mod memory;
pub mod namespace;
mod redb;
mod tx_overlay;
mod write_batch;

pub use self::redb::{KV_FORMAT_VERSION, KvDurability, KvOpenError, RedbKv};
pub use memory::MemKv;
pub use tx_overlay::TxOverlay;
pub use write_batch::WriteBatch;

use thiserror::Error;

/// A byte-keyed store with point reads and atomic (all-or-nothing) write batches.
pub trait KvStore: Send + Sync {
    /// The value stored under `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError>;

    /// Applies every put and delete of `batch`, or none of them.
    fn write(&self, batch: WriteBatch) -> Result<(), KvError>;

    /// Makes every write so far durable: after it returns, a crash loses none of them. Stores that
    /// are not persistent (or make every write durable) have nothing to do.
    fn sync(&self) -> Result<(), KvError> {
        Ok(())
    }

    /// Every stored key that starts with `prefix`, in key order (garbage collection and tools).
    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError>;
}

/// A failure of the key-value store itself (never of the data a contract wrote).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KvError {
    /// The store's lock was poisoned by a panic elsewhere; the store can no longer be trusted.
    #[error("kv store lock poisoned")]
    Poisoned,
    /// The backend reported an I/O or engine failure.
    #[error("kv backend failure: {0}")]
    Backend(String),
}

impl<K: KvStore + ?Sized> KvStore for std::sync::Arc<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        (**self).get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        (**self).write(batch)
    }

    fn sync(&self) -> Result<(), KvError> {
        (**self).sync()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        (**self).keys_with_prefix(prefix)
    }
}
