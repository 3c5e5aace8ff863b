//! Artifacts as files in a directory, so that they survive a node restart.

use super::{ArtifactStore, ModuleKey};
use std::path::PathBuf;

/// Artifacts as files in a directory, one per key, so that they survive a node restart.
pub struct DirArtifactStore {
    dir: PathBuf,
}

impl DirArtifactStore {
    /// A store in `dir` (created if missing).
    ///
    /// # Safety
    ///
    /// Artifacts are native code that the runtime maps executable and runs. Each is sealed with its
    /// key and a blake3 hash of its payload, which catches damage and mix-ups, but the seal is a
    /// checksum kept in the same file, not a proof of origin: anyone who can write to `dir` can plant
    /// an artifact that seals correctly and runs arbitrary code in the node. The caller must make sure
    /// that only this node can write to `dir`.
    pub unsafe fn new(dir: impl Into<PathBuf>) -> std::io::Result<DirArtifactStore> {
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
    use crate::Hash;

    #[test]
    fn dir_store_round_trips() {
        let dir = std::env::temp_dir().join(format!("svm-artifacts-{}", std::process::id()));
        // SAFETY: a fresh directory of this test process's own.
        let store = unsafe { DirArtifactStore::new(&dir) }.unwrap();
        let key = ModuleKey(Hash([3; 32]));
        assert_eq!(store.get(&key), None);
        store.put(&key, vec![1, 2, 3]);
        assert_eq!(store.get(&key), Some(vec![1, 2, 3]));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
