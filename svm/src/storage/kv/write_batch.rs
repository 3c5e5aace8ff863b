//! An ordered set of puts and deletes applied to a kv store as one atomic unit.

use std::collections::BTreeMap;

/// Puts and deletes keyed by key (the last operation on a key wins), iterated in key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteBatch {
    ops: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
}

impl WriteBatch {
    /// An empty batch.
    pub fn new() -> WriteBatch {
        WriteBatch::default()
    }

    /// Stores `value` under `key` when the batch is written.
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.insert(key.into(), Some(value.into()));
    }

    /// Removes `key` when the batch is written.
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.ops.insert(key.into(), None);
    }

    /// The number of distinct keys the batch touches.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch touches no key.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The pending operation on `key`: `Some(Some(value))` a put, `Some(None)` a delete.
    pub fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        self.ops.get(key).map(Option::as_deref)
    }

    /// Adds `later`'s operations, which win over this batch's on the same key.
    pub fn extend(&mut self, later: WriteBatch) {
        if self.ops.is_empty() {
            self.ops = later.ops;
        } else {
            let mut later = later.ops;
            // A merge of two sorted maps (later values win), not one insertion per key.
            self.ops.append(&mut later);
        }
    }

    /// The operations in key order: `Some(value)` for a put, `None` for a delete.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        self.ops.iter().map(|(k, v)| (k.as_slice(), v.as_deref()))
    }

    /// Consumes the batch into its operations, in key order.
    pub fn into_ops(self) -> impl Iterator<Item = (Vec<u8>, Option<Vec<u8>>)> {
        self.ops.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_operation_on_a_key_wins_and_iteration_is_key_ordered() {
        let mut batch = WriteBatch::new();
        batch.put(b"b".to_vec(), b"1".to_vec());
        batch.put(b"a".to_vec(), b"2".to_vec());
        batch.delete(b"b".to_vec());
        batch.put(b"c".to_vec(), b"3".to_vec());
        let ops: Vec<_> = batch.iter().collect();
        assert_eq!(ops, vec![(&b"a"[..], Some(&b"2"[..])), (&b"b"[..], None), (&b"c"[..], Some(&b"3"[..]))]);
        assert_eq!(batch.len(), 3);
    }
}
