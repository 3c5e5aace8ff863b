//! The store a handle's runtime runs over: the node's kv store, plus a scratch overlay that catches
//! every write while a view call runs, so that a view commits nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use svm::storage::kv::{KvError, KvStore, WriteBatch};

/// Writes a view made: a put (`Some`) or a delete (`None`) per key.
type Scratch = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A kv store that passes everything to `base`, except during a view, when writes land in a scratch
/// overlay (and reads see them) that is dropped when the view ends.
pub struct ViewStore {
    base: Arc<dyn KvStore>,
    scratch: Mutex<Option<Scratch>>,
}

/// A view in progress: while it lives, no write reaches the base store; dropping it drops them all.
pub struct View<'a>(&'a ViewStore);

impl ViewStore {
    /// A store over `base`, not in a view.
    pub fn new(base: Arc<dyn KvStore>) -> ViewStore {
        ViewStore { base, scratch: Mutex::new(None) }
    }

    /// The node's store underneath.
    pub fn base(&self) -> &Arc<dyn KvStore> {
        &self.base
    }

    /// Starts a view: writes go to a fresh scratch overlay until the returned guard is dropped.
    pub fn begin_view(&self) -> Result<View<'_>, KvError> {
        *self.scratch.lock().map_err(|_| KvError::Poisoned)? = Some(Scratch::new());
        Ok(View(self))
    }
}

impl Drop for View<'_> {
    fn drop(&mut self) {
        // A poisoned lock still holds the overlay: drop it all the same.
        let mut scratch = self.0.scratch.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *scratch = None;
    }
}

impl KvStore for ViewStore {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        if let Some(scratch) = self.scratch.lock().map_err(|_| KvError::Poisoned)?.as_ref()
            && let Some(value) = scratch.get(key)
        {
            return Ok(value.clone());
        }
        self.base.get(key)
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        let mut scratch = self.scratch.lock().map_err(|_| KvError::Poisoned)?;
        match scratch.as_mut() {
            Some(scratch) => {
                scratch.extend(batch.into_ops());
                Ok(())
            }
            None => self.base.write(batch),
        }
    }

    fn sync(&self) -> Result<(), KvError> {
        match self.scratch.lock().map_err(|_| KvError::Poisoned)?.as_ref() {
            Some(_) => Ok(()),
            None => self.base.sync(),
        }
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        let mut keys = self.base.keys_with_prefix(prefix)?;
        if let Some(scratch) = self.scratch.lock().map_err(|_| KvError::Poisoned)?.as_ref() {
            let mut merged: std::collections::BTreeSet<Vec<u8>> = keys.into_iter().collect();
            for (key, value) in scratch.iter().filter(|(key, _)| key.starts_with(prefix)) {
                match value {
                    Some(_) => merged.insert(key.clone()),
                    None => merged.remove(key),
                };
            }
            keys = merged.into_iter().collect();
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use svm::storage::kv::MemKv;

    #[test]
    fn writes_during_a_view_are_seen_by_the_view_and_never_reach_the_base_store() {
        let base = Arc::new(MemKv::new());
        let store = ViewStore::new(base.clone());
        let mut batch = WriteBatch::new();
        batch.put(b"a".to_vec(), b"1".to_vec());
        store.write(batch).unwrap();
        {
            let _view = store.begin_view().unwrap();
            let mut batch = WriteBatch::new();
            batch.put(b"b".to_vec(), b"2".to_vec());
            batch.delete(b"a".to_vec());
            store.write(batch).unwrap();
            assert_eq!(store.get(b"b").unwrap(), Some(b"2".to_vec()));
            assert_eq!(store.get(b"a").unwrap(), None);
            assert_eq!(store.keys_with_prefix(b"").unwrap(), vec![b"b".to_vec()]);
        }
        assert_eq!(base.len().unwrap(), 1);
        assert_eq!(store.get(b"a").unwrap(), Some(b"1".to_vec()));
        assert_eq!(store.get(b"b").unwrap(), None);
    }
}
