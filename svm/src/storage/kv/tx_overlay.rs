//! One transaction's pending writes over the store, in layers: a frame that calls another pushes a layer, a
//! callee that succeeds folds its layer into its caller's, one that fails drops it. Reads see every layer,
//! newest first, then the store; nothing reaches the store until the transaction flushes them as one batch.

use super::{KvError, KvStore, WriteBatch};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// Layered pending writes over a store.
pub struct TxOverlay {
    base: Arc<dyn KvStore>,
    layers: Mutex<Vec<WriteBatch>>,
}

impl TxOverlay {
    /// No pending writes over `base`.
    pub fn new(base: Arc<dyn KvStore>) -> TxOverlay {
        TxOverlay { base, layers: Mutex::new(vec![WriteBatch::new()]) }
    }

    fn layers(&self) -> Result<MutexGuard<'_, Vec<WriteBatch>>, KvError> {
        self.layers.lock().map_err(|_| KvError::Poisoned)
    }

    /// Starts a layer: writes from now on can be dropped alone.
    pub fn push(&self) -> Result<(), KvError> {
        self.layers()?.push(WriteBatch::new());
        Ok(())
    }

    /// Drops the newest layer's writes.
    pub fn drop_layer(&self) -> Result<(), KvError> {
        let mut layers = self.layers()?;
        if layers.len() > 1 {
            layers.pop();
        }
        Ok(())
    }

    /// Keeps the newest layer's writes as part of the layer below.
    pub fn fold_layer(&self) -> Result<(), KvError> {
        let mut layers = self.layers()?;
        if layers.len() > 1
            && let Some(top) = layers.pop()
            && let Some(below) = layers.last_mut()
        {
            below.extend(top);
        }
        Ok(())
    }

    /// Drops every pending write.
    pub fn clear(&self) -> Result<(), KvError> {
        *self.layers()? = vec![WriteBatch::new()];
        Ok(())
    }

    /// Writes every pending write to the store in one atomic batch, and forgets them.
    pub fn flush(&self) -> Result<(), KvError> {
        let mut layers = self.layers()?;
        let mut all = WriteBatch::new();
        for layer in layers.drain(..) {
            all.extend(layer);
        }
        layers.push(WriteBatch::new());
        if all.is_empty() { Ok(()) } else { self.base.write(all) }
    }
}

impl KvStore for TxOverlay {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        for layer in self.layers()?.iter().rev() {
            if let Some(op) = layer.get(key) {
                return Ok(op.map(<[u8]>::to_vec));
            }
        }
        self.base.get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        if let Some(top) = self.layers()?.last_mut() {
            top.extend(batch);
        }
        Ok(())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        let mut keys: BTreeSet<Vec<u8>> = self.base.keys_with_prefix(prefix)?.into_iter().collect();
        for layer in self.layers()?.iter() {
            for (key, op) in layer.iter().filter(|(key, _)| key.starts_with(prefix)) {
                match op {
                    Some(_) => keys.insert(key.to_vec()),
                    None => keys.remove(key),
                };
            }
        }
        Ok(keys.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::kv::MemKv;

    fn put(kv: &dyn KvStore, key: &[u8], value: &[u8]) {
        let mut batch = WriteBatch::new();
        batch.put(key.to_vec(), value.to_vec());
        kv.write(batch).unwrap();
    }

    #[test]
    fn a_dropped_layer_leaves_nothing_and_a_folded_one_reaches_the_store_only_at_the_flush() {
        let base: Arc<dyn KvStore> = Arc::new(MemKv::new());
        put(base.as_ref(), b"a", b"0");
        let overlay = TxOverlay::new(base.clone());
        put(&overlay, b"a", b"1");
        overlay.push().unwrap();
        put(&overlay, b"b", b"2");
        assert_eq!(overlay.get(b"b").unwrap(), Some(b"2".to_vec()));
        overlay.drop_layer().unwrap();
        assert_eq!(overlay.get(b"b").unwrap(), None);
        overlay.push().unwrap();
        put(&overlay, b"c", b"3");
        overlay.push().unwrap();
        put(&overlay, b"a", b"4");
        overlay.fold_layer().unwrap();
        overlay.fold_layer().unwrap();
        assert_eq!(overlay.get(b"a").unwrap(), Some(b"4".to_vec()));
        assert_eq!(overlay.keys_with_prefix(b"").unwrap(), vec![b"a".to_vec(), b"c".to_vec()]);
        assert_eq!(base.get(b"a").unwrap(), Some(b"0".to_vec()), "nothing reaches the store before the flush");
        overlay.flush().unwrap();
        assert_eq!(base.get(b"a").unwrap(), Some(b"4".to_vec()));
        assert_eq!(base.get(b"c").unwrap(), Some(b"3".to_vec()));
        assert_eq!(base.get(b"b").unwrap(), None);
    }
}
