//! Nodes (replicas): a runtime with its own in-memory kv store and a node configuration that differs
//! from the other replicas' on purpose — or the reference VM, the independent implementation that
//! shares none of the runtime's execution code.

use crate::history::NodeEventKind;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use svm::Address;
use svm::StateRoot;
use svm::module_cache::MemArtifactStore;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, CacheMode, Canary, Compiler, ExecutionStats, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::kv::{KvDurability, KvError, KvStore, MemKv, RedbKv};
use svm::trace::TraceEntry;
use svm::transaction::Transaction;
use svm_reference::{ReferenceError, ReferenceVm};
use thiserror::Error;

/// How one replica runs: every axis the runtime offers, plus how often it restarts (the restarts
/// themselves are events of the run's [`crate::history::History`], drawn from the seed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// A short unique name (`sp-off-big` …).
    pub name: String,
    /// `singlepass`, `cranelift`, or `reference` (the reference VM: no compiler, no caches; `cache`
    /// and `page_cache` do not apply to it).
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
    /// The kv store: in memory (the default) or on disk (redb, in a temporary file; a restart reopens it).
    #[serde(default, skip_serializing_if = "KvName::is_memory")]
    pub kv: KvName,
}

/// A kv backend, as configs spell it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KvName {
    /// `MemKv`.
    #[default]
    Memory,
    /// `RedbKv` in a temporary file, made durable at every restart.
    Redb,
}

impl KvName {
    /// Whether this is the in-memory store (the default, left out of config files).
    pub fn is_memory(&self) -> bool {
        *self == KvName::Memory
    }
}

