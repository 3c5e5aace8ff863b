//! The runtime: deploys and executes contracts, and keeps the global state.
//!
//! [`Runtime::apply`] takes one transaction and returns its [`Receipt`]. A successful transaction's
//! writes (accounts, code, pages) reach the kv store in one atomic batch; a failed one writes nothing
//! and leaves the root unchanged. `Err` means the node itself failed (damaged store, engine failure):
//! no receipt, and no consensus outcome, can be trusted then.

mod caches;
pub(crate) mod calls;
#[cfg(feature = "canaries")]
pub mod canary;
pub mod classify;
pub mod config;
mod deploy;
pub mod engine;
mod error;
mod execute;
mod fees;
mod frame;
mod libraries;
mod library_deploy;
mod state_update;
mod stats;
mod transfer;
mod tx_host;

#[cfg(feature = "canaries")]
pub use canary::Canary;
pub use config::{CacheMode, Compiler, RuntimeConfig};
pub use error::RuntimeError;
pub use stats::ExecutionStats;
pub use svm_core::address::contract_address;
pub use tx_host::{SharedHost, TxHost};

use crate::Address;
use crate::module_cache::{ArtifactStore, CacheStats, ModuleCache};
use crate::receipt::Receipt;
use crate::state::{Account, AccountTrie, StateParts, StateRoot, resolve_parts};
use crate::storage::events::{EventQuery, EventStore, Pruned, StoredEvent};
use crate::storage::kv::KvStore;
use crate::storage::page_slices::PageSliceCache;
use crate::trace::TraceEntry;
use crate::transaction::Transaction;
use std::sync::Arc;

/// What the node tells the runtime about where a transaction runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockContext {
    /// The layer (block height).
    pub layer: u64,
}

/// One node's runtime: a kv store, a configuration, the current state root and the module cache.
pub struct Runtime {
    kv: Arc<dyn KvStore>,
    config: RuntimeConfig,
    /// The current state: its account root and its event-store root.
    state: StateParts,
    cache: Arc<std::sync::Mutex<ModuleCache>>,
    caches: Arc<caches::Caches>,
    last_execution: Option<ExecutionStats>,
    /// Executions this runtime has instantiated since it was created (node-local: a restart resets it).
    instantiated: u64,
    /// The layer whose boundary the current state has passed (node-local): no transaction of that layer
    /// can store an event that expires before it, so the boundary need not be walked again.
    boundary_passed: Option<u64>,
}

impl Runtime {
    /// A runtime over `kv` at the empty state.
    pub fn new(kv: Arc<dyn KvStore>, config: RuntimeConfig) -> Runtime {
        let cache = ModuleCache::new(config.cache, config.module_cache_entries, config.artifact_cache_bytes);
        Runtime::with_module_cache(kv, config, cache)
    }

    /// A runtime whose serialized artifacts live in `artifacts` (used when the cache mode is
    /// [`CacheMode::Serialized`]).
    pub fn with_artifact_store(
        kv: Arc<dyn KvStore>,
        config: RuntimeConfig,
        artifacts: Arc<dyn ArtifactStore>,
    ) -> Runtime {
        let cache = ModuleCache::with_store(config.cache, config.module_cache_entries, artifacts);
        Runtime::with_module_cache(kv, config, cache)
    }

    fn with_module_cache(kv: Arc<dyn KvStore>, config: RuntimeConfig, cache: ModuleCache) -> Runtime {
        #[cfg(feature = "canaries")]
        let kv: Arc<dyn KvStore> = match config.canary {
            Some(Canary::SwallowWriteFailure) => Arc::new(canary::SwallowingKv(kv)),
            _ => kv,
        };
        Runtime {
            kv,
            config,
            state: StateParts::default(),
            cache: Arc::new(std::sync::Mutex::new(cache)),
            caches: Arc::new(caches::Caches::default()),
            last_execution: None,
            instantiated: 0,
            boundary_passed: None,
        }
    }

    /// A runtime over `kv` at an existing `root` (any root this store ever committed).
    pub fn open(kv: Arc<dyn KvStore>, config: RuntimeConfig, root: StateRoot) -> Result<Runtime, RuntimeError> {
        let mut runtime = Runtime::new(kv, config);
        runtime.reset_to(root)?;
        Ok(runtime)
    }

    /// A runtime over `kv` at the store's durable head, with the head (`None`: a store no head was
    /// recorded in, opened at the empty state).
    pub fn open_head(
        kv: Arc<dyn KvStore>,
        config: RuntimeConfig,
    ) -> Result<(Runtime, Option<crate::storage::head::Head>), RuntimeError> {
        let head = crate::storage::head::read_head(kv.as_ref())?;
        let root = head.map_or(StateRoot::EMPTY, |h| h.root);
        Ok((Runtime::open(kv, config, root)?, head))
    }

