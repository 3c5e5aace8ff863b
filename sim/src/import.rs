//! Importing what a node saw: the transactions of its log after a snapshot of its store, as a stream
//! that starts from that snapshot — so that a chain split on live state replays, shrinks and is
//! explained like any other stream.

use crate::tx_log::{LoggedTx, TxLogError, read_tx_log};
use std::collections::BTreeMap;
use std::path::Path;
use svm::storage::head::{HeadError, retained_layer};
use svm::storage::kv::{KvDurability, KvOpenError, RedbKv};
use svm::transaction::Transaction;
use svm_fuzzing::stream::{Snapshot, Stream, StreamContract, StreamTx};
use thiserror::Error;

/// Why an import failed (nothing is written).
#[derive(Debug, Error)]
pub enum ImportError {
    /// The log is unusable.
    #[error(transparent)]
    Log(#[from] TxLogError),
    /// The snapshot's store could not be opened.
    #[error("{path}: {source}")]
    Store {
        /// The store.
        path: String,
        /// Why.
        source: KvOpenError,
    },
    /// The store does not retain the layer (or its index is damaged).
    #[error("{path}: {source}")]
    Layer {
        /// The store.
        path: String,
        /// Why.
        source: HeadError,
    },
    /// The log holds fewer transactions than the snapshot had applied.
    #[error("the snapshot at layer {layer} had applied {applied} transactions, but the log holds only {logged}")]
    LogTooShort {
        /// The layer.
        layer: u64,
        /// Transactions applied by then.
        applied: u64,
        /// Transactions in the log.
        logged: usize,
    },
    /// A transaction after the snapshot is logged in a layer not after it: not this node's log.
    #[error(
        "transaction {index} of the log is in layer {found}, but the snapshot is of layer {layer}: another node's log?"
    )]
    LayerOrder {
        /// Its index in the log.
        index: usize,
        /// Its layer.
        found: u64,
        /// The snapshot's layer.
        layer: u64,
    },
}

/// The stream of `log`'s transactions after layer `layer` of the node store at `store`, starting from
/// that layer's snapshot.
pub fn import(log: &Path, store: &Path, layer: u64) -> Result<Stream, ImportError> {
    let path = store.display().to_string();
    let logged = read_tx_log(log)?;
    let kv = RedbKv::open_existing(store, KvDurability::OnSync)
        .map_err(|source| ImportError::Store { path: path.clone(), source })?;
    let head = retained_layer(&kv, layer).map_err(|source| ImportError::Layer { path: path.clone(), source })?;
    let after = usize::try_from(head.applied).unwrap_or(usize::MAX);
    if logged.len() < after {
        return Err(ImportError::LogTooShort { layer, applied: head.applied, logged: logged.len() });
    }
    let snapshot = Snapshot { store: path, layer, root: head.root.to_string(), applied: head.applied };
    stream_after(&logged, after, snapshot)
}

/// The stream of `logged[after..]` from `snapshot`, with the code its deploys and library deploys carry.
fn stream_after(logged: &[LoggedTx], after: usize, snapshot: Snapshot) -> Result<Stream, ImportError> {
    let mut contracts = BTreeMap::new();
    let mut txs = Vec::with_capacity(logged.len() - after);
    for (index, entry) in logged.iter().enumerate().skip(after) {
        if entry.layer <= snapshot.layer {
            return Err(ImportError::LayerOrder { index, found: entry.layer, layer: snapshot.layer });
        }
        let code = match &entry.tx {
            Transaction::Deploy(d) => Some(&d.code),
            Transaction::DeployLibrary(l) => Some(&l.code),
            _ => None,
        };
        if let Some(code) = code {
            let hash = svm::code::code_hash(code);
            let name = format!("imported-{}", &hash.to_string()[..12]);
            contracts.entry(hash).or_insert(StreamContract { name, code: code.clone(), plan: None });
        }
        txs.push(StreamTx { layer: entry.layer, tx: entry.tx.clone() });
    }
    Ok(Stream { seed: 0, genesis: Vec::new(), snapshot: Some(snapshot), contracts, txs })
}
