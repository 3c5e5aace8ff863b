//! Sync from a snapshot and rewind, over a runtime's store: a synced store holds exactly what the
//! layer's root reaches (the very set garbage collection keeps) and runs on like the source; a
//! tampered or missing entry, a layer or root the source lacks, or a target with a state of its own
//! stop the sync with a typed error and no head; a sync stopped after any number of writes leaves no
//! head and a second sync finishes it; rewinding returns to a retained layer and refuses older ones.

mod common;

use common::store_history::*;
use common::*;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig, RuntimeError};
use svm::state::StateRoot;
use svm::storage::gc::collect_garbage;
use svm::storage::head::{Head, HeadError, forget_layers_before, read_head, record_head};
use svm::storage::kv::{KvStore, MemKv, WriteBatch, namespace};
use svm::storage::reach::walk_reachable;
use svm::storage::sync::{SyncError, SyncOptions, sync_head, sync_layer};

/// The history with each of its roots indexed as a layer (layer i ended at root i).
fn indexed() -> History {
    let h = history();
    // The fixture's stand-ins for keys of other kinds go: this store has a real layer index.
    let mut batch = WriteBatch::new();
    for key in FOREIGN {
        batch.delete(key.to_vec());
    }
    h.kv.write(batch).unwrap();
    for (layer, root) in h.roots.iter().enumerate() {
        let head = Head { layer: layer as u64, applied: layer as u64 * 4, root: *root };
        record_head(h.kv.as_ref(), &head, true).unwrap();
    }
    h
}

fn content_keys(kv: &MemKv) -> BTreeSet<Vec<u8>> {
    kv.entries().unwrap().into_iter().map(|(k, _)| k).filter(|k| namespace::CONTENT.contains(&k[0])).collect()
}

fn reachable(kv: &dyn KvStore, root: StateRoot) -> BTreeSet<Vec<u8>> {
    let mut keys = BTreeSet::new();
    walk_reachable(kv, &[root], &mut |r| keys.insert(r.key())).unwrap();
    keys
}

#[test]
fn a_synced_store_holds_exactly_what_the_layer_reaches_and_runs_on_like_the_source() {
    let h = indexed();
    let last = h.roots.len() as u64 - 1;
    for layer in [2, last] {
        let root = h.roots[layer as usize];
        let target = Arc::new(MemKv::new());
        let (head, stats) = sync_layer(h.kv.as_ref(), target.as_ref(), layer, Some(root)).unwrap();
        assert_eq!(head, Head { layer, applied: layer * 4, root });
        assert_eq!(read_head(target.as_ref()).unwrap(), Some(head));
        let copied = content_keys(&target);
        assert_eq!(copied, reachable(h.kv.as_ref(), root), "layer {layer}");
        assert_eq!(stats.entries, copied.len() as u64);
        let bytes: u64 =
            target.entries().unwrap().iter().filter(|(k, _)| copied.contains(k)).map(|(_, v)| v.len() as u64).sum();
        assert_eq!(stats.bytes, bytes);
        // The very set garbage collection keeps for that root.
        assert_eq!(collect_garbage(copy(&h.kv).as_ref(), &[root]).unwrap().kept, stats.entries);
        assert_eq!(
            snapshot(target.clone(), root, &h.addresses).unwrap(),
            snapshot(h.kv.clone(), root, &h.addresses).unwrap()
        );
    }
    // A node opened on the synced store runs on exactly like the source.
    let target = Arc::new(MemKv::new());
    let root = h.roots[last as usize];
    let (mut synced, _, _) =
        Runtime::sync_from(target.clone(), RuntimeConfig::default(), h.kv.as_ref(), last, None).unwrap();
    let mut source = Runtime::open(copy(&h.kv), RuntimeConfig::default(), root).unwrap();
    for _ in 0..3 {
        let a = call(&mut synced, h.counter, "inc", &[]);
        let b = call(&mut source, h.counter, "inc", &[]);
        assert!(a.outcome.is_success(), "{a:?}");
        assert_eq!(a, b);
        assert_eq!(synced.root(), source.root());
    }
}

