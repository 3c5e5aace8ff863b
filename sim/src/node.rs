//! Nodes (replicas): a runtime with its own in-memory kv store and a node configuration that differs
//! from the other replicas' on purpose — or the reference VM, the independent implementation that
//! shares none of the runtime's execution code.

use crate::fault_kv::FaultKv;
use crate::history::{FaultKind, NodeEventKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use svm::Address;
use svm::StateRoot;
use svm::module_cache::{ArtifactStore, MemArtifactStore};
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, CacheMode, Canary, Compiler, ExecutionStats, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::kv::{KvDurability, KvError, KvStore, MemKv, RedbKv};
use svm::storage::sync::sync_layer_with;
use svm::trace::TraceEntry;
use svm::transaction::Transaction;
use svm_fuzzing::stream::{Snapshot, Stream, StreamTx};
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
    /// `off`, `memory`, `serialized` or `once`.
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
    /// The faults it undergoes, each with the mean number of transactions between two of them (the
    /// seed draws when they happen, as for restarts).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub faults: BTreeMap<FaultKind, u64>,
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
    /// Each new code compiled on its first use and kept for the life of the runtime, never evicted nor
    /// serialized: compile cost paid once per code, without a bounded cache's evictions.
    Once,
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
                CacheName::Once => CacheMode::Memory,
            },
            page_cache_capacity: self.page_cache,
            module_cache_entries: match self.cache {
                CacheName::Once => usize::MAX,
                _ => self.module_cache.unwrap_or(RuntimeConfig::default().module_cache_entries),
            },
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
        let faults: Vec<String> = self.faults.iter().map(|(k, m)| format!("{} ~{m}", k.name())).collect();
        let faults = if faults.is_empty() { String::new() } else { format!(", faults {}", faults.join(" ")) };
        format!(
            "{} ({:?}, cache {:?}, page cache {}{modules}{restart}{kv}{faults})",
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
        faults: BTreeMap::new(),
    };
    use CacheName::*;
    use CompilerName::*;
    vec![
        node("sp-off-big", Singlepass, Off, 1024, None),
        // A one-module cache: every call to another contract than the last evicts and recompiles.
        NodeConfig { module_cache: Some(1), ..node("sp-mem-tiny", Singlepass, Memory, 1, None) },
        node("sp-ser-big-restart", Singlepass, Serialized, 1024, Some(50)),
        // Compiles each new code once (no cache to evict it): compiling on every execution, as
        // sp-off-big does, cost cranelift ~6 ms a transaction and half of a default campaign (issue 23).
        node("cl-once-tiny", Cranelift, Once, 1, None),
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
        faults: BTreeMap::new(),
    }
}

/// The mean number of transactions between two faults of `kind` that [`with_faults`] gives a replica.
pub fn default_fault_mean(kind: FaultKind) -> u64 {
    match kind {
        FaultKind::Crash => 300,
        FaultKind::Join => 1500,
        FaultKind::KvWriteFailure => 800,
        FaultKind::ArtifactCorrupt | FaultKind::ArtifactStale => 250,
    }
}

