//! A least-recently-used map with a weight budget: the bound on every node-local cache of compiled code.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

struct Entry<V> {
    value: V,
    weight: u64,
    used: u64,
}

/// Entries by key, each with a weight; when the total weight passes the budget, the least recently
/// used entries go first. Node-local only: what is cached never changes a result, only its speed.
pub struct Lru<K, V> {
    entries: HashMap<K, Entry<V>>,
    /// Keys by the tick of their last use, oldest first.
    order: BTreeMap<u64, K>,
    tick: u64,
    weight: u64,
    budget: u64,
    evictions: u64,
}

impl<K: Clone + Eq + Hash, V> Lru<K, V> {
    /// An empty map holding at most `budget` total weight (the newest entry is always kept, whatever
    /// its weight).
    pub fn new(budget: u64) -> Lru<K, V> {
        Lru { entries: HashMap::new(), order: BTreeMap::new(), tick: 0, weight: 0, budget, evictions: 0 }
    }

    /// The value under `key`, marked as just used.
    pub fn get(&mut self, key: &K) -> Option<&V> {
        let entry = self.entries.get_mut(key)?;
        self.tick += 1;
        self.order.remove(&entry.used);
        self.order.insert(self.tick, key.clone());
        entry.used = self.tick;
        Some(&entry.value)
    }

    /// Stores `value` under `key` with `weight`, then evicts the least recently used entries until the
    /// total fits the budget.
    pub fn insert(&mut self, key: K, value: V, weight: u64) {
        self.remove(&key);
        self.tick += 1;
        self.order.insert(self.tick, key.clone());
        self.entries.insert(key, Entry { value, weight, used: self.tick });
        self.weight += weight;
        while self.weight > self.budget && self.entries.len() > 1 {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.weight -= evicted.weight;
                self.evictions += 1;
            }
        }
    }

    /// Removes `key`; its value, if it was there.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let entry = self.entries.remove(key)?;
        self.order.remove(&entry.used);
        self.weight -= entry.weight;
        Some(entry.value)
    }

    /// The keys held, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.keys()
    }

    /// The number of entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The total weight held.
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// How many entries were evicted to stay within the budget.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_first_and_stays_within_budget() {
        let mut lru = Lru::new(10);
        lru.insert("a", 1, 4);
        lru.insert("b", 2, 4);
        assert_eq!(lru.get(&"a"), Some(&1)); // b is now the oldest
        lru.insert("c", 3, 4);
        assert_eq!(lru.get(&"b"), None);
        assert_eq!(lru.get(&"a"), Some(&1));
        assert_eq!(lru.get(&"c"), Some(&3));
        assert_eq!((lru.len(), lru.weight(), lru.evictions()), (2, 8, 1));
    }

    #[test]
    fn an_entry_over_budget_is_kept_alone_and_reinserting_replaces() {
        let mut lru = Lru::new(3);
        lru.insert(1, "small", 1);
        lru.insert(2, "huge", 100);
        assert_eq!(lru.len(), 1);
        assert_eq!(lru.get(&2), Some(&"huge"));
        lru.insert(2, "small again", 1);
        assert_eq!((lru.len(), lru.weight()), (1, 1));
        assert_eq!(lru.get(&2), Some(&"small again"));
        assert_eq!(lru.remove(&2), Some("small again"));
        assert!(lru.is_empty());
    }
}
