//! The module cache: off, in memory, or serialized artifacts reloaded (and checked) on every use.

use super::lru::Lru;
use super::{ArtifactStore, MemArtifactStore, ModuleKey, seal, unseal};
use crate::runtime::config::{CacheMode, RuntimeConfig};
use crate::runtime::engine;
use crate::validation::{ValidationError, validate};
use std::sync::Arc;
use wasmer::{Engine, Module};

/// A compiled module and the engine that runs it.
#[derive(Clone)]
pub struct CachedModule {
    /// The engine to build stores from.
    pub engine: Engine,
    /// The module.
    pub module: Module,
}

/// What the cache has done, for tests and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Modules served without compiling.
    pub hits: u64,
    /// Modules compiled.
    pub compiles: u64,
    /// Stored artifacts refused (damaged, mismatched or undeserializable) and recompiled.
    pub rejected_artifacts: u64,
    /// Compiled modules dropped from memory to stay within the cache's bound.
    pub evictions: u64,
}

/// Why a module could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// The code no longer passes validation (the limits changed since it was deployed).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// wasmer failed to compile code that passed validation: a VM bug.
    #[error("compilation failed: {0}")]
    Compile(String),
    /// A stored artifact was rejected and the node gave up instead of recompiling (only with the
    /// `corrupt-artifact-faults` canary planted: a real node always recompiles).
    #[error("stored artifact rejected: {0}")]
    ArtifactRejected(&'static str),
}

/// Compiled modules by key, kept according to the cache mode; in memory at most a bounded number of
/// them, least recently used evicted first.
pub struct ModuleCache {
    mode: CacheMode,
    memory: Lru<ModuleKey, CachedModule>,
    artifacts: Arc<dyn ArtifactStore>,
    stats: CacheStats,
}

impl ModuleCache {
    /// A cache in `mode` keeping at most `modules` compiled modules in memory and its serialized
    /// artifacts in memory, at most `artifact_bytes` of them.
    pub fn new(mode: CacheMode, modules: usize, artifact_bytes: u64) -> ModuleCache {
        ModuleCache::with_store(mode, modules, Arc::new(MemArtifactStore::new(artifact_bytes)))
    }

    /// A cache in `mode` keeping at most `modules` compiled modules in memory and its serialized
    /// artifacts in `artifacts`.
    pub fn with_store(mode: CacheMode, modules: usize, artifacts: Arc<dyn ArtifactStore>) -> ModuleCache {
        ModuleCache { mode, memory: Lru::new(modules as u64), artifacts, stats: CacheStats::default() }
    }

    /// What the cache has done so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats { evictions: self.memory.evictions(), ..self.stats }
    }

    /// The module for `code` (whose hash gives `key`), from the cache or freshly compiled.
    pub fn get(&mut self, key: ModuleKey, code: &[u8], config: &RuntimeConfig) -> Result<CachedModule, ModuleError> {
        Ok(self.get_with_origin(key, code, config)?.0)
    }

    /// Like [`ModuleCache::get`], and whether the module came from the cache (`true`) or was compiled.
    pub fn get_with_origin(
        &mut self,
        key: ModuleKey,
        code: &[u8],
        config: &RuntimeConfig,
    ) -> Result<(CachedModule, bool), ModuleError> {
        match self.mode {
            CacheMode::Off => Ok((self.compile(code, config)?, false)),
            CacheMode::Memory => {
                if let Some(cached) = self.memory.get(&key) {
                    self.stats.hits += 1;
                    return Ok((cached.clone(), true));
                }
                let compiled = self.compile(code, config)?;
                self.memory.insert(key, compiled.clone(), 1);
                Ok((compiled, false))
            }
            CacheMode::Serialized => {
                if let Some(sealed) = self.artifacts.get(&key) {
                    match self.reload(&key, &sealed, config) {
                        Ok(cached) => {
                            self.stats.hits += 1;
                            return Ok((cached, true));
                        }
                        Err(why) => {
                            self.stats.rejected_artifacts += 1;
                            #[cfg(feature = "canaries")]
                            if config.canary == Some(crate::runtime::Canary::CorruptArtifactFaults) {
                                return Err(ModuleError::ArtifactRejected(why));
                            }
                            let _ = why;
                        }
                    }
                }
                let compiled = self.compile(code, config)?;
                if let Ok(bytes) = compiled.module.serialize() {
                    self.artifacts.put(&key, seal(&key, &bytes));
                }
                Ok((compiled, false))
            }
        }
    }

    fn compile(&mut self, code: &[u8], config: &RuntimeConfig) -> Result<CachedModule, ModuleError> {
        // Deploy judged the code size (of a linked contract: its parts', not the merged module's, whose length
        // depends on its encoding); here validation finds the frame weights and guards against a linker bug.
        let limits = crate::Limits { max_code_bytes: usize::MAX, ..config.limits.clone() };
        let validated = validate(code, &limits)?;
        let (engine, module) = engine::compile(code, &validated, config).map_err(ModuleError::Compile)?;
        self.stats.compiles += 1;
        Ok(CachedModule { engine, module })
    }

    /// The module in a sealed artifact, if the artifact is intact, for this key, and deserializes;
    /// otherwise why not.
    fn reload(&self, key: &ModuleKey, sealed: &[u8], config: &RuntimeConfig) -> Result<CachedModule, &'static str> {
        #[cfg(feature = "canaries")]
        let key = &match config.canary {
            // The canary believes whatever key the artifact names.
            Some(crate::runtime::Canary::StaleArtifactTrusted) => super::seal::sealed_key(sealed).unwrap_or(*key),
            _ => *key,
        };
        let payload = unseal(key, sealed)?;
        // A fresh engine per reload: an engine keeps the code memory of every module it ever loaded
        // until it is dropped, so one long-lived engine would map code until mprotect fails and
        // wasmer panics (seen after ~30k reloads; see tests/module_cache.rs).
        let engine = engine::headless(config.native_stack());
        // SAFETY: the payload is byte-for-byte what `Module::serialize` produced for this exact key
        // (same code, compiler, instrumentation and wasmer version): its blake3 hash was checked above.
        let module =
            unsafe { Module::deserialize(&engine, payload.to_vec()) }.map_err(|_| "artifact does not deserialize")?;
        Ok(CachedModule { engine, module })
    }
}
