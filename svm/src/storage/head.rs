//! The durable head and the layer index: which root a node's store stands at, and the root each
//! committed layer ended at. Both live in the kv store beside the content they name, and are written
//! only after that content: a head never names a root whose entries are not all stored.

use super::kv::{KvError, KvStore, WriteBatch, namespace};
use crate::StateRoot;
use thiserror::Error;

/// The head record's format version.
const HEAD_VERSION: u8 = 1;
/// The head record's length: version, consensus version, layer, applied, root.
const HEAD_LEN: usize = 1 + 4 + 8 + 8 + 32;

/// Where a node's store stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The layer of the last transaction applied (0 right after genesis).
    pub layer: u64,
    /// Transactions applied since genesis (the next one to apply is this index of the stream).
    pub applied: u64,
    /// The state root after them.
    pub root: StateRoot,
}

/// Why the head or the layer index could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HeadError {
    /// The kv store failed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// The head record is not one this build writes.
    #[error("the stored head is damaged or of another format ({0})")]
    Corrupt(String),
    /// The store was written under other consensus rules.
    #[error(
        "the store was written under consensus version {found}; this build runs consensus version {}",
        crate::CONSENSUS_VERSION
    )]
    ConsensusVersion {
        /// The version the head names.
        found: u32,
    },
    /// A layer-index entry is not a root and a transaction count.
    #[error("the layer index entry of layer {0} is damaged")]
    CorruptLayer(u64),
    /// The layer is not in the index: never committed here, or older than what the store retains.
    #[error("layer {layer} is not retained (the store indexes {})", describe_layers(retained))]
    NotRetained {
        /// The layer asked for.
        layer: u64,
        /// The layers the index holds, oldest first.
        retained: Vec<u64>,
    },
}

fn describe_layers(layers: &[u64]) -> String {
    match (layers.first(), layers.last()) {
        (Some(first), Some(last)) if first == last => format!("layer {first} only"),
        (Some(first), Some(last)) => format!("{} layers, {first} to {last}", layers.len()),
        _ => "no layer".into(),
    }
}

fn head_key() -> Vec<u8> {
    vec![namespace::HEAD]
}

fn layer_key(layer: u64) -> Vec<u8> {
    namespace::key(namespace::LAYER, &layer.to_be_bytes())
}

fn encode(head: &Head) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEAD_LEN);
    out.push(HEAD_VERSION);
    out.extend_from_slice(&crate::CONSENSUS_VERSION.to_le_bytes());
    out.extend_from_slice(&head.layer.to_le_bytes());
    out.extend_from_slice(&head.applied.to_le_bytes());
    out.extend_from_slice(head.root.0.as_bytes());
    out
}

fn decode(bytes: &[u8]) -> Result<Head, HeadError> {
    if bytes.len() != HEAD_LEN || bytes[0] != HEAD_VERSION {
        return Err(HeadError::Corrupt(format!("{} bytes, version {:?}", bytes.len(), bytes.first())));
    }
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    let found = u32_at(1);
    if found != crate::CONSENSUS_VERSION {
        return Err(HeadError::ConsensusVersion { found });
    }
    let root: [u8; 32] = bytes[21..53].try_into().map_err(|_| HeadError::Corrupt("short root".into()))?;
    Ok(Head { layer: u64_at(5), applied: u64_at(13), root: StateRoot(crate::Hash(root)) })
}

/// The head of the store, or `None` for a store no head was ever recorded in.
pub fn read_head(kv: &dyn KvStore) -> Result<Option<Head>, HeadError> {
    kv.get(&head_key())?.map(|bytes| decode(&bytes)).transpose()
}

/// A layer-index entry: the root the layer ended at, then the transactions applied by then.
fn encode_layer(head: &Head) -> Vec<u8> {
    let mut out = head.root.0.as_bytes().to_vec();
    out.extend_from_slice(&head.applied.to_le_bytes());
    out
}

/// Adds to `batch` the head record `head` and, when `layer_complete`, its layer's index entry.
pub fn put_head(batch: &mut WriteBatch, head: &Head, layer_complete: bool) {
    batch.put(head_key(), encode(head));
    if layer_complete {
        batch.put(layer_key(head.layer), encode_layer(head));
    }
}

/// Records `head` (and, when `layer_complete`, the layer index entry of its layer) in one batch,
/// then makes every write so far durable. Call it only after the writes that made `head.root`.
pub fn record_head(kv: &dyn KvStore, head: &Head, layer_complete: bool) -> Result<(), KvError> {
    let mut batch = WriteBatch::new();
    put_head(&mut batch, head, layer_complete);
    kv.write(batch)?;
    kv.sync()
}

/// Where the store stood when layer `layer` ended, if the index holds it.
pub fn layer_head(kv: &dyn KvStore, layer: u64) -> Result<Option<Head>, HeadError> {
    let Some(bytes) = kv.get(&layer_key(layer))? else { return Ok(None) };
    if bytes.len() != 40 {
        return Err(HeadError::CorruptLayer(layer));
    }
    let root: [u8; 32] = bytes[..32].try_into().map_err(|_| HeadError::CorruptLayer(layer))?;
    let applied = u64::from_le_bytes(bytes[32..].try_into().map_err(|_| HeadError::CorruptLayer(layer))?);
    Ok(Some(Head { layer, applied, root: StateRoot(crate::Hash(root)) }))
}