/// `nodes` with every fault of `kinds` given to each replica that can undergo it, at
/// [`default_fault_mean`].
pub fn with_faults(nodes: Vec<NodeConfig>, kinds: &[FaultKind]) -> Vec<NodeConfig> {
    nodes
        .into_iter()
        .map(|mut node| {
            let applicable: Vec<FaultKind> = kinds.iter().copied().filter(|k| k.applies_to(&node)).collect();
            for kind in applicable {
                node.faults.insert(kind, default_fault_mean(kind));
            }
            node
        })
        .collect()
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

/// A wasmer node's kv store: the backend under a fault-injecting layer.
struct Store {
    kv: Arc<FaultKv>,
    backend: Backend,
    /// Whether it keeps what a simulated crash needs.
    crashes: bool,
}

/// Where a node's store lives.
enum Backend {
    /// In memory.
    Memory,
    /// On disk, in a temporary folder that goes when the node does.
    Redb(tempfile::TempDir),
    /// Nowhere: it could not be created, and every access fails.
    Failed,
}

impl Store {
    /// A new store of kind `name` (one that could not be created fails every access, so the node
    /// faults at genesis with the reason instead of the simulator stopping); `crashes` keeps what a
    /// simulated crash needs.
    fn new(name: KvName, crashes: bool) -> Store {
        let opened = match name {
            KvName::Memory => Ok((Arc::new(MemKv::new()) as Arc<dyn KvStore>, Backend::Memory)),
            KvName::Redb => tempfile::tempdir().map_err(|e| e.to_string()).and_then(|dir| {
                let kv = RedbKv::create_or_open(&dir.path().join("node.redb"), KvDurability::OnSync)
                    .map_err(|e| e.to_string())?;
                Ok((Arc::new(kv) as Arc<dyn KvStore>, Backend::Redb(dir)))
            }),
        };
        let (inner, backend) =
            opened.unwrap_or_else(|why| (Arc::new(FailedKv(why)) as Arc<dyn KvStore>, Backend::Failed));
        Store { kv: Arc::new(FaultKv::new(inner, crashes)), backend, crashes }
    }

    fn kv(&self) -> Arc<dyn KvStore> {
        self.kv.clone()
    }

    /// A process restart's view of the store: on disk, made durable, closed and opened again.
    /// The caller must have dropped every other handle to the store (its runtime's).
    fn reopen(&mut self) -> Result<(), NodeError> {
        self.kv.sync().map_err(|e| NodeError::Store(e.to_string()))?;
        self.close_and_open()
    }

    /// A crash: the writes since the last sync are lost but for the first `kept_permille`‰ of the
    /// batches; then the store is opened again. The caller must have dropped every other handle.
    fn crash(&mut self, kept_permille: u16) -> Result<(), NodeError> {
        self.kv.crash(kept_permille).map_err(|e| NodeError::Store(e.to_string()))?;
        self.close_and_open()
    }

    fn close_and_open(&mut self) -> Result<(), NodeError> {
        let Backend::Redb(dir) = &self.backend else { return Ok(()) };
        let pending = self.kv.failure_pending();
        // Closed (this was its last handle) before it is opened again.
        self.kv = Arc::new(FaultKv::new(Arc::new(MemKv::new()), false));
        let path = dir.path().join("node.redb");
        let kv = RedbKv::open_existing(&path, KvDurability::OnSync).map_err(|e| NodeError::Store(e.to_string()))?;
        self.kv = Arc::new(FaultKv::new(Arc::new(kv), self.crashes));
        if pending {
            self.kv.fail_next_write();
        }
        Ok(())
    }
}

/// The store of a node whose store could not be created: it fails every access.
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
    Wasmer { store: Store, artifacts: Arc<MemArtifactStore>, runtime: Box<Runtime> },
    /// The reference VM.
    Reference(Box<ReferenceVm>),
}

/// Whether transaction `j` of `txs` is the last of its layer.
pub fn ends_layer(txs: &[StreamTx], j: usize) -> bool {
    txs.get(j + 1).is_none_or(|next| Some(next.layer) != txs.get(j).map(|t| t.layer))
}

