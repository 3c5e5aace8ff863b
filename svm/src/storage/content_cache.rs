//! A bounded in-memory cache for content-addressed values: each key is the hash of its value, so an
//! entry can never be stale and a hit is always the same answer as a miss.

use crate::Hash;
use crate::storage::digest_hasher::DigestState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Values by their hash, at most `capacity` of them, in two generations: new values go to the young one;
/// when it is full it becomes the old one (the previous old one is dropped) and a hit in the old one moves
/// the value back to the young one. What is used keeps being found; what is not ages out in two turns.
/// Eviction has no consensus effect. Safe to share between threads.
pub struct ContentCache<V> {
    generations: Mutex<Generations<V>>,
    /// The most values one generation holds.
    generation: usize,
    /// Whether there is room for an old generation (not with room for one value only).
    keep_old: bool,
}

/// The two generations.
struct Generations<V> {
    young: HashMap<Hash, Arc<V>, DigestState>,
    old: HashMap<Hash, Arc<V>, DigestState>,
}

impl<V> ContentCache<V> {
    /// An empty cache holding at most `capacity` values.
    pub fn new(capacity: usize) -> ContentCache<V> {
        let generations = Generations { young: HashMap::default(), old: HashMap::default() };
        // Room for one value only: one generation of one, and no old generation.
        let (generation, keep_old) = if capacity == 1 { (1, false) } else { (capacity / 2, true) };
        ContentCache { generations: Mutex::new(generations), generation, keep_old }
    }

    /// The value whose hash is `hash`, if cached.
    pub fn get(&self, hash: &Hash) -> Option<Arc<V>> {
        let mut generations = self.generations.lock().ok()?;
        if let Some(value) = generations.young.get(hash) {
            return Some(value.clone());
        }
        let value = generations.old.remove(hash)?;
        self.admit(&mut generations, *hash, value.clone());
        Some(value)
    }

    /// Remembers `value` under `hash`; the caller guarantees `hash` is the value's hash.
    pub fn insert(&self, hash: Hash, value: Arc<V>) {
        self.insert_all([(hash, value)]);
    }

    /// Remembers every `(hash, value)` of `entries`, under one lock; the caller guarantees each hash is its
    /// value's hash.
    pub fn insert_all(&self, entries: impl IntoIterator<Item = (Hash, Arc<V>)>) {
        if self.generation == 0 {
            return;
        }
        if let Ok(mut generations) = self.generations.lock() {
            for (hash, value) in entries {
                self.admit(&mut generations, hash, value);
            }
        }
    }

    /// Puts `value` in the young generation, turning the generations over first when it is full.
    fn admit(&self, generations: &mut Generations<V>, hash: Hash, value: Arc<V>) {
        if generations.young.len() >= self.generation && !generations.young.contains_key(&hash) {
            // Sized for a whole generation up front: growing it by doubling rehashes it again and again.
            let fresh = HashMap::with_capacity_and_hasher(self.generation, DigestState::default());
            let young = std::mem::replace(&mut generations.young, fresh);
            generations.old = if self.keep_old { young } else { HashMap::default() };
            generations.old.remove(&hash);
        }
        generations.young.insert(hash, value);
    }

    /// The number of cached values.
    pub fn len(&self) -> usize {
        self.generations.lock().map_or(0, |g| g.young.len() + g.old.len())
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
        for capacity in [1, 2, 3, 8] {
            let cache = ContentCache::new(capacity);
            for i in 0..20u8 {
                cache.insert(Hash([i; 32]), Arc::new(i));
                assert!(cache.len() <= capacity, "capacity {capacity}: {} cached", cache.len());
                assert_eq!(cache.get(&Hash([i; 32])).as_deref(), Some(&i), "the newest value is always there");
            }
        }
        let none = ContentCache::new(0);
        none.insert(Hash([1; 32]), Arc::new(1));
        assert!(none.is_empty());
        assert_eq!(none.get(&Hash([1; 32])), None);
    }

    #[test]
    fn a_value_in_use_survives_turnovers_that_drop_the_unused_ones() {
        let cache = ContentCache::new(8);
        cache.insert(Hash([0; 32]), Arc::new(0u8));
        for i in 1..=40u8 {
            cache.insert(Hash([i; 32]), Arc::new(i));
            assert_eq!(cache.get(&Hash([0; 32])).as_deref(), Some(&0), "the hot value, after {i} inserts");
        }
        assert_eq!(cache.get(&Hash([1; 32])), None, "an unused value ages out");
    }
}
