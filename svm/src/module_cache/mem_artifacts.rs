//! Artifacts in memory, bounded in bytes, least recently used evicted first.

use super::lru::Lru;
use super::{ArtifactStore, ModuleKey};
use std::sync::Mutex;

/// The default budget of an in-memory artifact store.
pub const DEFAULT_ARTIFACT_BYTES: u64 = 256 << 20;

/// Sealed artifacts in memory, at most a budget of bytes of them.
pub struct MemArtifactStore {
    pub(crate) entries: Mutex<Lru<ModuleKey, Vec<u8>>>,
}

impl MemArtifactStore {
    /// An empty store holding at most `max_bytes` of artifacts (always at least the newest one).
    pub fn new(max_bytes: u64) -> MemArtifactStore {
        MemArtifactStore { entries: Mutex::new(Lru::new(max_bytes)) }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> u64 {
        self.entries.lock().map_or(0, |e| e.weight())
    }

    /// Artifacts evicted so far to stay within the budget.
    pub fn evictions(&self) -> u64 {
        self.entries.lock().map_or(0, |e| e.evictions())
    }
}

impl Default for MemArtifactStore {
    fn default() -> MemArtifactStore {
        MemArtifactStore::new(DEFAULT_ARTIFACT_BYTES)
    }
}

impl ArtifactStore for MemArtifactStore {
    fn get(&self, key: &ModuleKey) -> Option<Vec<u8>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: &ModuleKey, sealed: Vec<u8>) {
        if let Ok(mut entries) = self.entries.lock() {
            let weight = sealed.len() as u64;
            entries.insert(*key, sealed, weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Hash;

    #[test]
    fn stays_within_its_byte_budget() {
        let store = MemArtifactStore::new(100);
        for i in 0..5u8 {
            store.put(&ModuleKey(Hash([i; 32])), vec![i; 40]);
        }
        assert_eq!((store.bytes(), store.evictions()), (80, 3));
        assert_eq!(store.get(&ModuleKey(Hash([4; 32]))), Some(vec![4; 40]));
        assert_eq!(store.get(&ModuleKey(Hash([0; 32]))), None);
    }
}
