//! Nodes (replicas): a runtime with its own in-memory kv store and a node configuration that differs
//! from the other replicas' on purpose.

use crate::history::NodeEventKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use svm::Address;
use svm::StateRoot;
use svm::module_cache::MemArtifactStore;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, CacheMode, Canary, Compiler, ExecutionStats, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::kv::MemKv;
use svm::trace::TraceEntry;
use svm::transaction::Transaction;

/// How one replica runs: every axis the runtime offers, plus how often it restarts (the restarts
/// themselves are events of the run's [`crate::history::History`], drawn from the seed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// A short unique name (`sp-off-big` …).
    pub name: String,
    /// `singlepass` or `cranelift`.
    pub compiler: CompilerName,
    /// `off`, `memory` or `serialized`.
    pub cache: CacheName,
    /// Clean pages one execution's page cache keeps.
    pub page_cache: usize,
    /// Compiled modules the module cache keeps in memory (`None`: the runtime's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_cache: Option<usize>,
    /// The mean number of transactions between restarts (fresh runtime, caches and module cache; same
    /// kv and artifacts), or none: the seed draws when they happen.
    pub restart_mean: Option<u64>,
}

/// A compiler, as configs spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompilerName {
    /// wasmer singlepass.
    Singlepass,
    /// wasmer cranelift.
    Cranelift,
}

/// A module-cache mode, as configs spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheName {
    /// Compile on every execution.
    Off,
    /// Compiled modules in memory.
    Memory,
    /// Serialized artifacts, reloaded on every use.
    Serialized,
}

impl NodeConfig {
    /// The runtime configuration of this node, with `canary` planted if given.
    pub fn runtime_config(&self, canary: Option<Canary>) -> RuntimeConfig {
        RuntimeConfig {
            compiler: match self.compiler {
                CompilerName::Singlepass => Compiler::Singlepass,
                CompilerName::Cranelift => Compiler::Cranelift,
            },
            cache: match self.cache {
                CacheName::Off => CacheMode::Off,
                CacheName::Memory => CacheMode::Memory,
                CacheName::Serialized => CacheMode::Serialized,
            },
            page_cache_capacity: self.page_cache,
            module_cache_entries: self.module_cache.unwrap_or(RuntimeConfig::default().module_cache_entries),
            canary,
            ..RuntimeConfig::default()
        }
    }

    /// One line for people: `sp-off-big (singlepass, cache off, page cache 1024, restarts every ~50)`.
    pub fn describe(&self) -> String {
        let modules = self.module_cache.map_or(String::new(), |n| format!(", {n} cached modules"));
        let restart = self.restart_mean.map_or(String::new(), |n| format!(", restarts every ~{n}"));
        format!(
            "{} ({:?}, cache {:?}, page cache {}{modules}{restart})",
            self.name, self.compiler, self.cache, self.page_cache
        )
        .to_lowercase()
    }
}

/// The default replica set: every compiler with every cache mode, tiny and large page caches, a
/// one-module cache, and restarts, spread so that any two replicas differ on at least one axis.
pub fn default_nodes() -> Vec<NodeConfig> {
    let node = |name: &str, compiler, cache, page_cache, restart_mean| NodeConfig {
        name: name.into(),
        compiler,
        cache,
        page_cache,
        module_cache: None,
        restart_mean,
    };
    use CacheName::*;
    use CompilerName::*;
    vec![
        node("sp-off-big", Singlepass, Off, 1024, None),
        // A one-module cache: every call to another contract than the last evicts and recompiles.
        NodeConfig { module_cache: Some(1), ..node("sp-mem-tiny", Singlepass, Memory, 1, None) },
        node("sp-ser-big-restart", Singlepass, Serialized, 1024, Some(50)),
        node("cl-off-tiny", Cranelift, Off, 1, None),
        node("cl-mem-big-restart", Cranelift, Memory, 1024, Some(37)),
        node("cl-ser-tiny", Cranelift, Serialized, 2, None),
    ]
}

/// One replica: its configuration, kv store, runtime, and how many transactions it has applied.
pub struct Node {
    /// Its configuration.
    pub config: NodeConfig,
    canary: Option<Canary>,
    kv: Arc<MemKv>,
    artifacts: Arc<MemArtifactStore>,
    runtime: Runtime,
    last_execution: Option<ExecutionStats>,
    /// How many times it restarted.
    pub restarts: u64,
}

impl Node {
    /// A fresh node at the empty state.
    pub fn new(config: NodeConfig, canary: Option<Canary>) -> Node {
        let kv = Arc::new(MemKv::new());
        let artifacts = Arc::new(MemArtifactStore::default());
        let runtime = Runtime::with_artifact_store(kv.clone(), config.runtime_config(canary), artifacts.clone());
        Node { config, canary, kv, artifacts, runtime, last_execution: None, restarts: 0 }
    }

    /// Credits the genesis balances.
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, RuntimeError> {
        self.runtime.genesis(allocations)
    }

    /// Applies one transaction.
    pub fn apply(&mut self, tx: &Transaction, layer: u64) -> Result<Receipt, RuntimeError> {
        let receipt = self.runtime.apply(tx, &BlockContext { layer })?;
        self.last_execution = self.runtime.last_execution().cloned();
        Ok(receipt)
    }

    /// Applies one transaction, traced.
    pub fn apply_traced(&mut self, tx: &Transaction, layer: u64) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
        let traced = self.runtime.apply_traced(tx, &BlockContext { layer })?;
        self.last_execution = self.runtime.last_execution().cloned();
        Ok(traced)
    }

    /// Lets `event` happen to this node.
    pub fn undergo(&mut self, event: NodeEventKind) -> Result<(), RuntimeError> {
        match event {
            NodeEventKind::Restart => self.restart(),
        }
    }

    /// What the last transaction's execution did, if it ran code (kept across a restart).
    pub fn last_execution(&self) -> Option<&ExecutionStats> {
        self.last_execution.as_ref()
    }

    /// Moves the node to an earlier state of its own history.
    pub fn reset_to(&mut self, root: StateRoot) -> Result<(), RuntimeError> {
        self.runtime.reset_to(root)
    }

    /// A process restart: a new runtime over the same kv and artifact store, at the same root.
    pub fn restart(&mut self) -> Result<(), RuntimeError> {
        let root = self.runtime.root();
        let mut runtime = Runtime::with_artifact_store(
            self.kv.clone(),
            self.config.runtime_config(self.canary),
            self.artifacts.clone(),
        );
        runtime.reset_to(root)?;
        self.runtime = runtime;
        self.restarts += 1;
        Ok(())
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The current state root.
    pub fn root(&self) -> StateRoot {
        self.runtime.root()
    }
}
