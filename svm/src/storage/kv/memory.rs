//! The in-memory kv store, for tests and the simulator.

use super::{KvError, KvStore, WriteBatch, namespace};
use crate::storage::digest_hasher::DigestState;
use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;

/// One stored key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// An in-memory kv store. Content-addressed entries (keyed by hash, the bulk of any state) live in hash
/// maps, whose inserts stay cheap as the store fills — 256 of them, picked by the hash's first byte, so
/// that growing one moves 1/256 of the store at a time instead of stalling one write on all of it;
/// every other key lives in an ordered map. Whatever lists keys sorts them: iteration is always in key
/// order.
#[derive(Debug, Default)]
pub struct MemKv {
    maps: RwLock<Maps>,
}

/// The two halves of the key space; a key's first byte says which one holds it.
#[derive(Debug)]
struct Maps {
    content: Vec<ContentMap>,
    other: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// One shard of the content-addressed entries.
type ContentMap = HashMap<Vec<u8>, Vec<u8>, DigestState>;

/// How many shards hold the content-addressed entries.
const SHARDS: usize = 256;

impl Default for Maps {
    fn default() -> Maps {
        Maps { content: (0..SHARDS).map(|_| ContentMap::default()).collect(), other: BTreeMap::new() }
    }
}

impl Maps {
    /// The map that holds `key`.
    fn of(&mut self, key: &[u8]) -> Half<'_> {
        if is_content(key) { Half::Content(&mut self.content[shard(key)]) } else { Half::Other(&mut self.other) }
    }

    /// The value stored under `key`.
    fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        if is_content(key) { self.content[shard(key)].get(key) } else { self.other.get(key) }
    }

    /// The number of stored keys.
    fn len(&self) -> usize {
        self.content.iter().map(HashMap::len).sum::<usize>() + self.other.len()
    }

    /// The entries whose keys start with `prefix`, in key order.
    fn with_prefix(&self, prefix: &[u8]) -> Vec<(&Vec<u8>, &Vec<u8>)> {
        let other = self.other.range(prefix.to_vec()..).take_while(|(k, _)| k.starts_with(prefix));
        let mut entries: Vec<_> = other.collect();
        if prefix.is_empty() || is_content(prefix) {
            let shards: &[ContentMap] =
                if prefix.len() >= 2 { std::slice::from_ref(&self.content[shard(prefix)]) } else { &self.content };
            entries.extend(shards.iter().flat_map(|map| map.iter().filter(|(k, _)| k.starts_with(prefix))));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries
    }
}

/// The shard of a content key (or of a prefix of at least two bytes): its hash's first byte.
fn shard(key: &[u8]) -> usize {
    key.get(1).map_or(0, |&byte| usize::from(byte))
}

/// A mutable borrow of one half.
enum Half<'m> {
    Content(&'m mut ContentMap),
    Other(&'m mut BTreeMap<Vec<u8>, Vec<u8>>),
}

/// Whether `key` lies in a content-addressed namespace.
fn is_content(key: &[u8]) -> bool {
    key.first().is_some_and(|byte| namespace::CONTENT.contains(byte))
}

impl MemKv {
    /// An empty store.
    pub fn new() -> MemKv {
        MemKv::default()
    }

    /// The number of stored keys.
    pub fn len(&self) -> Result<usize, KvError> {
        Ok(self.maps.read().map_err(|_| KvError::Poisoned)?.len())
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> Result<bool, KvError> {
        Ok(self.len()? == 0)
    }

    /// A copy of every entry, in key order.
    pub fn entries(&self) -> Result<Vec<Entry>, KvError> {
        let maps = self.maps.read().map_err(|_| KvError::Poisoned)?;
        Ok(maps.with_prefix(b"").into_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
}

impl KvStore for MemKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        let maps = self.maps.read().map_err(|_| KvError::Poisoned)?;
        Ok(maps.get(key).cloned())
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        // One write lock for the whole batch: readers see all of it or none of it.
        let mut maps = self.maps.write().map_err(|_| KvError::Poisoned)?;
        for (key, value) in batch.into_ops() {
            match (maps.of(&key), value) {
                (Half::Content(map), Some(value)) => drop(map.insert(key, value)),
                (Half::Content(map), None) => drop(map.remove(&key)),
                (Half::Other(map), Some(value)) => drop(map.insert(key, value)),
                (Half::Other(map), None) => drop(map.remove(&key)),
            }
        }
        Ok(())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        let maps = self.maps.read().map_err(|_| KvError::Poisoned)?;
        Ok(maps.with_prefix(prefix).into_iter().map(|(k, _)| k.clone()).collect())
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
    fn content_and_other_keys_list_together_in_key_order() {
        // `p…` and `a…` are content namespaces (hash map), `l…` and `h` are not (ordered map).
        let kv = MemKv::new();
        let keys: [&[u8]; 7] = [b"p\x02", b"l\x01", b"a\x09", b"h", b"p\x01", b"a\x01", b"l\x00"];
        for key in keys {
            let mut batch = WriteBatch::new();
            batch.put(key.to_vec(), vec![key.len() as u8]);
            kv.write(batch).unwrap();
        }
        let mut sorted: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
        sorted.sort();
        assert_eq!(kv.keys_with_prefix(b"").unwrap(), sorted);
        assert_eq!(kv.keys_with_prefix(b"p").unwrap(), vec![b"p\x01".to_vec(), b"p\x02".to_vec()]);
        assert_eq!(kv.keys_with_prefix(b"l").unwrap(), vec![b"l\x00".to_vec(), b"l\x01".to_vec()]);
        assert_eq!(kv.keys_with_prefix(b"a\x09").unwrap(), vec![b"a\x09".to_vec()]);
        assert_eq!(kv.entries().unwrap().into_iter().map(|(k, _)| k).collect::<Vec<_>>(), sorted);
        assert_eq!((kv.get(b"p\x02").unwrap(), kv.get(b"h").unwrap()), (Some(vec![2]), Some(vec![1])));
        let mut batch = WriteBatch::new();
        batch.delete(b"p\x02".to_vec());
        batch.delete(b"l\x01".to_vec());
        kv.write(batch).unwrap();
        assert_eq!((kv.get(b"p\x02").unwrap(), kv.get(b"l\x01").unwrap()), (None, None));
        assert_eq!(kv.len().unwrap(), 5);
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
