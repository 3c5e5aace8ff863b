//! What one runtime handle holds: a runtime over its store, the layer being built, and the head.
//! Everything here is safe Rust; the entry points only translate pointers to and from it.

use crate::error::FfiError;
use crate::view_store::ViewStore;
use std::path::Path;
use std::sync::Arc;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Compiler, Runtime, RuntimeConfig};
use svm::state::Account;
use svm::storage::events::{EventQuery, StoredEvent};
use svm::storage::head::Head;
use svm::storage::kv::{KvDurability, KvStore, MemKv, RedbKv};
use svm::trace::TraceEntry;
use svm::transaction::Transaction;
use svm::{Address, StateRoot};

/// A runtime, its store, and where the node stands in its layers.
pub struct Node {
    runtime: Runtime,
    store: Arc<ViewStore>,
    /// The layer being built, between `begin_layer` and `commit_layer`.
    open_layer: Option<u64>,
    /// Where this handle stands: the last committed layer (or the layer a read-only handle was opened at).
    head: Option<Head>,
    /// Transactions applied since genesis.
    applied: u64,
    /// A handle opened at a past layer: it reads and runs views, and writes nothing.
    read_only: bool,
}

impl Node {
    /// A node over a fresh in-memory store.
    pub fn memory(compiler: Compiler) -> Node {
        let store = Arc::new(ViewStore::new(Arc::new(MemKv::new())));
        let runtime = Runtime::new(store.clone(), config(compiler));
        Node { runtime, store, open_layer: None, head: None, applied: 0, read_only: false }
    }

    /// A node over the redb store at `path` (created if missing), at its durable head. Writes become
    /// durable when a layer is committed.
    pub fn persistent(path: &Path, compiler: Compiler) -> Result<Node, FfiError> {
        let base: Arc<dyn KvStore> = Arc::new(RedbKv::create_or_open(path, KvDurability::OnSync)?);
        let store = Arc::new(ViewStore::new(base));
        let (runtime, head) = Runtime::open_head(store.clone(), config(compiler))?;
        let applied = head.map_or(0, |h| h.applied);
        Ok(Node { runtime, store, open_layer: None, head, applied, read_only: false })
    }

    /// A read-only node over the same store, at the state layer `layer` ended at.
    pub fn at_layer(&self, layer: u64) -> Result<Node, FfiError> {
        let base = self.store.base().clone();
        let head =
            svm::storage::head::retained_layer(base.as_ref(), layer).map_err(svm::runtime::RuntimeError::from)?;
        let store = Arc::new(ViewStore::new(base));
        let runtime = Runtime::open(store.clone(), self.runtime.config().clone(), head.root)?;
        Ok(Node { runtime, store, open_layer: None, head: Some(head), applied: head.applied, read_only: true })
    }

    /// Credits the genesis allocations and records them as layer 0's durable head.
    pub fn genesis(&mut self, allocations: &[(Address, u64)]) -> Result<StateRoot, FfiError> {
        self.writable("genesis")?;
        if let Some(head) = self.head {
            return Err(FfiError::State(format!(
                "genesis is for a new store; this one stands at layer {} after {} transactions",
                head.layer, head.applied
            )));
        }
        if let Some(layer) = self.open_layer {
            return Err(FfiError::State(format!("genesis inside layer {layer}")));
        }
        let root = self.runtime.genesis(allocations)?;
        self.record(0, true)?;
        Ok(root)
    }

    /// Opens layer `layer` (pruning the events that expired before it): the transactions applied until
    /// it is committed run in it.
    pub fn begin_layer(&mut self, layer: u64) -> Result<(), FfiError> {
        self.writable("begin a layer")?;
        if let Some(open) = self.open_layer {
            return Err(FfiError::State(format!("layer {open} is open; commit it before beginning layer {layer}")));
        }
        if let Some(head) = self.head
            && layer < head.layer
        {
            return Err(FfiError::State(format!("layer {layer} is before the head's layer {}", head.layer)));
        }
        // The layer boundary now (the runtime would pass it before the layer's first transaction):
        // events that expired before `layer` are pruned, so that queries in the layer see them gone.
        self.runtime.begin_layer(layer)?;
        self.open_layer = Some(layer);
        Ok(())
    }