/// A compiler, as configs spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompilerName {
    /// wasmer singlepass.
    Singlepass,
    /// wasmer cranelift.
    Cranelift,
    /// No wasmer at all: the reference VM (`svm-reference`), a second implementation of the rules.
    Reference,
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
    /// Whether this node runs the reference VM instead of the wasmer runtime.
    pub fn is_reference(&self) -> bool {
        self.compiler == CompilerName::Reference
    }

    /// The runtime configuration of this node, with `canary` planted if given.
    pub fn runtime_config(&self, canary: Option<Canary>) -> RuntimeConfig {
        RuntimeConfig {
            compiler: match self.compiler {
                CompilerName::Singlepass | CompilerName::Reference => Compiler::Singlepass,
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
        if self.is_reference() {
            return format!("{} (the reference VM: its own interpreter, gas, vmcalls and hashing)", self.name);
        }
        let modules = self.module_cache.map_or(String::new(), |n| format!(", {n} cached modules"));
        let restart = self.restart_mean.map_or(String::new(), |n| format!(", restarts every ~{n}"));
        let kv = if self.kv.is_memory() { String::new() } else { format!(", kv {:?}", self.kv) };
        format!(
            "{} ({:?}, cache {:?}, page cache {}{modules}{restart}{kv})",
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
        kv: KvName::Memory,
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
        // On disk: a redb store, reopened at every restart.
        NodeConfig { kv: KvName::Redb, ..node("sp-redb-restart", Singlepass, Memory, 64, Some(61)) },
        reference_node(),
    ]
}

/// The default replicas that run wasmer: every one of [`default_nodes`] but the reference.
pub fn wasmer_nodes() -> Vec<NodeConfig> {
    default_nodes().into_iter().filter(|n| !n.is_reference()).collect()
}

/// The reference VM as a replica.
pub fn reference_node() -> NodeConfig {
    NodeConfig {
        name: "reference".into(),
        compiler: CompilerName::Reference,
        cache: CacheName::Off,
        page_cache: 0,
        module_cache: None,
        restart_mean: None,
        kv: KvName::Memory,
    }
}

/// Why a node could not go on.
#[derive(Debug, Error)]
pub enum NodeError {
    /// The wasmer runtime failed (a node fault).
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The reference VM failed (a node fault: a bug in it, or a rule it cannot follow).
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// The reference VM cannot do this (it keeps no earlier states).
    #[error("the reference VM cannot {0}")]
    Unsupported(&'static str),
    /// The on-disk store could not be created or reopened.
    #[error("kv store: {0}")]
    Store(String),
}

/// A wasmer node's kv store.
enum Store {
    /// In memory.
    Memory(Arc<MemKv>),
    /// On disk, in a temporary folder that goes when the node does.
    Redb { kv: Arc<RedbKv>, dir: tempfile::TempDir },
    /// A store that could not be created (why): every access is a kv failure.
    Failed(String),
}

impl Store {
    fn new(name: KvName) -> Result<Store, NodeError> {
        Ok(match name {
            KvName::Memory => Store::Memory(Arc::new(MemKv::new())),
            KvName::Redb => {
                let dir = tempfile::tempdir().map_err(|e| NodeError::Store(e.to_string()))?;
                let kv = RedbKv::create_or_open(&dir.path().join("node.redb"), KvDurability::OnSync)
                    .map_err(|e| NodeError::Store(e.to_string()))?;
                Store::Redb { kv: Arc::new(kv), dir }
            }
        })
    }

    fn kv(&self) -> Arc<dyn KvStore> {
        match self {
            Store::Memory(kv) => kv.clone(),
            Store::Redb { kv, .. } => kv.clone(),
            Store::Failed(why) => Arc::new(FailedKv(why.clone())),
        }
    }

    /// A process restart's view of the store: on disk, made durable, closed and opened again.
    /// The caller must have dropped every other handle to the store (its runtime's).
    fn reopen(&mut self) -> Result<(), NodeError> {
        let Store::Redb { .. } = self else { return Ok(()) };
        let Store::Redb { kv, dir } = std::mem::replace(self, Store::Memory(Arc::new(MemKv::new()))) else {
            return Ok(());
        };
        kv.sync().map_err(|e| NodeError::Store(e.to_string()))?;
        // Closed (this was its last handle) before it is opened again.
        drop(kv);
        let path = dir.path().join("node.redb");
        let kv = RedbKv::open_existing(&path, KvDurability::OnSync).map_err(|e| NodeError::Store(e.to_string()))?;
        *self = Store::Redb { kv: Arc::new(kv), dir };
        Ok(())
    }
}

/// The store of a node whose store could not be created: it fails every access, so the node faults
/// at genesis with the reason instead of the simulator stopping.
struct FailedKv(String);

impl FailedKv {
    fn error(&self) -> KvError {
        KvError::Backend(format!("the node's kv store could not be created: {}", self.0))
    }
}

impl KvStore for FailedKv {
    fn get(&self, _: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        Err(self.error())
    }

    fn write(&self, _: svm::storage::kv::WriteBatch) -> Result<(), KvError> {
        Err(self.error())
    }

    fn keys_with_prefix(&self, _: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        Err(self.error())
    }
}

/// What executes a node's transactions.
enum Engine {
    /// The runtime over its own kv store and artifact store.
    Wasmer { kv: Store, artifacts: Arc<MemArtifactStore>, runtime: Box<Runtime> },
    /// The reference VM.
    Reference(Box<ReferenceVm>),
}

/// One replica: its configuration, what executes its transactions, and how many times it restarted.
pub struct Node {
    /// Its configuration.
    pub config: NodeConfig,
    canary: Option<Canary>,
    engine: Engine,
    last_execution: Option<ExecutionStats>,
    /// How many times it restarted.
    pub restarts: u64,
}

impl Node {
    /// A fresh node at the empty state (a canary plants itself on wasmer nodes only: the reference
    /// VM is the implementation the canaries are caught against).
    pub fn new(config: NodeConfig, canary: Option<Canary>) -> Node {
        let engine = if config.is_reference() {
            Engine::Reference(Box::new(ReferenceVm::new(config.runtime_config(None).limits)))
        } else {
            // A store that cannot be created leaves the node faulting at genesis.
            let kv = Store::new(config.kv).unwrap_or_else(|e| Store::Failed(e.to_string()));
            let artifacts = Arc::new(MemArtifactStore::default());
            let runtime = Runtime::with_artifact_store(kv.kv(), config.runtime_config(canary), artifacts.clone());
            Engine::Wasmer { kv, artifacts, runtime: Box::new(runtime) }
        };
        Node { config, canary, engine, last_execution: None, restarts: 0 }
    }

    /// Credits the genesis balances.
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, NodeError> {
        Ok(match &mut self.engine {
            Engine::Wasmer { runtime, .. } => runtime.genesis(allocations)?,
            Engine::Reference(vm) => vm.genesis(allocations)?,
        })
    }

    /// Applies one transaction.
    pub fn apply(&mut self, tx: &Transaction, layer: u64) -> Result<Receipt, NodeError> {
        match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                let receipt = runtime.apply(tx, &BlockContext { layer })?;
                self.last_execution = runtime.last_execution().cloned();
                Ok(receipt)
            }
            Engine::Reference(vm) => Ok(vm.apply(tx, layer)?),
        }
    }

    /// Applies one transaction, traced (the reference VM keeps no trace: its trace is empty).
    pub fn apply_traced(&mut self, tx: &Transaction, layer: u64) -> Result<(Receipt, Vec<TraceEntry>), NodeError> {
        match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                let traced = runtime.apply_traced(tx, &BlockContext { layer })?;
                self.last_execution = runtime.last_execution().cloned();
                Ok(traced)
            }
            Engine::Reference(vm) => Ok((vm.apply(tx, layer)?, Vec::new())),
        }
    }

    /// Lets `event` happen to this node.
    pub fn undergo(&mut self, event: NodeEventKind) -> Result<(), NodeError> {
        match event {
            NodeEventKind::Restart => self.restart(),
        }
    }

    /// What the last transaction's execution did, if it ran code on wasmer (kept across a restart).
    pub fn last_execution(&self) -> Option<&ExecutionStats> {
        self.last_execution.as_ref()
    }

    /// Moves the node to an earlier state of its own history (wasmer nodes only).
    pub fn reset_to(&mut self, root: StateRoot) -> Result<(), NodeError> {
        match &mut self.engine {
            Engine::Wasmer { runtime, .. } => Ok(runtime.reset_to(root)?),
            Engine::Reference(_) => Err(NodeError::Unsupported("return to an earlier state")),
        }
    }

    /// A process restart: a new runtime over the same kv and artifact store, at the same root. The
    /// reference VM keeps nothing but its state, so a restart changes nothing in it.
    pub fn restart(&mut self) -> Result<(), NodeError> {
        if let Engine::Wasmer { kv, artifacts, runtime } = &mut self.engine {
            let root = runtime.root();
            let config = self.config.runtime_config(self.canary);
            // The old process's handle on the store goes first (a store on disk is closed and reopened).
            **runtime = Runtime::new(Arc::new(MemKv::new()), config.clone());
            kv.reopen()?;
            let mut fresh = Runtime::with_artifact_store(kv.kv(), config, artifacts.clone());
            fresh.reset_to(root)?;
            **runtime = fresh;
        }
        self.restarts += 1;
        Ok(())
    }

    /// The wasmer runtime (`None` on the reference VM).
    pub fn runtime(&self) -> Option<&Runtime> {
        match &self.engine {
            Engine::Wasmer { runtime, .. } => Some(runtime),
            Engine::Reference(_) => None,
        }
    }

    /// The current state root.
    pub fn root(&self) -> StateRoot {
        match &self.engine {
            Engine::Wasmer { runtime, .. } => runtime.root(),
            Engine::Reference(vm) => vm.root(),
        }
    }
}
