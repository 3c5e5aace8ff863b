//! Serialized artifacts: sealed with their key and an integrity hash, kept in an artifact store.

use super::ModuleKey;
use crate::Hash;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Marks a sealed artifact and its format version.
const MAGIC: &[u8; 8] = b"SVMART01";
const HEADER: usize = 8 + 32 + 32;

/// Where serialized artifacts are kept. Stores may lose, damage or mix up entries: [`unseal`] catches it.
pub trait ArtifactStore: Send + Sync {
    /// The sealed artifact stored under `key`, if any.
    fn get(&self, key: &ModuleKey) -> Option<Vec<u8>>;
    /// Stores a sealed artifact under `key` (best effort: a failed write only costs a recompile).
    fn put(&self, key: &ModuleKey, sealed: Vec<u8>);
}

/// Wraps `payload` with the magic, its key and its blake3 hash.
pub fn seal(key: &ModuleKey, payload: &[u8]) -> Vec<u8> {
    let mut sealed = Vec::with_capacity(HEADER + payload.len());
    sealed.extend_from_slice(MAGIC);
    sealed.extend_from_slice(key.0.as_bytes());
    sealed.extend_from_slice(blake3::hash(payload).as_bytes());
    sealed.extend_from_slice(payload);
    sealed
}

/// The payload of `sealed` if it is intact and was sealed for `key`; otherwise why not.
pub fn unseal<'a>(key: &ModuleKey, sealed: &'a [u8]) -> Result<&'a [u8], &'static str> {
    if sealed.len() < HEADER || &sealed[..8] != MAGIC {
        return Err("not a sealed artifact");
    }
    if sealed[8..40] != key.0.as_bytes()[..] {
        return Err("artifact sealed for another key");
    }
    let payload = &sealed[HEADER..];
    if Hash::from(blake3::hash(payload)).as_bytes()[..] != sealed[40..72] {
        return Err("artifact does not match its integrity hash");
    }
    Ok(payload)
}

/// Artifacts in memory.
#[derive(Default)]
pub struct MemArtifactStore {
    entries: Mutex<HashMap<ModuleKey, Vec<u8>>>,
}

impl MemArtifactStore {
    /// Applies `damage` to the artifact stored under `key` (for tests of the integrity checks).
    pub fn tamper(&self, key: &ModuleKey, damage: impl FnOnce(&mut Vec<u8>)) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(bytes) = entries.get_mut(key)
        {
            damage(bytes);
        }
    }

    /// The keys stored.
    pub fn keys(&self) -> Vec<ModuleKey> {
        let mut keys: Vec<ModuleKey> = self.entries.lock().map(|e| e.keys().copied().collect()).unwrap_or_default();
        keys.sort();
        keys
    }
}

impl ArtifactStore for MemArtifactStore {
    fn get(&self, key: &ModuleKey) -> Option<Vec<u8>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: &ModuleKey, sealed: Vec<u8>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(*key, sealed);
        }
    }
}

/// Artifacts as files in a directory, one per key, so that they survive a node restart.
pub struct DirArtifactStore {
    dir: PathBuf,
}

impl DirArtifactStore {
    /// A store in `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> std::io::Result<DirArtifactStore> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(DirArtifactStore { dir })
    }

    fn path(&self, key: &ModuleKey) -> PathBuf {
        self.dir.join(format!("{key}.svmart"))
    }
}

impl ArtifactStore for DirArtifactStore {
    fn get(&self, key: &ModuleKey) -> Option<Vec<u8>> {
        std::fs::read(self.path(key)).ok()
    }

    fn put(&self, key: &ModuleKey, sealed: Vec<u8>) {
        // Write then rename, so a crash never leaves half an artifact under the final name.
        let tmp = self.dir.join(format!("{key}.tmp"));
        if std::fs::write(&tmp, sealed).is_ok() {
            let _ = std::fs::rename(tmp, self.path(key));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseal_accepts_only_intact_artifacts_for_their_key() {
        let key = ModuleKey(Hash([1; 32]));
        let sealed = seal(&key, b"payload");
        assert_eq!(unseal(&key, &sealed), Ok(&b"payload"[..]));
        assert_eq!(unseal(&ModuleKey(Hash([2; 32])), &sealed), Err("artifact sealed for another key"));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(unseal(&key, &flipped), Err("artifact does not match its integrity hash"));
        assert_eq!(unseal(&key, &sealed[..10]), Err("not a sealed artifact"));
        assert_eq!(unseal(&key, b""), Err("not a sealed artifact"));
    }

    #[test]
    fn dir_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("svm-artifacts-{}", std::process::id()));
        let store = DirArtifactStore::new(&dir).unwrap();
        let key = ModuleKey(Hash([3; 32]));
        assert_eq!(store.get(&key), None);
        store.put(&key, vec![1, 2, 3]);
        assert_eq!(store.get(&key), Some(vec![1, 2, 3]));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
