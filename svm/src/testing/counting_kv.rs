//! A kv wrapper that counts reads per key and written batches, for tests and simulator metrics.

use crate::storage::kv::{KvError, KvStore, WriteBatch};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Wraps a kv store and counts every `get` per key and every `write`.
#[derive(Debug, Default)]
pub struct CountingKv<K> {
    inner: K,
    counts: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    gets: BTreeMap<Vec<u8>, u64>,
    batches: u64,
}

impl<K: KvStore> CountingKv<K> {
    /// Wraps `inner` with all counters at zero.
    pub fn new(inner: K) -> CountingKv<K> {
        CountingKv { inner, counts: Mutex::default() }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &K {
        &self.inner
    }

    /// How many times each key was read since the last reset, in key order.
    pub fn reads_per_key(&self) -> BTreeMap<Vec<u8>, u64> {
        self.counts.lock().map(|c| c.gets.clone()).unwrap_or_default()
    }

    /// The total number of reads since the last reset.
    pub fn total_reads(&self) -> u64 {
        self.counts.lock().map(|c| c.gets.values().sum()).unwrap_or_default()
    }

    /// The number of batches written since the last reset.
    pub fn batches_written(&self) -> u64 {
        self.counts.lock().map(|c| c.batches).unwrap_or_default()
    }

    /// Sets every counter back to zero.
    pub fn reset(&self) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts = Counts::default();
        }
    }
}

impl<K: KvStore> KvStore for CountingKv<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        *self.counts.lock().map_err(|_| KvError::Poisoned)?.gets.entry(key.to_vec()).or_default() += 1;
        self.inner.get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        self.counts.lock().map_err(|_| KvError::Poisoned)?.batches += 1;
        self.inner.write(batch)
    }

    fn sync(&self) -> Result<(), KvError> {
        self.inner.sync()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        self.inner.keys_with_prefix(prefix)
    }
}
