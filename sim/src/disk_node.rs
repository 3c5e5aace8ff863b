//! A node on disk: applies a stream to a persistent (redb) store layer by layer, resuming at the
//! store's durable head after a crash or a stop, with a durability policy and the retention of the
//! last N layers (older content garbage-collected).

use crate::progress::Progress;
use crate::tx_log::{TxLogError, TxLogWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig, RuntimeError};
use svm::storage::gc::{self, GcError, GcStats};
use svm::storage::head::{self, Head, HeadError};
use svm::storage::kv::{KvDurability, KvOpenError, KvStore, RedbKv};
use svm_fuzzing::stream::Stream;
use thiserror::Error;

/// When the store makes writes durable (fsync).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Durability {
    /// Once per layer, with the head: a crash loses at most the layer in progress.
    Layer,
    /// After every transaction, with the head: a crash loses at most the transaction in progress.
    Transaction,
}

/// How a disk node runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskOptions {
    /// When writes become durable.
    pub durability: Durability,
    /// Keep the roots of this many most recent layers (and the head); `None`: keep everything.
    pub retain: Option<u64>,
    /// With retention, collect garbage after every this many layers.
    pub gc_every: u64,
    /// Log every transaction applied here (made durable before the head that counts it).
    pub log: Option<PathBuf>,
}

impl Default for DiskOptions {
    fn default() -> DiskOptions {
        DiskOptions { durability: Durability::Layer, retain: None, gc_every: 8, log: None }
    }
}

/// Why a disk node could not go on.
#[derive(Debug, Error)]
pub enum DiskError {
    /// The store could not be opened (missing, damaged, another format, not writable).
    #[error("{path}: {source}")]
    Open {
        /// The database file.
        path: String,
        /// Why.
        source: KvOpenError,
    },
    /// The store's head or layer index is unusable.
    #[error("{path}: {source}")]
    Head {
        /// The database file.
        path: String,
        /// Why.
        source: HeadError,
    },
    /// The store is further along than the stream: it was written from another stream.
    #[error("the store has applied {applied} transactions but the stream has only {len}: another stream's store?")]
    StreamMismatch {
        /// Transactions the store's head says were applied.
        applied: u64,
        /// Transactions in the stream.
        len: usize,
    },
    /// A node fault: the runtime could not apply a transaction or write the store.
    #[error("node fault at transaction {tx}: {source}")]
    Runtime {
        /// The transaction (stream index; 0 for genesis).
        tx: u64,
        /// Why.
        source: RuntimeError,
    },
    /// The layer index could not be read or trimmed for retention.
    #[error("retention after layer {layer}: {source}")]
    LayerIndex {
        /// The layer it followed.
        layer: u64,
        /// Why.
        source: HeadError,
    },
    /// The transaction log could not be opened or written.
    #[error(transparent)]
    Log(#[from] TxLogError),
    /// The stream starts from a snapshot: a disk node applies streams from genesis.
    #[error("the stream starts from a snapshot (of {0}); a disk node applies streams from genesis")]
    SnapshotStream(String),
    /// Garbage collection failed (what it had not yet deleted is still there).
    #[error("garbage collection after layer {layer}: {source}")]
    Gc {
        /// The layer it followed.
        layer: u64,
        /// Why.
        source: GcError,
    },
}

/// What a disk run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskRun {
    /// The head the store was opened at (`None`: a new store, genesis applied).
    pub resumed_at: Option<Head>,
    /// The head at the end.
    pub head: Head,
    /// Transactions applied by this run.
    pub applied_now: u64,
    /// Each garbage collection's figures.
    pub collections: Vec<GcStats>,
}

/// Applies `stream` to the store at `db` (created if missing) from its head on.
pub fn apply_on_disk(
    db: &Path,
    stream: &Stream,
    options: &DiskOptions,
    progress: &Progress,
) -> Result<DiskRun, DiskError> {
    let path = db.display().to_string();
    if let Some(snapshot) = &stream.snapshot {
        return Err(DiskError::SnapshotStream(snapshot.store.clone()));
    }
    let durability = match options.durability {
        Durability::Layer => KvDurability::OnSync,
        Durability::Transaction => KvDurability::EveryWrite,
    };
    let kv = Arc::new(
        RedbKv::create_or_open(db, durability).map_err(|source| DiskError::Open { path: path.clone(), source })?,
    );
    let store: Arc<dyn KvStore> = kv.clone();
    let (mut rt, resumed_at) = Runtime::open_head(store.clone(), RuntimeConfig::default()).map_err(|e| match e {
        RuntimeError::Head(source) => DiskError::Head { path: path.clone(), source },
        source => DiskError::Runtime { tx: 0, source },
    })?;
    let fault = |tx: u64| move |source| DiskError::Runtime { tx, source };
    let mut applied = match resumed_at {
        Some(head) => head.applied,
        None => {
            rt.genesis(&stream.genesis).map_err(fault(0))?;
            // Genesis is layer 0's state until a layer 0 of the stream ends.
            rt.record_head(0, 0, true).map_err(fault(0))?;
            0
        }
    };
    if applied > stream.txs.len() as u64 {
        return Err(DiskError::StreamMismatch { applied, len: stream.txs.len() });
    }
    let mut log = options.log.as_deref().map(|log| TxLogWriter::open(log, applied)).transpose()?;
    progress.add(applied);
    let mut collections = Vec::new();
    let mut layers_since_gc = 0;
    let mut head = resumed_at.unwrap_or(Head { layer: 0, applied: 0, root: rt.root() });
    for (i, stx) in stream.txs.iter().enumerate().skip(applied as usize) {
        let tx = i as u64;
        rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).map_err(fault(tx))?;
        applied = tx + 1;
        if let Some(log) = &mut log {
            log.append(stx.layer, &stx.tx)?;
        }
        let layer_ends = stream.txs.get(i + 1).is_none_or(|next| next.layer != stx.layer);
        if layer_ends || options.durability == Durability::Transaction {
            // The log first: it never holds fewer transactions than the head counts.
            if let Some(log) = &mut log {
                log.sync()?;
            }
            rt.record_head(stx.layer, applied, layer_ends).map_err(fault(tx))?;
            head = Head { layer: stx.layer, applied, root: rt.root() };
        }
        if layer_ends && let Some(retain) = options.retain {
            layers_since_gc += 1;
            if layers_since_gc >= options.gc_every {
                layers_since_gc = 0;
                collections.push(retain_layers(store.as_ref(), stx.layer, retain, rt.root())?);
            }
        }
        progress.add(1);
    }
    progress.finish();
    Ok(DiskRun { resumed_at, head, applied_now: applied - resumed_at.map_or(0, |h| h.applied), collections })
}

/// Drops the layer index below the last `retain` layers ending at `layer`, then collects every entry
/// reachable from none of the retained roots (the head's among them).
fn retain_layers(kv: &dyn KvStore, layer: u64, retain: u64, head_root: svm::StateRoot) -> Result<GcStats, DiskError> {
    let gc_error = |source| DiskError::Gc { layer, source };
    let head_error = |source: HeadError| DiskError::LayerIndex { layer, source };
    let oldest = (layer + 1).saturating_sub(retain.max(1));
    head::forget_layers_before(kv, oldest).map_err(head_error)?;
    let mut roots = vec![head_root];
    for kept in head::layers(kv).map_err(head_error)? {
        if let Some(root) = head::layer_root(kv, kept).map_err(head_error)? {
            roots.push(root);
        }
    }
    gc::collect_garbage(kv, &roots).map_err(gc_error)
}
