//! The module cache: compiled contracts kept between executions, never trusted blindly.

mod artifact;
mod cache;
mod key;

pub use artifact::{ArtifactStore, DirArtifactStore, MemArtifactStore, seal, unseal};
pub use cache::{CacheStats, CachedModule, ModuleCache, ModuleError};
pub use key::{ModuleKey, WASMER_VERSION};
