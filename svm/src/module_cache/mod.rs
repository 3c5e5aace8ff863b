//! The module cache: compiled contracts kept between executions, bounded, never trusted blindly.

mod artifact_store;
mod cache;
mod dir_artifacts;
mod key;
mod lru;
mod mem_artifacts;
mod seal;

pub use artifact_store::ArtifactStore;
pub use cache::{CacheStats, CachedModule, ModuleCache, ModuleError};
pub use dir_artifacts::DirArtifactStore;
pub use key::{ModuleKey, WASMER_VERSION};
pub use lru::Lru;
pub use mem_artifacts::{DEFAULT_ARTIFACT_BYTES, MemArtifactStore};
pub use seal::{seal, unseal};
