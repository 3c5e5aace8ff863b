//! Node configuration: how one node runs contracts. Nodes with different configurations must agree.

#[cfg(feature = "canaries")]
use super::canary::Canary;
use crate::Limits;

/// The wasmer compiler a node uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Compiler {
    /// Fast compilation, linear code.
    Singlepass,
    /// Optimizing compiler.
    Cranelift,
}

/// How compiled modules are kept between executions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CacheMode {
    /// Compile on every execution.
    Off,
    /// Keep compiled modules in memory.
    Memory,
    /// Keep serialized artifacts (with an integrity hash) and deserialize them on every execution.
    Serialized,
}

/// Everything that may differ between nodes without changing any consensus result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The compiler.
    pub compiler: Compiler,
    /// The module cache.
    pub cache: CacheMode,
    /// How many clean pages one execution's page cache keeps.
    pub page_cache_capacity: usize,
    /// The most compiled modules the module cache keeps in memory (least recently used go first).
    pub module_cache_entries: usize,
    /// The most bytes of serialized artifacts the runtime's own in-memory artifact store keeps.
    pub artifact_cache_bytes: u64,
    /// The native stack each execution runs on; at least [`crate::limits::MIN_NATIVE_STACK_BYTES`]
    /// (smaller values are raised to it), since the VM's stack budget is promised to fit in that.
    pub native_stack_bytes: usize,
    /// The VM's limits. Unlike the rest, these are consensus rules: every node must use the same.
    pub limits: Limits,
    /// Deliberately planted nondeterminism, for testing the simulator only (feature `canaries`).
    #[cfg(feature = "canaries")]
    pub canary: Option<Canary>,
}

impl Default for RuntimeConfig {
    fn default() -> RuntimeConfig {
        RuntimeConfig {
            compiler: Compiler::Singlepass,
            cache: CacheMode::Memory,
            page_cache_capacity: 1024,
            module_cache_entries: 256,
            artifact_cache_bytes: crate::module_cache::DEFAULT_ARTIFACT_BYTES,
            native_stack_bytes: crate::limits::NATIVE_STACK_BYTES,
            limits: Limits::default(),
            #[cfg(feature = "canaries")]
            canary: None,
        }
    }
}

impl RuntimeConfig {
    /// The native stack executions run on: the configured size, never below the promised minimum.
    pub fn native_stack(&self) -> usize {
        self.native_stack_bytes.max(crate::limits::MIN_NATIVE_STACK_BYTES)
    }

    /// How a node of this configuration syncs a snapshot into its store (every entry, unless the
    /// `sync-skips-code` canary is planted).
    pub fn sync_options(&self) -> crate::storage::sync::SyncOptions {
        crate::storage::sync::SyncOptions {
            #[cfg(feature = "canaries")]
            skip_code: self.canary == Some(Canary::SyncSkipsCode),
            ..crate::storage::sync::SyncOptions::default()
        }
    }
}

impl Compiler {
    /// The compiler's name, as configs and reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            Compiler::Singlepass => "singlepass",
            Compiler::Cranelift => "cranelift",
        }
    }
}

impl CacheMode {
    /// The mode's name, as configs and reports spell it.
    pub fn name(self) -> &'static str {
        match self {
            CacheMode::Off => "off",
            CacheMode::Memory => "memory",
            CacheMode::Serialized => "serialized",
        }
    }
}
