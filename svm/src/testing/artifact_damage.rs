//! Damaging stored artifacts, for tests of the module cache's integrity checks.

use crate::module_cache::{MemArtifactStore, ModuleKey};

impl MemArtifactStore {
    /// Applies `damage` to the artifact stored under `key`.
    pub fn tamper(&self, key: &ModuleKey, damage: impl FnOnce(&mut Vec<u8>)) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(mut bytes) = entries.remove(key)
        {
            damage(&mut bytes);
            let weight = bytes.len() as u64;
            entries.insert(*key, bytes, weight);
        }
    }

    /// The keys stored, in order.
    pub fn keys(&self) -> Vec<ModuleKey> {
        let mut keys: Vec<ModuleKey> = self.entries.lock().map(|e| e.keys().copied().collect()).unwrap_or_default();
        keys.sort();
        keys
    }
}
