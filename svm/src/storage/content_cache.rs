//! A bounded in-memory cache for content-addressed values: each key is the hash of its value, so an
//! entry can never be stale and a hit is always the same answer as a miss.

use crate::Hash;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Values by their hash, at most `capacity` of them; when full, the cache starts over (no order to
/// track, no consensus effect). Safe to share between threads.
pub struct ContentCache<V> {
    entries: Mutex<HashMap<Hash, Arc<V>>>,
    capacity: usize,
}

impl<V> ContentCache<V> {
    /// An empty cache holding at most `capacity` values.
    pub fn new(capacity: usize) -> ContentCache<V> {
        ContentCache { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The value whose hash is `hash`, if cached.
    pub fn get(&self, hash: &Hash) -> Option<Arc<V>> {
        self.entries.lock().ok()?.get(hash).cloned()
    }

    /// Remembers `value` under `hash`; the caller guarantees `hash` is the value's hash.
    pub fn insert(&self, hash: Hash, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(hash, value);
        }
    }

    /// The number of cached values.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_capacity_and_zero_capacity_caches_nothing() {
        let cache = ContentCache::new(2);
        for i in 0..5u8 {
            cache.insert(Hash([i; 32]), Arc::new(i));
            assert!(cache.len() <= 2);
        }
        assert_eq!(cache.get(&Hash([4; 32])).as_deref(), Some(&4));
        let none = ContentCache::new(0);
        none.insert(Hash([1; 32]), Arc::new(1));
        assert!(none.is_empty());
    }
}
