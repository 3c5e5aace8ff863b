//! The in-memory kv store, for tests and the simulator.

use super::{KvError, KvStore, WriteBatch};
use std::collections::BTreeMap;
use std::sync::RwLock;

/// One stored key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// An in-memory kv store over an ordered map: iteration is always in key order.
#[derive(Debug, Default)]
pub struct MemKv {
    map: RwLock<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemKv {
    /// An empty store.
    pub fn new() -> MemKv {
        MemKv::default()
    }

    /// The number of stored keys.
    pub fn len(&self) -> Result<usize, KvError> {
        Ok(self.map.read().map_err(|_| KvError::Poisoned)?.len())
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> Result<bool, KvError> {
        Ok(self.len()? == 0)
    }

    /// A copy of every entry, in key order.
    pub fn entries(&self) -> Result<Vec<Entry>, KvError> {
        let map = self.map.read().map_err(|_| KvError::Poisoned)?;
        Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

impl KvStore for MemKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.map.read().map_err(|_| KvError::Poisoned)?.get(key).cloned())
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        // One write lock for the whole batch: readers see all of it or none of it.
        let mut map = self.map.write().map_err(|_| KvError::Poisoned)?;
        for (key, value) in batch.into_ops() {
            match value {
                Some(value) => map.insert(key, value),
                None => map.remove(&key),
            };
        }
        Ok(())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        let map = self.map.read().map_err(|_| KvError::Poisoned)?;
        Ok(map.range(prefix.to_vec()..).map(|(k, _)| k).take_while(|k| k.starts_with(prefix)).cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn put_get_delete() {
        let kv = MemKv::new();
        let mut batch = WriteBatch::new();
        batch.put(b"k".to_vec(), b"v".to_vec());
        kv.write(batch).unwrap();
        assert_eq!(kv.get(b"k").unwrap(), Some(b"v".to_vec()));
        let mut batch = WriteBatch::new();
        batch.delete(b"k".to_vec());
        kv.write(batch).unwrap();
        assert_eq!(kv.get(b"k").unwrap(), None);
        assert!(kv.is_empty().unwrap());
    }

    #[test]
    fn entries_come_out_in_key_order_whatever_the_insertion_order() {
        let kv = MemKv::new();
        for key in [b"c", b"a", b"b"] {
            let mut batch = WriteBatch::new();
            batch.put(key.to_vec(), key.to_vec());
            kv.write(batch).unwrap();
        }
        let keys: Vec<_> = kv.entries().unwrap().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn a_concurrent_reader_never_sees_half_a_batch() {
        // Every batch writes the same counter to both keys; a reader must always see them equal.
        let kv = Arc::new(MemKv::new());
        let done = Arc::new(AtomicBool::new(false));
        let reader = {
            let (kv, done) = (kv.clone(), done.clone());
            std::thread::spawn(move || {
                let mut torn = 0;
                while !done.load(Ordering::Relaxed) {
                    // entries() reads under one lock: a snapshot between batches, never inside one.
                    let entries = kv.entries().unwrap();
                    if entries.len() == 1 || (entries.len() == 2 && entries[0].1 != entries[1].1) {
                        torn += 1;
                    }
                }
                torn
            })
        };
        for i in 0u32..20_000 {
            let mut batch = WriteBatch::new();
            batch.put(b"x".to_vec(), i.to_le_bytes().to_vec());
            batch.put(b"y".to_vec(), i.to_le_bytes().to_vec());
            kv.write(batch).unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert_eq!(reader.join().unwrap(), 0);
    }
}
