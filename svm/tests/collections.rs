//! The collection tree against a plain ordered map: every insert, remove, lookup and cursor step
//! answers as the map does, and after a commit the tree reads back the same from the store. Its root
//! depends on the contents alone: any order of operations reaching the same contents gives the same
//! root, and so does building those contents afresh. Paths stay about `log2 n` deep for spread keys.

use proptest::prelude::*;
use std::collections::BTreeMap;
use svm::Hash;
use svm::storage::collections::CollectionTree;
use svm::storage::kv::{KvStore, MemKv, WriteBatch};

/// One operation on a tree of 2-byte keys (a small key space, so operations meet the same keys).
#[derive(Clone, Debug)]
enum Op {
    Insert([u8; 2], Vec<u8>),
    Remove([u8; 2]),
    Get([u8; 2]),
    Next(Option<[u8; 2]>),
}

fn key() -> impl Strategy<Value = [u8; 2]> {
    // Mostly a few dozen keys, sometimes any: shared prefixes and far-apart keys both.
    prop_oneof![3 => (0u8..4, 0u8..16).prop_map(|(a, b)| [a, b]), 1 => any::<[u8; 2]>()]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (key(), prop::collection::vec(any::<u8>(), 0..6)).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => key().prop_map(Op::Remove),
        1 => key().prop_map(Op::Get),
        1 => prop::option::of(key()).prop_map(Op::Next),
    ]
}

/// The root of a tree holding exactly `contents`, built afresh in key order.
fn fresh_root(contents: &BTreeMap<[u8; 2], Vec<u8>>) -> Hash {
    let kv = std::sync::Arc::new(MemKv::new());
    let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 2).unwrap();
    for (k, v) in contents {
        tree.insert(k, v).unwrap();
    }
    tree.root()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_operation_answers_as_an_ordered_map_does(ops in prop::collection::vec(op(), 1..120)) {
        let kv = std::sync::Arc::new(MemKv::new());
        let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 2).unwrap();
        let mut model: BTreeMap<[u8; 2], Vec<u8>> = BTreeMap::new();
        for op in &ops {
            match op {
                Op::Insert(k, v) => prop_assert_eq!(tree.insert(k, v).unwrap(), model.insert(*k, v.clone())),
                Op::Remove(k) => prop_assert_eq!(tree.remove(k).unwrap(), model.remove(k)),
                Op::Get(k) => prop_assert_eq!(tree.get(k).unwrap(), model.get(k).cloned()),
                Op::Next(after) => {
                    let expected = match after {
                        None => model.iter().next(),
                        Some(a) => model.range((std::ops::Bound::Excluded(*a), std::ops::Bound::Unbounded)).next(),
                    };
                    let expected = expected.map(|(k, v)| (k.to_vec(), v.clone()));
                    prop_assert_eq!(tree.next_after(after.as_ref().map(|a| &a[..])).unwrap(), expected);
                }
            }
        }
        // History independence: the same contents built afresh give the same root.
        prop_assert_eq!(tree.root(), fresh_root(&model));
        // Committed, reopened, walked with a cursor: exactly the model, in order.
        let mut batch = WriteBatch::new();
        let root = tree.commit_into(&mut batch);
        kv.write(batch).unwrap();
        let mut reopened = CollectionTree::open(kv.clone(), root, 2).unwrap();
        let mut walked = Vec::new();
        let mut cursor: Option<Vec<u8>> = None;
        while let Some((k, v)) = reopened.next_after(cursor.as_deref()).unwrap() {
            walked.push((k.clone(), v));
            cursor = Some(k);
        }
        let expected: Vec<(Vec<u8>, Vec<u8>)> = model.iter().map(|(k, v)| (k.to_vec(), v.clone())).collect();
        prop_assert_eq!(walked, expected);
    }

    #[test]
    fn any_order_of_inserts_and_removes_reaching_the_same_contents_gives_the_same_root(
        contents in prop::collection::btree_map(key(), prop::collection::vec(any::<u8>(), 0..4), 0..40),
        noise in prop::collection::vec(key(), 0..20),
        seed in any::<u64>(),
    ) {
        // The contents in a shuffled order, with keys that are inserted and removed again on the way
        // (and values overwritten before their final one).
        let mut order: Vec<_> = contents.iter().collect();
        let mut state = seed | 1;
        for i in (1..order.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            order.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let kv = std::sync::Arc::new(MemKv::new());
        let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 2).unwrap();
        for k in &noise {
            tree.insert(k, b"noise").unwrap();
        }
        for (k, v) in order {
            tree.insert(&k[..], b"earlier value").unwrap();
            tree.insert(&k[..], v).unwrap();
        }
        for k in noise.iter().filter(|k| !contents.contains_key(*k)) {
            tree.remove(k).unwrap();
        }
        prop_assert_eq!(tree.root(), fresh_root(&contents));
    }
}

#[test]
fn paths_stay_about_log2_n_deep_for_spread_keys() {
    let kv = std::sync::Arc::new(MemKv::new());
    let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 8).unwrap();
    let n = 1u64 << 14;
    for i in 0..n {
        tree.insert(&i.to_be_bytes(), b"v").unwrap();
    }
    // Sequential keys make a perfectly balanced crit-bit tree: 14 internal levels, then the leaf.
    for i in [0, 1, n / 2, n - 1] {
        let before = tree.work().nodes_read;
        tree.get(&i.to_be_bytes()).unwrap();
        assert_eq!(tree.work().nodes_read - before, 15, "key {i}");
    }
    // blake3-spread keys: about log2 n deep on average.
    let mut spread = CollectionTree::open(kv.clone(), Hash::ZERO, 32).unwrap();
    for i in 0..n {
        spread.insert(blake3::hash(&i.to_le_bytes()).as_bytes(), b"v").unwrap();
    }
    let before = spread.work().nodes_read;
    for i in 0..1000u64 {
        spread.get(blake3::hash(&i.to_le_bytes()).as_bytes()).unwrap();
    }
    let mean = (spread.work().nodes_read - before) as f64 / 1000.0;
    assert!((14.0..19.0).contains(&mean), "mean path {mean} nodes for 2^14 spread keys");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The reference VM's collection — a plain map whose root is computed by the recursive definition
    /// of `docs/consensus.md` — gives the runtime's root after every operation.
    #[test]
    fn the_reference_vm_computes_the_same_root_from_the_definition(ops in prop::collection::vec(op(), 1..80)) {
        let kv = std::sync::Arc::new(MemKv::new());
        let mut tree = CollectionTree::open(kv.clone(), Hash::ZERO, 2).unwrap();
        let mut reference = svm_reference::chain::collections::Collection::new(2);
        for op in &ops {
            match op {
                Op::Insert(k, v) => {
                    tree.insert(k, v).unwrap();
                    reference.entries.insert(k.to_vec(), v.clone());
                }
                Op::Remove(k) => {
                    tree.remove(k).unwrap();
                    reference.entries.remove(k.as_slice());
                }
                Op::Get(_) | Op::Next(_) => {}
            }
            prop_assert_eq!(tree.root(), reference.root());
        }
    }
}