    /// A runtime over `kv` at the root layer `layer` ended at.
    pub fn open_layer(kv: Arc<dyn KvStore>, config: RuntimeConfig, layer: u64) -> Result<Runtime, RuntimeError> {
        let head = crate::storage::head::retained_layer(kv.as_ref(), layer)?;
        Runtime::open(kv, config, head.root)
    }

    /// Records the durable head: `applied` transactions since genesis, the last of layer `layer`, at
    /// this runtime's root; with `layer_complete`, also indexes the layer. Then syncs the store.
    pub fn record_head(&self, layer: u64, applied: u64, layer_complete: bool) -> Result<(), RuntimeError> {
        #[cfg(feature = "canaries")]
        let applied = applied + u64::from(self.config.canary == Some(Canary::HeadAhead));
        let head = crate::storage::head::Head { layer, applied, root: self.root() };
        Ok(crate::storage::head::record_head(self.kv.as_ref(), &head, layer_complete)?)
    }

    /// Rewinds the store to where layer `layer` ended: checks that the layer's state is whole, then
    /// moves the durable head there and forgets every later layer (their states become collectable).
    /// A layer the index no longer holds (older than what is retained, or never committed) is a typed
    /// error and changes nothing.
    pub fn rewind(&mut self, layer: u64) -> Result<crate::storage::head::Head, RuntimeError> {
        let head = crate::storage::head::retained_layer(self.kv.as_ref(), layer)?;
        let parts = self.checked_parts(head.root)?;
        let head = crate::storage::head::rewind_head(self.kv.as_ref(), layer)?;
        self.state = parts;
        self.boundary_passed = None;
        Ok(head)
    }

    /// A runtime over the new store `kv` at the state layer `layer` of `source` ended at: copies that
    /// state (every entry checked against its hash; with `expected`, the layer must have ended at that
    /// root), records it as `kv`'s head, and opens it there.
    pub fn sync_from(
        kv: Arc<dyn KvStore>,
        config: RuntimeConfig,
        source: &dyn KvStore,
        layer: u64,
        expected: Option<StateRoot>,
    ) -> Result<(Runtime, crate::storage::head::Head, crate::storage::sync::SyncStats), RuntimeError> {
        let (head, stats) =
            crate::storage::sync::sync_layer_with(source, kv.as_ref(), layer, expected, config.sync_options())?;
        Ok((Runtime::open(kv, config, head.root)?, head, stats))
    }

    /// Moves this runtime to an earlier (or later) root of the same store.
    pub fn reset_to(&mut self, root: StateRoot) -> Result<(), RuntimeError> {
        self.state = self.checked_parts(root)?;
        self.boundary_passed = None;
        Ok(())
    }

    /// The parts of `root`, with the account trie's root node and the event store's counter read.
    fn checked_parts(&self, root: StateRoot) -> Result<StateParts, RuntimeError> {
        let parts = resolve_parts(self.kv.as_ref(), root)?;
        AccountTrie::open(self.kv.as_ref(), parts.accounts).check_root()?;
        EventStore::open(self.kv.clone(), parts.events)
            .and_then(|mut e| e.counter())
            .map_err(crate::state::StateError::from)?;
        Ok(parts)
    }

    /// The current global state root.
    pub fn root(&self) -> StateRoot {
        self.state.root()
    }

    /// The current state's account root and event-store root.
    pub fn state_parts(&self) -> StateParts {
        self.state
    }

    /// The layer boundary before `layer` (`docs/consensus.md`, Events): prunes every event that expired
    /// before it. Idempotent; [`Runtime::apply`] does it before each transaction, so a node need not
    /// call it, but may, when the layer begins.
    pub fn begin_layer(&mut self, layer: u64) -> Result<Pruned, RuntimeError> {
        if self.state.events.is_zero() || self.boundary_passed == Some(layer) {
            return Ok(Pruned::default());
        }
        let mut store = EventStore::open(self.kv.clone(), self.state.events).map_err(crate::state::StateError::from)?;
        let pruned = store.begin_layer(layer).map_err(crate::state::StateError::from)?;
        if pruned.entries > 0 {
            let mut batch = crate::storage::kv::WriteBatch::new();
            let parts = StateParts { accounts: self.state.accounts, events: store.commit_into(&mut batch) };
            parts.put_into(&mut batch);
            self.kv.write(batch)?;
            self.state = parts;
        }
        self.boundary_passed = Some(layer);
        Ok(pruned)
    }

    /// The live events `query` asks for, in the current state, in id order.
    pub fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, RuntimeError> {
        self.events_at(self.root(), query)
    }

