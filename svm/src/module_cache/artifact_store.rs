//! Where serialized artifacts are kept between executions (and, on disk, between restarts).

use super::ModuleKey;

/// A store of sealed artifacts. Stores may lose, damage or mix up entries: [`super::unseal`] catches it.
pub trait ArtifactStore: Send + Sync {
    /// The sealed artifact stored under `key`, if any.
    fn get(&self, key: &ModuleKey) -> Option<Vec<u8>>;
    /// Stores a sealed artifact under `key` (best effort: a failed write only costs a recompile).
    fn put(&self, key: &ModuleKey, sealed: Vec<u8>);
}