/// `h.kv` with the entry at `key` replaced (`Some`) or deleted (`None`).
fn damaged(h: &History, key: &[u8], value: Option<Vec<u8>>) -> Arc<MemKv> {
    let kv = copy(&h.kv);
    let mut batch = WriteBatch::new();
    match value {
        Some(value) => batch.put(key.to_vec(), value),
        None => batch.delete(key.to_vec()),
    }
    kv.write(batch).unwrap();
    kv
}

#[test]
fn a_tampered_or_missing_entry_of_any_kind_stops_the_sync_with_no_head() {
    let h = indexed();
    let last = h.roots.len() as u64 - 1;
    let root = h.roots[last as usize];
    let keys = reachable(h.kv.as_ref(), root);
    for ns in namespace::CONTENT {
        // The deepest entry of its kind (not the root node: that one is its own error). A root's parts
        // are keyed by the root itself: missing, the source holds no such root.
        let parts = ns == namespace::STATE_PARTS;
        let key = keys.iter().rfind(|k| k[0] == ns && (parts || k[1..] != root.0.as_bytes()[..])).unwrap();
        let id = svm::Hash::from_slice(&key[1..]).unwrap();
        let mut flipped = h.kv.get(key).unwrap().unwrap();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        for (value, missing) in [(Some(flipped), false), (None, true)] {
            let source = damaged(&h, key, value);
            let target = MemKv::new();
            let err = sync_layer(source.as_ref(), &target, last, None).unwrap_err();
            let expected = if missing && parts {
                SyncError::RootNotInSource(root)
            } else if missing {
                SyncError::Missing { root, namespace: ns, id }
            } else {
                SyncError::Tampered { namespace: ns, id }
            };
            assert_eq!(err, expected, "namespace '{}'", ns as char);
            assert_eq!(read_head(&target).unwrap(), None);
        }
    }
    // The root's parts missing: the source does not hold that root.
    let source = damaged(&h, &svm::state::parts_key(&root), None);
    let err = sync_layer(source.as_ref(), &MemKv::new(), last, None).unwrap_err();
    assert_eq!(err, SyncError::RootNotInSource(root));
    assert_eq!(err.to_string(), format!("the source does not hold root {root}"));
    // The account trie's root node missing: named as what it is.
    let accounts = svm::state::resolve_parts(h.kv.as_ref(), root).unwrap().accounts;
    assert_ne!(accounts, root.0, "the history ends with live events");
    let source = damaged(&h, &namespace::key(namespace::ACCOUNT_NODE, accounts.as_bytes()), None);
    let err = sync_layer(source.as_ref(), &MemKv::new(), last, None).unwrap_err();
    assert_eq!(err, SyncError::Missing { root, namespace: namespace::ACCOUNT_NODE, id: accounts });
}

#[test]
fn a_layer_or_root_the_source_lacks_and_a_target_with_a_head_are_refused() {
    let h = indexed();
    let last = h.roots.len() as u64 - 1;
    let target = MemKv::new();
    let err = sync_layer(h.kv.as_ref(), &target, 99, None).unwrap_err();
    assert!(matches!(err, SyncError::SourceLayer(HeadError::NotRetained { layer: 99, .. })), "{err:?}");
    let wrong = StateRoot(svm::Hash([9; 32]));
    let err = sync_layer(h.kv.as_ref(), &target, last, Some(wrong)).unwrap_err();
    assert_eq!(err, SyncError::WrongRoot { layer: last, expected: wrong, found: h.roots[last as usize] });
    let head = Head { layer: 7, applied: 7, root: wrong };
    assert_eq!(
        sync_head(h.kv.as_ref(), &target, &head, SyncOptions::default()),
        Err(SyncError::RootNotInSource(wrong))
    );
    assert!(target.entries().unwrap().is_empty(), "nothing written");

    sync_layer(h.kv.as_ref(), &target, 2, None).unwrap();
    let err = sync_layer(h.kv.as_ref(), &target, last, None).unwrap_err();
    assert!(matches!(err, SyncError::TargetHasHead(Head { layer: 2, .. })), "{err:?}");
}

