//! Garbage collection over a runtime's store: everything a retained root reaches reads the same after
//! a collection (accounts, every contract slice, code that still runs), roots not retained stop
//! opening, the store shrinks, keys outside the content namespaces survive, a collection stopped
//! after any number of delete batches leaves every retained root whole, and a second collection
//! deletes nothing.

mod common;

use common::store_history::*;
use common::*;
use std::sync::atomic::AtomicUsize;
use svm::Value;
use svm::runtime::{Runtime, RuntimeConfig};
use svm::state::{StateError, StateRoot};
use svm::storage::gc::{GcError, GcStats, collect_garbage, collect_garbage_in_batches};
use svm::storage::kv::{KvError, KvStore, MemKv, WriteBatch, namespace};
use svm::storage::pages::PagesError;

fn foreign_keys_survive(kv: &MemKv) {
    for key in FOREIGN {
        assert_eq!(kv.get(key).unwrap(), Some(b"not content".to_vec()), "{key:?}");
    }
}

#[test]
fn collecting_with_the_latest_root_keeps_it_whole_and_drops_the_rest() {
    let h = history();
    let latest = *h.roots.last().unwrap();
    let before = snapshot(h.kv.clone(), latest, &h.addresses).unwrap();
    // Every root of the history reads before the collection.
    for &root in &h.roots {
        snapshot(h.kv.clone(), root, &h.addresses).unwrap();
    }
    let len_before = h.kv.len().unwrap() as u64;

    let stats = collect_garbage(h.kv.as_ref(), &[latest]).unwrap();
    let len_after = h.kv.len().unwrap() as u64;
    assert!(stats.deleted > 0 && stats.kept > 0, "{stats:?}");
    assert_eq!(len_after, len_before - stats.deleted);
    assert_eq!(len_after, stats.kept + FOREIGN.len() as u64);
    foreign_keys_survive(&h.kv);

    assert_eq!(snapshot(h.kv.clone(), latest, &h.addresses).unwrap(), before);
    for &root in &h.roots[..h.roots.len() - 1] {
        assert!(snapshot(h.kv.clone(), root, &h.addresses).is_err(), "root {root} still reads whole");
    }

    // The code and metadata are still there: the counter runs on from where it was.
    let mut rt = Runtime::open(h.kv.clone(), RuntimeConfig::default(), latest).unwrap();
    let receipt = call(&mut rt, h.counter, "inc", &[]);
    assert!(receipt.outcome.is_success(), "{receipt:?}");
    assert_eq!(receipt.returns, vec![Value::I64(6)]);
}

#[test]
fn retaining_two_roots_keeps_both() {
    let h = history();
    let (middle, latest) = (h.roots[3], *h.roots.last().unwrap());
    let before: Vec<Snapshot> =
        [middle, latest].iter().map(|&root| snapshot(h.kv.clone(), root, &h.addresses).unwrap()).collect();
    let only_latest = collect_garbage(copy(&h.kv).as_ref(), &[latest]).unwrap();

    let stats = collect_garbage(h.kv.as_ref(), &[middle, latest]).unwrap();
    assert!(stats.kept > only_latest.kept && stats.deleted < only_latest.deleted, "{stats:?} vs {only_latest:?}");
    for (root, before) in [middle, latest].into_iter().zip(before) {
        assert_eq!(snapshot(h.kv.clone(), root, &h.addresses).unwrap(), before, "root {root}");
    }
    for (i, &root) in h.roots.iter().enumerate().filter(|&(i, _)| i != 3 && i != h.roots.len() - 1) {
        assert!(snapshot(h.kv.clone(), root, &h.addresses).is_err(), "root {i} still reads whole");
    }
    foreign_keys_survive(&h.kv);
}

#[test]
fn a_second_collection_deletes_nothing() {
    let h = history();
    let retained = [h.roots[2], *h.roots.last().unwrap()];
    let first = collect_garbage(h.kv.as_ref(), &retained).unwrap();
    let entries = h.kv.entries().unwrap();
    let second = collect_garbage(h.kv.as_ref(), &retained).unwrap();
    assert_eq!(second, GcStats { kept: first.kept, deleted: 0 });
    assert_eq!(h.kv.entries().unwrap(), entries);
}

#[test]
fn a_collection_stopped_after_any_number_of_batches_leaves_every_retained_root_whole() {
    let h = history();
    let retained = [h.roots[4], *h.roots.last().unwrap()];
    let before: Vec<Snapshot> =
        retained.iter().map(|&root| snapshot(h.kv.clone(), root, &h.addresses).unwrap()).collect();
    const BATCH: usize = 7;
    let complete = copy(&h.kv);
    let stats = collect_garbage_in_batches(complete.as_ref(), &retained, BATCH).unwrap();
    let batches = stats.deleted.div_ceil(BATCH as u64) as usize;
    assert!(batches >= 5, "only {batches} batches: the history makes too little garbage to test");

    for stop_after in 0..batches {
        let kv = copy(&h.kv);
        let failing = FailingAfter { inner: kv.clone(), allowed: AtomicUsize::new(stop_after) };
        let err = collect_garbage_in_batches(&failing, &retained, BATCH).unwrap_err();
        assert!(matches!(err, GcError::Kv(KvError::Backend(_))), "{err:?}");
        assert_eq!(kv.len().unwrap(), h.kv.len().unwrap() - stop_after * BATCH, "after {stop_after} batches");
        for (&root, before) in retained.iter().zip(&before) {
            assert_eq!(&snapshot(kv.clone(), root, &h.addresses).unwrap(), before, "after {stop_after} batches");
        }
        // Collecting again finishes the job: the same store as an uninterrupted collection leaves.
        let again = collect_garbage_in_batches(kv.as_ref(), &retained, BATCH).unwrap();
        assert_eq!(again.deleted, stats.deleted - (stop_after * BATCH) as u64);
        assert_eq!(kv.entries().unwrap(), complete.entries().unwrap());
    }
}

#[test]
fn a_damaged_or_unknown_retained_state_stops_the_collection_before_any_delete() {
    let h = history();
    let latest = *h.roots.last().unwrap();

    // A page of the latest state is missing: the store listing tells (most pages are not read), or the
    // walk does (a page holding a collection slot is read for the roots in it).
    let kv = copy(&h.kv);
    let page = kv.keys_with_prefix(&[namespace::PAGE]).unwrap().into_iter().find(|page| {
        let mut batch = WriteBatch::new();
        batch.delete(page.clone());
        let trial = copy(&kv);
        trial.write(batch).unwrap();
        snapshot(trial, latest, &h.addresses).is_err()
    });
    let page = page.expect("the latest state reads some page");
    let mut batch = WriteBatch::new();
    batch.delete(page.clone());
    kv.write(batch).unwrap();
    let entries = kv.entries().unwrap();
    let err = collect_garbage(kv.as_ref(), &[latest]).unwrap_err();
    let missing_page = matches!(err, GcError::Missing { namespace: namespace::PAGE, .. })
        || matches!(&err, GcError::Unreadable { source, .. }
            if matches!(source, StateError::Pages(PagesError::MissingPage { .. })));
    assert!(missing_page, "{err:?}");
    assert_eq!(kv.entries().unwrap(), entries);

    // A root this store never committed.
    let kv = copy(&h.kv);
    let unknown = StateRoot(svm::Hash([0x5A; 32]));
    let err = collect_garbage(kv.as_ref(), &[latest, unknown]).unwrap_err();
    assert!(matches!(err, GcError::Unreadable { root, .. } if root == unknown), "{err:?}");
    assert_eq!(kv.entries().unwrap(), h.kv.entries().unwrap());
}