    /// Commits the open layer: records it as the durable head and indexes it, then syncs the store.
    pub fn commit_layer(&mut self) -> Result<Head, FfiError> {
        self.writable("commit a layer")?;
        let layer = self.open_layer.ok_or_else(|| FfiError::State("no layer is open".into()))?;
        let head = self.record(layer, true)?;
        self.open_layer = None;
        Ok(head)
    }

    /// Applies the canonical-codec transaction `tx` in the open layer: its receipt and, when
    /// `traced`, every vmcall it made.
    pub fn apply(&mut self, tx: &[u8], traced: bool) -> Result<(Receipt, Vec<TraceEntry>), FfiError> {
        self.writable("apply a transaction")?;
        let layer = self.open_layer.ok_or_else(|| FfiError::State("no layer is open; begin one first".into()))?;
        let tx = decode_tx(tx)?;
        let block = BlockContext { layer };
        let result = if traced {
            self.runtime.apply_traced(&tx, &block)?
        } else {
            (self.runtime.apply(&tx, &block)?, Vec::new())
        };
        self.applied += 1;
        Ok(result)
    }

    /// The receipt applying `tx` in layer `layer` would give now, committing nothing: the state, the
    /// store and the head are exactly as before (queries and gas estimation).
    pub fn view(&mut self, tx: &[u8], layer: u64) -> Result<Receipt, FfiError> {
        let tx = decode_tx(tx)?;
        let before = self.runtime.root();
        let store = self.store.clone();
        let receipt = {
            let _view = store.begin_view().map_err(svm::runtime::RuntimeError::from)?;
            let receipt = self.runtime.apply(&tx, &BlockContext { layer });
            // Back to the state before, still inside the view (whatever the apply did to the root).
            self.runtime.reset_to(before)?;
            receipt?
        };
        Ok(receipt)
    }

    /// The current global state root.
    pub fn root(&self) -> StateRoot {
        self.runtime.root()
    }

    /// Where this handle stands (`None`: a store with no genesis and no committed layer).
    pub fn head(&self) -> Option<Head> {
        self.head
    }

    /// Rewinds the store to where layer `layer` ended; every later layer is forgotten.
    pub fn rewind(&mut self, layer: u64) -> Result<Head, FfiError> {
        self.writable("rewind")?;
        if let Some(open) = self.open_layer {
            return Err(FfiError::State(format!("layer {open} is open; commit it before rewinding")));
        }
        let head = self.runtime.rewind(layer)?;
        self.head = Some(head);
        self.applied = head.applied;
        Ok(head)
    }

    /// The account at `address`, if it exists.
    pub fn account(&self, address: &Address) -> Result<Option<Account>, FfiError> {
        Ok(self.runtime.account(address)?)
    }

    /// The bytes of storage slice `slice` of the contract at `address`.
    pub fn contract_slice(&self, address: &Address, slice: u32) -> Result<Vec<u8>, FfiError> {
        let slices = self
            .runtime
            .contract_slices(address)?
            .ok_or_else(|| FfiError::NotFound(format!("no contract at {address}")))?;
        let count = slices.len();
        slices
            .into_iter()
            .nth(slice as usize)
            .ok_or_else(|| FfiError::NotFound(format!("slice {slice}: the contract at {address} has {count} slices")))
    }

    /// The live events `query` asks for, in this handle's state, in id order.
    pub fn events(&self, query: &EventQuery) -> Result<Vec<StoredEvent>, FfiError> {
        Ok(self.runtime.events(query)?)
    }

    /// Records the head at the current root and syncs the store.
    fn record(&mut self, layer: u64, layer_complete: bool) -> Result<Head, FfiError> {
        self.runtime.record_head(layer, self.applied, layer_complete)?;
        let head = Head { layer, applied: self.applied, root: self.runtime.root() };
        self.head = Some(head);
        Ok(head)
    }

    fn writable(&self, what: &str) -> Result<(), FfiError> {
        match self.read_only {
            true => Err(FfiError::State(format!("cannot {what} through a read-only handle opened at a past layer"))),
            false => Ok(()),
        }
    }
}

/// The default node configuration, with `compiler`.
fn config(compiler: Compiler) -> RuntimeConfig {
    RuntimeConfig { compiler, ..RuntimeConfig::default() }
}

/// Decodes a canonical-codec transaction message.
pub fn decode_tx(bytes: &[u8]) -> Result<Transaction, FfiError> {
    Transaction::from_bytes(bytes).map_err(|source| FfiError::Codec { what: "transaction", source })
}