#[test]
fn a_sync_stopped_after_any_number_of_writes_leaves_no_head_and_syncing_again_finishes() {
    let h = indexed();
    let last = h.roots.len() as u64 - 1;
    let head = Head { layer: last, applied: last * 4, root: h.roots[last as usize] };
    let options = SyncOptions { batch: 4, ..SyncOptions::default() };
    let complete = Arc::new(MemKv::new());
    let counting = FailingAfter { inner: complete.clone(), allowed: AtomicUsize::new(usize::MAX) };
    sync_head(h.kv.as_ref(), &counting, &head, options).unwrap();
    let writes = usize::MAX - counting.allowed.load(std::sync::atomic::Ordering::SeqCst);
    assert!(writes >= 5, "only {writes} writes: the history is too small to test");
    // Stopped before each of them, the last (the head's) included.
    for allowed in 0..writes {
        let inner = Arc::new(MemKv::new());
        let failing = FailingAfter { inner: inner.clone(), allowed: AtomicUsize::new(allowed) };
        let err = sync_head(h.kv.as_ref(), &failing, &head, options).unwrap_err();
        assert!(matches!(err, SyncError::Target(_)), "{err:?}");
        assert_eq!(read_head(inner.as_ref()).unwrap(), None, "after {allowed} writes");
        sync_head(h.kv.as_ref(), inner.as_ref(), &head, options).unwrap();
        assert_eq!(inner.entries().unwrap(), complete.entries().unwrap(), "after {allowed} writes");
    }
}

#[test]
fn rewinding_returns_to_a_retained_layer_and_refuses_older_ones() {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), RuntimeConfig::default());
    rt.genesis(&[(account(1), FUNDS)]).unwrap();
    let counter = deployed(&mut rt, &contract("counter"));
    let mut roots = Vec::new();
    let mut txs = Vec::new();
    for layer in 1..=5u64 {
        for _ in 0..2 {
            let tx = call_tx(&rt, counter, account(1), "inc", &[], GAS);
            assert!(rt.apply(&tx, &BlockContext { layer }).unwrap().outcome.is_success());
            txs.push(tx);
        }
        rt.record_head(layer, 1 + 2 * layer, true).unwrap();
        roots.push(rt.root());
    }
    let head = rt.rewind(2).unwrap();
    assert_eq!(head, Head { layer: 2, applied: 5, root: roots[1] });
    assert_eq!((rt.root(), read_head(kv.as_ref()).unwrap()), (roots[1], Some(head)));
    assert_eq!(svm::storage::head::layers(kv.as_ref()).unwrap(), vec![1, 2]);
    // Re-applying the later layers reaches the same roots again.
    for (i, tx) in txs.iter().enumerate().skip(4) {
        let layer = i as u64 / 2 + 1;
        rt.apply(tx, &BlockContext { layer }).unwrap();
        if i % 2 == 1 {
            assert_eq!(rt.root(), roots[layer as usize - 1], "layer {layer}");
            rt.record_head(layer, 1 + 2 * layer, true).unwrap();
        }
    }
    // Past what is retained: a typed error, and the head where it was.
    forget_layers_before(kv.as_ref(), 3).unwrap();
    let before = read_head(kv.as_ref()).unwrap();
    let err = rt.rewind(1).unwrap_err();
    assert!(
        matches!(err, RuntimeError::Head(HeadError::NotRetained { layer: 1, ref retained }) if *retained == vec![3, 4, 5]),
        "{err:?}"
    );
    assert_eq!(read_head(kv.as_ref()).unwrap(), before);
    assert_eq!(rt.root(), roots[4]);
}