    /// The live events `query` asks for, in the state `root` of this runtime's store (a retained
    /// layer's root, say), in id order.
    pub fn events_at(&self, root: StateRoot, query: &EventQuery) -> Result<Vec<StoredEvent>, RuntimeError> {
        let parts = resolve_parts(self.kv.as_ref(), root)?;
        let mut store = EventStore::open(self.kv.clone(), parts.events).map_err(crate::state::StateError::from)?;
        Ok(store.query(query).map_err(crate::state::StateError::from)?)
    }

    /// The node configuration.
    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    /// The kv store.
    pub fn kv(&self) -> &Arc<dyn KvStore> {
        &self.kv
    }

    /// What the last transaction's execution did, if it was an execution that reached the contract's
    /// code (`None` for deploys, transfers, and calls refused or invalid before any code ran).
    pub fn last_execution(&self) -> Option<&ExecutionStats> {
        self.last_execution.as_ref()
    }

    /// What the module cache has done so far.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.lock().map(|cache| cache.stats()).unwrap_or_default()
    }

    /// The account at `address`, if it exists.
    pub fn account(&self, address: &Address) -> Result<Option<Account>, RuntimeError> {
        Ok(AccountTrie::open(self.kv.as_ref(), self.state.accounts).with_cache(&self.caches.trie).get(address)?)
    }

    /// Every storage slice of the contract at `address`, in slice order (`None` if it is no contract).
    pub fn contract_slices(&self, address: &Address) -> Result<Option<Vec<Vec<u8>>>, RuntimeError> {
        self.contract_slices_at(self.root(), address, None)
    }

    /// The slices `which` (every slice when `None`) of the contract at `address` in the state `root` of
    /// this runtime's store, in the order asked (`None` if it is no contract there). An unknown slice
    /// index is an error.
    pub fn contract_slices_at(
        &self,
        root: StateRoot,
        address: &Address,
        which: Option<&[u32]>,
    ) -> Result<Option<Vec<Vec<u8>>>, RuntimeError> {
        let accounts = resolve_parts(self.kv.as_ref(), root)?.accounts;
        let account = AccountTrie::open(self.kv.as_ref(), accounts).with_cache(&self.caches.trie).get(address)?;
        let Some(info) = account.and_then(|a| a.contract) else { return Ok(None) };
        let layout = self.caches.meta(self.kv.as_ref(), info.meta_hash)?.layout.clone();
        let all: Vec<u32> = (0..layout.slices().len() as u32).collect();
        let which = which.unwrap_or(&all);
        let mut storage = PageSliceCache::open(self.kv.clone(), *address, layout, info.state)?
            .with_verified_pages(self.caches.pages.clone());
        let slices = which
            .iter()
            .map(|&slice| storage.read_all(slice))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RuntimeError::Engine(e.to_string()))?;
        storage.discard();
        Ok(Some(slices))
    }

    /// Credits initial balances (a chain's genesis allocation); returns the new root.
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, RuntimeError> {
        let mut update = state_update::StateUpdate::new(self.kv.clone(), self.state, self.caches.trie.clone());
        for (address, amount) in allocations {
            let account = update.account(address)?;
            account.balance = account
                .balance
                .checked_add(*amount)
                .ok_or_else(|| RuntimeError::Engine(format!("genesis balance of {address} overflows")))?;
        }
        self.state = update.commit()?;
        Ok(self.root())
    }

    /// Applies one transaction.
    pub fn apply(&mut self, tx: &Transaction, block: &BlockContext) -> Result<Receipt, RuntimeError> {
        Ok(self.apply_inner(tx, block, false)?.0)
    }

    /// Applies one transaction, recording every vmcall it makes.
    pub fn apply_traced(
        &mut self,
        tx: &Transaction,
        block: &BlockContext,
    ) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
        self.apply_inner(tx, block, true)
    }

    fn apply_inner(
        &mut self,
        tx: &Transaction,
        block: &BlockContext,
        trace: bool,
    ) -> Result<(Receipt, Vec<TraceEntry>), RuntimeError> {
        self.last_execution = None;
        self.begin_layer(block.layer)?;
        let (mut receipt, entries) = match tx {
            Transaction::Deploy(deploy) => (deploy::deploy(self, deploy)?, Vec::new()),
            Transaction::Execute(execute) => execute::execute(self, execute, block, trace)?,
            Transaction::Transfer(transfer) => (transfer::transfer(self, transfer)?, Vec::new()),
            Transaction::DeployLibrary(library) => (library_deploy::deploy_library(self, library)?, Vec::new()),
        };
        truncate_diagnostic(&mut receipt.diagnostic);
        Ok((receipt, entries))
    }
}

/// Diagnostics are for people: keep them short enough for any receipt.
fn truncate_diagnostic(text: &mut String) {
    const MAX: usize = 1024;
    if text.len() > MAX {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}
