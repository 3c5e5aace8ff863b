//! Collections through the vmcalls on the runtime: a map in a slot and a map of lists, read back in
//! later transactions; the same contents by two histories give the same contract state; a failed
//! execution writes nothing; a removed child's handle is unknown; byte vmcalls refuse a slot; and
//! garbage collection and sync after nested writes leave every collection whole.

mod common;

use common::*;
use std::sync::Arc;
use svm::Value;
use svm::outcome::Outcome;
use svm::runtime::{Runtime, RuntimeConfig};
use svm::state::export_state;
use svm::storage::gc::collect_garbage;
use svm::storage::kv::{KvStore, MemKv};
use svm::vmcalls::HostError;

/// Slot 0: a map of 8-byte keys to 8-byte values. Slot 1: a map of 8-byte keys to lists of 8-byte
/// values. Slice 2: 8 plain bytes.
const BANK: &str = r#"
(module
  (import "svm" "collection_open" (func $open (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_open_nested" (func $nested (param i32 i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_insert" (func $insert (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_remove" (func $remove (param i32 i32) (result i32)))
  (import "svm" "collection_push" (func $push (param i32 i32 i32) (result i64)))
  (import "svm" "collection_pop" (func $pop (param i32 i32 i32) (result i32)))
  (import "svm" "collection_len" (func $len (param i32) (result i64)))
  (import "svm" "collection_next" (func $next (param i32 i32 i32 i32) (result i32)))
  (import "svm" "storage_read_i64" (func $read_i64 (param i32) (result i64)))
  (memory (export "memory") 1)
  ;; keys are stored big-endian so that key order is numeric order
  (func $key (param $at i32) (param $k i64)
    (i64.store (local.get $at) (i64.or
      (i64.or (i64.shl (i64.and (local.get $k) (i64.const 0xff)) (i64.const 56))
              (i64.shl (i64.and (local.get $k) (i64.const 0xff00)) (i64.const 40)))
      (i64.or (i64.shl (i64.and (local.get $k) (i64.const 0xff0000)) (i64.const 24))
              (i64.shl (i64.and (local.get $k) (i64.const 0xff000000)) (i64.const 8))))))
  (func $map (result i32) (call $open (i32.const 0) (i32.const 1) (i32.const 8) (i32.const 0)))
  (func $lists (result i32) (call $open (i32.const 1) (i32.const 1) (i32.const 8) (i32.const 1)))
  (func $list (param $k i64) (result i32)
    (call $key (i32.const 0) (local.get $k))
    (call $nested (call $lists) (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0)))
  (func (export "put") (param $k i64) (param $v i64) (result i32)
    (call $key (i32.const 0) (local.get $k))
    (i64.store (i32.const 8) (local.get $v))
    (call $insert (call $map) (i32.const 0) (i32.const 8) (i32.const 8)))
  (func (export "put_then_trap") (param $k i64) (param $v i64)
    (call $key (i32.const 0) (local.get $k))
    (i64.store (i32.const 8) (local.get $v))
    (drop (call $insert (call $map) (i32.const 0) (i32.const 8) (i32.const 8)))
    (unreachable))
  (func (export "get") (param $k i64) (result i64)
    (call $key (i32.const 0) (local.get $k))
    (if (result i64) (i32.eq (call $get (call $map) (i32.const 0) (i32.const 16) (i32.const 8)) (i32.const -1))
      (then (i64.const -1)) (else (i64.load (i32.const 16)))))
  (func (export "del") (param $k i64) (result i32)
    (call $key (i32.const 0) (local.get $k))
    (call $remove (call $map) (i32.const 0)))
  (func (export "len") (result i64) (call $len (call $map)))
  ;; the sum of the values whose keys are in [lo, hi)
  (func (export "sum") (param $lo i64) (param $hi i64) (result i64)
    (local $h i32) (local $sum i64) (local $after i32)
    (local.set $h (call $map))
    (call $key (i32.const 32) (local.get $lo))
    (call $key (i32.const 40) (local.get $hi))
    ;; start from the first key >= lo: a get of lo itself, then keys after it
    (if (i32.ne (call $get (local.get $h) (i32.const 32) (i32.const 16) (i32.const 8)) (i32.const -1))
      (then (local.set $sum (i64.load (i32.const 16)))))
    (local.set $after (i32.const 32))
    (block $done (loop $walk
      (br_if $done (i32.eqz (call $next (local.get $h) (local.get $after) (i32.const 40) (i32.const 48))))
      (drop (call $get (local.get $h) (i32.const 48) (i32.const 16) (i32.const 8)))
      (local.set $sum (i64.add (local.get $sum) (i64.load (i32.const 16))))
      (i64.store (i32.const 32) (i64.load (i32.const 48)))
      (br $walk)))
    (local.get $sum))
  (func (export "push_to") (param $k i64) (param $v i64) (result i64)
    (i64.store (i32.const 8) (local.get $v))
    (call $push (call $list (local.get $k)) (i32.const 8) (i32.const 8)))
  (func (export "pop_from") (param $k i64) (result i64)
    (if (result i64) (i32.eq (call $pop (call $list (local.get $k)) (i32.const 16) (i32.const 8)) (i32.const -1))
      (then (i64.const -1)) (else (i64.load (i32.const 16)))))
  (func (export "list_len") (param $k i64) (result i64) (call $len (call $list (local.get $k))))
  (func (export "lists") (result i64) (call $len (call $lists)))
  (func (export "drop_list_then_use") (param $k i64) (result i64)
    (local $c i32)
    (local.set $c (call $list (local.get $k)))
    (call $key (i32.const 0) (local.get $k))
    (drop (call $remove (call $lists) (i32.const 0)))
    (call $len (local.get $c)))
  (func (export "slot_as_bytes") (result i64) (call $read_i64 (i32.const 0)))
)
"#;

fn bank() -> svm_fuzzing::contract_source::ContractSource {
    inline(BANK, 1, &[(0, 0, 0), (0, 48, 0), (0, 96, 8)])
}

fn i64s(values: &[i64]) -> Vec<Value> {
    values.iter().map(|&v| Value::I64(v)).collect()
}

fn ok(rt: &mut Runtime, contract: svm::Address, function: &str, args: &[i64]) -> Vec<Value> {
    let receipt = call(rt, contract, function, &i64s(args));
    assert!(receipt.outcome.is_success(), "{function}{args:?}: {receipt:?}");
    receipt.returns
}

#[test]
fn a_map_and_a_map_of_lists_read_back_across_transactions() {
    for config in configs() {
        let mut rt = runtime(config);
        let c = deployed(&mut rt, &bank());
        for (k, v) in [(5, 50), (1, 10), (9, 90), (3, 30)] {
            assert_eq!(ok(&mut rt, c, "put", &[k, v]), vec![Value::I32(0)]);
        }
        assert_eq!(ok(&mut rt, c, "put", &[9, 99]), vec![Value::I32(1)], "a replaced value answers 1");
        assert_eq!(ok(&mut rt, c, "get", &[9]), vec![Value::I64(99)]);
        assert_eq!(ok(&mut rt, c, "get", &[4]), vec![Value::I64(-1)]);
        assert_eq!(ok(&mut rt, c, "len", &[]), vec![Value::I64(4)]);
        assert_eq!(ok(&mut rt, c, "sum", &[0, 100]), vec![Value::I64(50 + 10 + 99 + 30)]);
        assert_eq!(ok(&mut rt, c, "sum", &[3, 9]), vec![Value::I64(30 + 50)], "a range query");
        assert_eq!(ok(&mut rt, c, "del", &[5]), vec![Value::I32(1)]);
        assert_eq!(ok(&mut rt, c, "del", &[5]), vec![Value::I32(0)]);
        assert_eq!(ok(&mut rt, c, "len", &[]), vec![Value::I64(3)]);

        for v in [7, 8, 9] {
            ok(&mut rt, c, "push_to", &[42, v]);
        }
        ok(&mut rt, c, "push_to", &[43, 1]);
        assert_eq!(ok(&mut rt, c, "list_len", &[42]), vec![Value::I64(3)]);
        assert_eq!(ok(&mut rt, c, "lists", &[]), vec![Value::I64(2)]);
        assert_eq!(ok(&mut rt, c, "pop_from", &[42]), vec![Value::I64(9)]);
        assert_eq!(ok(&mut rt, c, "list_len", &[42]), vec![Value::I64(2)]);
        assert_eq!(ok(&mut rt, c, "list_len", &[44]), vec![Value::I64(0)], "opening a child creates it");
        assert_eq!(ok(&mut rt, c, "lists", &[]), vec![Value::I64(3)]);
    }
}

#[test]
fn the_same_contents_by_two_histories_give_the_same_state() {
    let state_after = |ops: &[(&str, i64, i64)]| {
        let mut rt = runtime(RuntimeConfig::default());
        let c = deployed(&mut rt, &bank());
        let mut state = None;
        for (function, k, v) in ops {
            let args = if *function == "del" { i64s(&[*k]) } else { i64s(&[*k, *v]) };
            let receipt = call(&mut rt, c, function, &args);
            assert!(receipt.outcome.is_success(), "{receipt:?}");
            state = receipt.state;
        }
        state.unwrap()
    };
    let one = state_after(&[("put", 1, 1), ("put", 2, 2), ("put", 3, 3), ("push_to", 7, 70), ("push_to", 7, 71)]);
    let other = state_after(&[
        ("put", 3, 0),
        ("push_to", 7, 70),
        ("put", 9, 9),
        ("put", 2, 2),
        ("put", 1, 1),
        ("del", 9, 0),
        ("push_to", 7, 71),
        ("put", 3, 3),
    ]);
    assert_eq!(one, other);
}

#[test]
fn a_failed_execution_writes_no_collection() {
    let mut rt = runtime(RuntimeConfig::default());
    let c = deployed(&mut rt, &bank());
    ok(&mut rt, c, "put", &[1, 10]);
    let root = rt.root();
    let receipt = call(&mut rt, c, "put_then_trap", &i64s(&[2, 20]));
    assert!(matches!(receipt.outcome, Outcome::Trap(_)), "{receipt:?}");
    assert_eq!(ok(&mut rt, c, "get", &[2]), vec![Value::I64(-1)]);
    assert_eq!(ok(&mut rt, c, "len", &[]), vec![Value::I64(1)]);
    assert_ne!(rt.root(), root, "only the fee and nonce changed");
}

#[test]
fn a_removed_childs_handle_is_unknown_and_a_slot_is_no_bytes() {
    let mut rt = runtime(RuntimeConfig::default());
    let c = deployed(&mut rt, &bank());
    ok(&mut rt, c, "push_to", &[5, 1]);
    let receipt = call(&mut rt, c, "drop_list_then_use", &i64s(&[5]));
    assert_eq!(receipt.outcome, Outcome::Host(HostError::UnknownCollection), "{receipt:?}");
    let receipt = call(&mut rt, c, "slot_as_bytes", &[]);
    assert_eq!(receipt.outcome, Outcome::Host(HostError::SliceKind), "{receipt:?}");
    assert_eq!(ok(&mut rt, c, "list_len", &[5]), vec![Value::I64(1)], "the failed removal removed nothing");
}

#[test]
fn garbage_collection_and_sync_after_nested_writes_keep_every_collection_whole() {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), RuntimeConfig::default());
    rt.genesis(&(1..=4).map(|n| (account(n), FUNDS)).collect::<Vec<_>>()).unwrap();
    let c = deployed(&mut rt, &bank());
    for k in 0..40 {
        ok(&mut rt, c, "put", &[k, k * k]);
        ok(&mut rt, c, "push_to", &[k % 5, k]);
    }
    for k in (0..40).step_by(3) {
        ok(&mut rt, c, "del", &[k]);
    }
    ok(&mut rt, c, "pop_from", &[2]);
    let root = rt.root();
    let before = export_state(kv.as_ref(), root).unwrap();
    let exported = before.iter().find_map(|a| a.contract.as_ref().filter(|c| !c.collections.is_empty())).unwrap();
    // The map, the map of lists and its five lists.
    assert_eq!(exported.collections.len(), 7, "{:?}", exported.collections.keys());

    let stats = collect_garbage(kv.as_ref(), &[root]).unwrap();
    assert!(stats.deleted > 0, "superseded collection nodes are garbage: {stats:?}");
    assert_eq!(export_state(kv.as_ref(), root).unwrap(), before, "every collection reads whole after gc");
    let again = collect_garbage(kv.as_ref(), &[root]).unwrap();
    assert_eq!(again.deleted, 0);

    rt.record_head(1, 0, true).unwrap();
    let fresh: Arc<dyn KvStore> = Arc::new(MemKv::new());
    let (mut synced, head, _) =
        Runtime::sync_from(fresh.clone(), RuntimeConfig::default(), kv.as_ref(), 1, Some(root)).unwrap();
    assert_eq!(head.root, root);
    assert_eq!(export_state(fresh.as_ref(), root).unwrap(), before, "sync copies every collection");
    assert_eq!(ok(&mut synced, c, "list_len", &[1]), vec![Value::I64(8)]);
    assert_eq!(ok(&mut synced, c, "get", &[4]), vec![Value::I64(16)]);
}