/// Where the store stood when layer `layer` ended, or a typed error naming what the index retains.
pub fn retained_layer(kv: &dyn KvStore, layer: u64) -> Result<Head, HeadError> {
    layer_head(kv, layer)?.ok_or_else(|| match layers(kv) {
        Ok(retained) => HeadError::NotRetained { layer, retained },
        Err(e) => e,
    })
}

/// The root layer `layer` ended at, if the index holds it.
pub fn layer_root(kv: &dyn KvStore, layer: u64) -> Result<Option<StateRoot>, HeadError> {
    Ok(layer_head(kv, layer)?.map(|h| h.root))
}

/// Moves the head back to where layer `layer` ended and drops the index entries of every later layer
/// (their states become collectable), in one batch, then syncs. The caller checks first that the
/// layer's root is whole.
pub fn rewind_head(kv: &dyn KvStore, layer: u64) -> Result<Head, HeadError> {
    let head = retained_layer(kv, layer)?;
    let mut batch = WriteBatch::new();
    for later in layers(kv)?.into_iter().filter(|l| *l > layer) {
        batch.delete(layer_key(later));
    }
    put_head(&mut batch, &head, true);
    kv.write(batch)?;
    kv.sync()?;
    Ok(head)
}

/// Every indexed layer, oldest first.
pub fn layers(kv: &dyn KvStore) -> Result<Vec<u64>, HeadError> {
    let keys = kv.keys_with_prefix(&[namespace::LAYER])?;
    keys.iter()
        .map(|key| {
            let bytes: [u8; 8] = key
                .get(1..9)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| HeadError::Corrupt(format!("layer index key of {} bytes", key.len())))?;
            Ok(u64::from_be_bytes(bytes))
        })
        .collect()
}

/// Drops the index entries of every layer before `layer` (their roots become collectable).
pub fn forget_layers_before(kv: &dyn KvStore, layer: u64) -> Result<usize, HeadError> {
    let mut batch = WriteBatch::new();
    for old in layers(kv)?.into_iter().filter(|l| *l < layer) {
        batch.delete(layer_key(old));
    }
    let dropped = batch.len();
    if dropped > 0 {
        kv.write(batch)?;
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;

    fn root(byte: u8) -> StateRoot {
        StateRoot(crate::Hash([byte; 32]))
    }

    #[test]
    fn the_head_and_the_layer_index_round_trip() {
        let kv = MemKv::new();
        assert_eq!(read_head(&kv).unwrap(), None);
        let head = Head { layer: 7, applied: 40, root: root(1) };
        record_head(&kv, &head, true).unwrap();
        record_head(&kv, &Head { layer: 8, applied: 43, root: root(2) }, false).unwrap();
        assert_eq!(read_head(&kv).unwrap(), Some(Head { layer: 8, applied: 43, root: root(2) }));
        assert_eq!(layer_root(&kv, 7).unwrap(), Some(root(1)));
        assert_eq!(layer_root(&kv, 8).unwrap(), None, "an incomplete layer is not indexed");
        record_head(&kv, &Head { layer: 300, applied: 50, root: root(3) }, true).unwrap();
        assert_eq!(layers(&kv).unwrap(), vec![7, 300], "big-endian keys sort by layer");
        assert_eq!(layer_head(&kv, 300).unwrap(), Some(Head { layer: 300, applied: 50, root: root(3) }));
        assert_eq!(forget_layers_before(&kv, 300).unwrap(), 1);
        assert_eq!(layers(&kv).unwrap(), vec![300]);
        assert_eq!(retained_layer(&kv, 7), Err(HeadError::NotRetained { layer: 7, retained: vec![300] }));
    }

    #[test]
    fn rewinding_moves_the_head_back_and_forgets_later_layers() {
        let kv = MemKv::new();
        for (layer, applied) in [(1, 3), (2, 5), (3, 9)] {
            record_head(&kv, &Head { layer, applied, root: root(layer as u8) }, true).unwrap();
        }
        record_head(&kv, &Head { layer: 4, applied: 10, root: root(4) }, false).unwrap();
        let head = rewind_head(&kv, 2).unwrap();
        assert_eq!(head, Head { layer: 2, applied: 5, root: root(2) });
        assert_eq!(read_head(&kv).unwrap(), Some(head));
        assert_eq!(layers(&kv).unwrap(), vec![1, 2]);
        // Past what is retained: a typed error, and nothing written.
        forget_layers_before(&kv, 2).unwrap();
        let err = rewind_head(&kv, 1).unwrap_err();
        assert_eq!(err, HeadError::NotRetained { layer: 1, retained: vec![2] });
        assert_eq!(err.to_string(), "layer 1 is not retained (the store indexes layer 2 only)");
        assert_eq!(read_head(&kv).unwrap(), Some(head));
    }

    #[test]
    fn a_damaged_head_or_one_from_other_rules_is_a_typed_error() {
        let kv = MemKv::new();
        let mut batch = WriteBatch::new();
        batch.put(head_key(), vec![1, 2, 3]);
        kv.write(batch).unwrap();
        assert!(matches!(read_head(&kv), Err(HeadError::Corrupt(_))));
        let mut other = encode(&Head { layer: 1, applied: 1, root: root(1) });
        other[1..5].copy_from_slice(&(crate::CONSENSUS_VERSION + 1).to_le_bytes());
        let mut batch = WriteBatch::new();
        batch.put(head_key(), other);
        kv.write(batch).unwrap();
        assert_eq!(read_head(&kv), Err(HeadError::ConsensusVersion { found: crate::CONSENSUS_VERSION + 1 }));
    }
}