/// One replica: its configuration, what executes its transactions, and what happened to it.
pub struct Node {
    /// Its configuration.
    pub config: NodeConfig,
    canary: Option<Canary>,
    engine: Engine,
    last_execution: Option<ExecutionStats>,
    /// Transactions of the stream applied so far (what the durable head counts).
    applied: u64,
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
            let store = Store::new(config.kv, config.faults.contains_key(&FaultKind::Crash));
            let artifacts = Arc::new(MemArtifactStore::default());
            let runtime = Runtime::with_artifact_store(store.kv(), config.runtime_config(canary), artifacts.clone());
            Engine::Wasmer { store, artifacts, runtime: Box::new(runtime) }
        };
        Node { config, canary, engine, last_execution: None, applied: 0, restarts: 0 }
    }

    /// Brings the node to where `stream` starts: its genesis, or the snapshot it names.
    pub fn start(&mut self, stream: &Stream) -> Result<StateRoot, NodeError> {
        match &stream.snapshot {
            None => self.genesis(&stream.genesis),
            Some(snapshot) => self.start_from_snapshot(snapshot),
        }
    }

    /// Starts from `snapshot`: a wasmer node syncs the layer from the snapshot's store into its own
    /// (checking every entry, and that the layer ended at the snapshot's root); the reference VM
    /// reads the state out whole and must compute the same root from it by its own hashing.
    fn start_from_snapshot(&mut self, snapshot: &Snapshot) -> Result<StateRoot, NodeError> {
        let root = snapshot_root(snapshot)?;
        let source = snapshot_store(&snapshot.store)?;
        match &mut self.engine {
            Engine::Wasmer { store, artifacts, runtime } => {
                let config = self.config.runtime_config(self.canary);
                sync_layer_with(source.as_ref(), store.kv.as_ref(), snapshot.layer, Some(root), config.sync_options())
                    .map_err(RuntimeError::from)?;
                *runtime = runtime_at(store, artifacts, config, root)?;
                // The durable head counts this stream's transactions from here.
                runtime.record_head(snapshot.layer, 0, true)?;
            }
            Engine::Reference(vm) => {
                let read = |e: svm::state::StateError| NodeError::Store(format!("reading the snapshot: {e}"));
                let accounts = svm::state::export_state(source.as_ref(), root).map_err(read)?;
                let events = svm::state::export_events(source.as_ref(), root).map_err(read)?;
                **vm = ReferenceVm::from_snapshot(vm.limits().clone(), accounts, events, root)?;
            }
        }
        Ok(root)
    }

    /// Credits the genesis balances (and records the genesis as layer 0's durable head).
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, NodeError> {
        Ok(match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                let root = runtime.genesis(allocations)?;
                runtime.record_head(0, 0, true)?;
                root
            }
            Engine::Reference(vm) => vm.genesis(allocations)?,
        })
    }

    /// The layer boundary before `layer`: expired events are pruned (idempotent; `apply` passes it too).
    pub fn begin_layer(&mut self, layer: u64) -> Result<(), NodeError> {
        match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                runtime.begin_layer(layer)?;
            }
            Engine::Reference(vm) => {
                vm.begin_layer(layer)?;
            }
        }
        Ok(())
    }

    /// Applies one transaction.
    pub fn apply(&mut self, tx: &Transaction, layer: u64) -> Result<Receipt, NodeError> {
        let receipt = match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                let receipt = runtime.apply(tx, &BlockContext { layer })?;
                self.last_execution = runtime.last_execution().cloned();
                receipt
            }
            Engine::Reference(vm) => vm.apply(tx, layer)?,
        };
        self.applied += 1;
        Ok(receipt)
    }

    /// Applies one transaction, traced (the reference VM keeps no trace: its trace is empty).
    pub fn apply_traced(&mut self, tx: &Transaction, layer: u64) -> Result<(Receipt, Vec<TraceEntry>), NodeError> {
        let traced = match &mut self.engine {
            Engine::Wasmer { runtime, .. } => {
                let traced = runtime.apply_traced(tx, &BlockContext { layer })?;
                self.last_execution = runtime.last_execution().cloned();
                traced
            }
            Engine::Reference(vm) => (vm.apply(tx, layer)?, Vec::new()),
        };
        self.applied += 1;
        Ok(traced)
    }

    /// Records the end of layer `layer` as the durable head (and indexes the layer), as a node does
    /// at every layer boundary; the store is synced.
    pub fn end_layer(&mut self, layer: u64) -> Result<(), NodeError> {
        if let Engine::Wasmer { runtime, .. } = &self.engine {
            runtime.record_head(layer, self.applied, true)?;
        }
        Ok(())
    }

    /// Whether an injected kv write failure fired since the last call (and forgets it).
    pub fn take_injected_failure(&self) -> bool {
        match &self.engine {
            Engine::Wasmer { store, .. } => store.kv.take_failure(),
            Engine::Reference(_) => false,
        }
    }

    /// Transactions of the stream applied so far (after a crash or a join: those the durable head
    /// counts; the node must apply the rest again).
    pub fn applied(&self) -> usize {
        usize::try_from(self.applied).unwrap_or(usize::MAX)
    }

    /// Lets `event` happen to this node. After a crash or a join it stands at an earlier durable
    /// head ([`Node::applied`] says where).
    pub fn undergo(&mut self, event: NodeEventKind) -> Result<(), NodeError> {
        match event {
            NodeEventKind::Restart => self.restart()?,
            NodeEventKind::Crash { kept_permille } => self.reopen_after(|store| store.crash(kept_permille))?,
            NodeEventKind::Join => self.join()?,
            NodeEventKind::KvWriteFailure => {
                if let Engine::Wasmer { store, .. } = &self.engine {
                    store.kv.fail_next_write();
                }
            }
            NodeEventKind::ArtifactCorrupt { pick } => self.damage_artifact(pick, false),
            NodeEventKind::ArtifactStale { pick } => self.damage_artifact(pick, true),
        }
        Ok(())
    }

    /// Closes the runtime, does `what` to the store, and opens a new runtime at the store's durable
    /// head (as a node process starting over does).
    fn reopen_after(&mut self, what: impl FnOnce(&mut Store) -> Result<(), NodeError>) -> Result<(), NodeError> {
        if let Engine::Wasmer { store, artifacts, runtime } = &mut self.engine {
            let config = self.config.runtime_config(self.canary);
            // The old process's handle on the store goes first.
            **runtime = Runtime::new(Arc::new(MemKv::new()), config.clone());
            what(store)?;
            let head = durable_head(store.kv.as_ref())?;
            *runtime = runtime_at(store, artifacts, config, head.root)?;
            self.applied = head.applied;
            self.restarts += 1;
        }
        Ok(())
    }

    /// Replaces this node by a new one — new store, no artifacts, empty caches — that syncs the last
    /// durable layer from the old store (checking every entry) and opens there.
    fn join(&mut self) -> Result<(), NodeError> {
        if let Engine::Wasmer { store, artifacts, runtime } = &mut self.engine {
            let head = durable_head(store.kv.as_ref())?;
            let config = self.config.runtime_config(self.canary);
            let fresh_store = Store::new(self.config.kv, store.crashes);
            let options = config.sync_options();
            sync_layer_with(store.kv.as_ref(), fresh_store.kv.as_ref(), head.layer, Some(head.root), options)
                .map_err(RuntimeError::from)?;
            let fresh_artifacts = Arc::new(MemArtifactStore::default());
            *runtime = runtime_at(&fresh_store, &fresh_artifacts, config, head.root)?;
            *store = fresh_store;
            *artifacts = fresh_artifacts;
            self.applied = head.applied;
            self.restarts += 1;
        }
        Ok(())
    }

    /// Flips a byte of a stored artifact (`stale`: puts another module's artifact in its place).
    fn damage_artifact(&mut self, pick: u32, stale: bool) {
        let Engine::Wasmer { artifacts, .. } = &self.engine else { return };
        let keys = artifacts.keys();
        if keys.is_empty() {
            return;
        }
        let key = keys[pick as usize % keys.len()];
        if stale {
            let other = keys[(pick as usize + 1) % keys.len()];
            if other != key
                && let Some(bytes) = artifacts.get(&other)
            {
                artifacts.put(&key, bytes);
            }
        } else {
            artifacts.tamper(&key, |bytes| {
                if !bytes.is_empty() {
                    let at = pick as usize % bytes.len();
                    bytes[at] ^= 0x5A;
                }
            });
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
        if let Engine::Wasmer { store, artifacts, runtime } = &mut self.engine {
            let root = runtime.root();
            let config = self.config.runtime_config(self.canary);
            // The old process's handle on the store goes first (a store on disk is closed and reopened).
            **runtime = Runtime::new(Arc::new(MemKv::new()), config.clone());
            store.reopen()?;
            *runtime = runtime_at(store, artifacts, config, root)?;
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

/// A new runtime over `store` and `artifacts` at `root`.
fn runtime_at(
    store: &Store,
    artifacts: &Arc<MemArtifactStore>,
    config: RuntimeConfig,
    root: StateRoot,
) -> Result<Box<Runtime>, NodeError> {
    let mut runtime = Runtime::with_artifact_store(store.kv(), config, artifacts.clone());
    runtime.reset_to(root)?;
    Ok(Box::new(runtime))
}

/// The root a snapshot names.
fn snapshot_root(snapshot: &Snapshot) -> Result<StateRoot, NodeError> {
    hex::decode(&snapshot.root)
        .ok()
        .and_then(|bytes| svm::Hash::from_slice(&bytes))
        .map(StateRoot)
        .ok_or_else(|| NodeError::Store(format!("snapshot root {:?} is not 32 hex bytes", snapshot.root)))
}

/// The snapshot store at `path`, opened once for every replica that starts from it and kept open
/// for the rest of the process (a redb file can be opened by one handle at a time, and closing one
/// takes long enough for another replica's open to find it still locked; every replica only reads).
fn snapshot_store(path: &str) -> Result<Arc<dyn KvStore>, NodeError> {
    static OPEN: std::sync::Mutex<BTreeMap<String, Arc<RedbKv>>> = std::sync::Mutex::new(BTreeMap::new());
    let mut open = OPEN.lock().map_err(|_| NodeError::Store("snapshot store registry poisoned".into()))?;
    if let Some(kv) = open.get(path) {
        return Ok(kv.clone());
    }
    let kv = RedbKv::open_existing(std::path::Path::new(path), KvDurability::OnSync)
        .map_err(|e| NodeError::Store(format!("snapshot store {path}: {e}")))?;
    let kv = Arc::new(kv);
    open.insert(path.to_string(), kv.clone());
    Ok(kv)
}

/// Checks `snapshot` whole — its store opens, retains the layer, the layer ended at the snapshot's
/// root, and every entry that root reaches is there and matches its hash — by syncing it into a
/// scratch store.
pub fn verify_snapshot(snapshot: &Snapshot) -> Result<svm::storage::sync::SyncStats, NodeError> {
    let root = snapshot_root(snapshot)?;
    let source = snapshot_store(&snapshot.store)?;
    let (_, stats) = svm::storage::sync::sync_layer(source.as_ref(), &MemKv::new(), snapshot.layer, Some(root))
        .map_err(|e| NodeError::Store(format!("snapshot {} layer {}: {e}", snapshot.store, snapshot.layer)))?;
    Ok(stats)
}

/// The durable head of a node's store (every wasmer node records one at genesis).
fn durable_head(kv: &dyn KvStore) -> Result<svm::storage::head::Head, NodeError> {
    svm::storage::head::read_head(kv)
        .map_err(|e| NodeError::Store(e.to_string()))?
        .ok_or_else(|| NodeError::Store("the store has no durable head".into()))
}
