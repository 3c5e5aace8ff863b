//! Events on the runtime: emission into the receipt and the store, ids in layer order, queries by
//! contract, topic and layer range, expiry and pruning at layer boundaries (the root returns to the
//! plain account root), every bad input a typed error with nothing emitted, a failed execution emits
//! nothing; and across restarts (redb), garbage collection, retention, sync and rewind every live event
//! is kept and only expired ones go.

mod common;

use common::*;
use std::sync::Arc;
use svm::event::{Event, EventId, MAX_EVENT_EXPIRY};
use svm::outcome::Outcome;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::state::StateRoot;
use svm::storage::events::EventQuery;
use svm::storage::gc::collect_garbage;
use svm::storage::head::forget_layers_before;
use svm::storage::kv::{KvDurability, KvStore, MemKv, RedbKv};
use svm::storage::sync::sync_layer;
use svm::vmcalls::HostError;
use svm::{Address, Value};

/// `emit(topic_count, data_len, expiry)`: topics are 32-byte runs of 0x01, 0x02, 0x03, 0x04 at 0;
/// data is bytes 0x00.. at 256. `emit_tag(tag, expiry)`: one topic whose first byte is `tag`, data
/// "hi". `emit_then_trap()`: emits, then traps. `emit_many(n)`: n events without topics.
const EMITTER: &str = r#"
(module
  (import "svm" "event_emit" (func $emit (param i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01\01")
  (data (i32.const 32) "\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02\02")
  (data (i32.const 64) "\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03\03")
  (data (i32.const 96) "\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04\04")
  (data (i32.const 256) "\00\01\02\03\04\05\06\07")
  (data (i32.const 2048) "hi")
  (func (export "emit") (param $topics i32) (param $len i32) (param $expiry i32)
    (call $emit (i32.const 0) (local.get $topics) (i32.const 256) (local.get $len) (local.get $expiry)))
  (func (export "emit_at") (param $ptr i32) (param $topics i32)
    (call $emit (local.get $ptr) (local.get $topics) (i32.const 256) (i32.const 0) (i32.const 0)))
  (func (export "emit_tag") (param $tag i32) (param $expiry i32)
    (i32.store8 (i32.const 1024) (local.get $tag))
    (call $emit (i32.const 1024) (i32.const 1) (i32.const 2048) (i32.const 2) (local.get $expiry)))
  (func (export "emit_then_trap")
    (call $emit (i32.const 0) (i32.const 1) (i32.const 256) (i32.const 4) (i32.const 5))
    unreachable)
  (func (export "emit_many") (param $n i32)
    (block $done (loop $more
      (br_if $done (i32.eqz (local.get $n)))
      (call $emit (i32.const 0) (i32.const 0) (i32.const 256) (i32.const 0) (i32.const 0))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $more))))
)
"#;

fn emitter() -> svm_fuzzing::contract_source::ContractSource {
    inline(EMITTER, 1, &[(0, 0, 8)])
}

fn at(rt: &mut Runtime, layer: u64, contract: Address, function: &str, args: &[Value]) -> svm::receipt::Receipt {
    let tx = call_tx(rt, contract, account(2), function, args, GAS);
    rt.apply(&tx, &BlockContext { layer }).unwrap()
}

fn tag(t: u8) -> [u8; 32] {
    let mut topic = [0; 32];
    topic[0] = t;
    topic
}

fn ids(rt: &Runtime, query: &EventQuery) -> Vec<EventId> {
    rt.events(query).unwrap().into_iter().map(|e| e.id).collect()
}

fn id(layer: u64, seq: u32) -> EventId {
    EventId { layer, seq }
}

#[test]
fn an_event_reaches_the_receipt_and_the_store_with_ids_in_layer_order() {
    for config in [configs()[0].clone(), configs()[4].clone()] {
        let mut rt = runtime(config);
        let c = deployed(&mut rt, &emitter());
        let receipt = at(&mut rt, 5, c, "emit_tag", &[Value::I32(7), Value::I32(3)]);
        assert_eq!(receipt.outcome, Outcome::Success);
        let expected = Event { contract: c, topics: vec![tag(7)], data: b"hi".to_vec(), expires: 8 };
        assert_eq!(receipt.events, vec![expected.clone()]);
        assert_ne!(rt.state_parts().events, svm::Hash::ZERO, "the store holds the event");
        assert_eq!(rt.root(), StateRoot::of(rt.state_parts().accounts, rt.state_parts().events));
        let found = rt.events(&EventQuery::contract(c)).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].id, &found[0].event), (id(5, 0), &expected));
        // The same layer continues the count; the next starts over.
        at(&mut rt, 5, c, "emit_many", &[Value::I32(2)]);
        assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(5, 0), id(5, 1), id(5, 2)]);
        // Layer 6: the two live through layer 5 only are gone.
        at(&mut rt, 6, c, "emit_tag", &[Value::I32(9), Value::I32(0)]);
        assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(5, 0), id(6, 0)]);
        // By topic, and by layer range.
        assert_eq!(ids(&rt, &EventQuery::contract(c).with_topic(tag(9))), vec![id(6, 0)]);
        assert_eq!(ids(&rt, &EventQuery::contract(c).in_layers(6, 9)), vec![id(6, 0)]);
        assert_eq!(ids(&rt, &EventQuery::contract(c).with_topic(tag(7)).in_layers(0, 4)), vec![]);
        assert_eq!(ids(&rt, &EventQuery::contract(account(9))), vec![]);
        let mut limited = EventQuery::contract(c);
        limited.limit = 2;
        assert_eq!(ids(&rt, &limited), vec![id(5, 0), id(6, 0)]);
        limited.limit = 1;
        assert_eq!(ids(&rt, &limited), vec![id(5, 0)]);
    }
}

#[test]
fn events_expire_at_layer_boundaries_and_the_root_returns_to_the_account_root() {
    let mut rt = runtime(RuntimeConfig::default());
    let c = deployed(&mut rt, &emitter());
    at(&mut rt, 1, c, "emit_tag", &[Value::I32(1), Value::I32(0)]);
    at(&mut rt, 1, c, "emit_tag", &[Value::I32(2), Value::I32(2)]);
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(1, 0), id(1, 1)]);
    // Layer 2 begins: the event live through layer 1 goes; the other stays through layer 3.
    let pruned = rt.begin_layer(2).unwrap();
    assert_eq!((pruned.events, pruned.entries), (1, 5), "record, expiry, contract, topic entries and the counter");
    assert_eq!(rt.begin_layer(2).unwrap().entries, 0, "a boundary is passed once");
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(1, 1)]);
    // Layer 3's first transaction (a transfer) keeps it; layer 4's removes it, and the root is the
    // account root again.
    let transfer = |rt: &mut Runtime, layer| {
        let nonce = rt.account(&account(3)).unwrap().unwrap().nonce;
        let tx = svm::transaction::Transaction::Transfer(svm::transaction::Transfer {
            from: account(3),
            to: account(4),
            nonce,
            amount: 1,
            gas_price: PRICE,
        });
        rt.apply(&tx, &BlockContext { layer }).unwrap()
    };
    assert!(transfer(&mut rt, 3).outcome.is_success());
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(1, 1)]);
    assert!(transfer(&mut rt, 4).outcome.is_success());
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![]);
    assert_eq!(rt.state_parts().events, svm::Hash::ZERO);
    assert_eq!(rt.root(), StateRoot(rt.state_parts().accounts));
    // Layers never go back once events of a later one are stored.
    at(&mut rt, 9, c, "emit_many", &[Value::I32(1)]);
    let tx = call_tx(&rt, c, account(2), "emit_many", &[Value::I32(1)], GAS);
    assert!(rt.apply(&tx, &BlockContext { layer: 8 }).is_err(), "a layer before the store's is a node error");
}

#[test]
fn every_bad_input_is_a_typed_error_and_emits_nothing() {
    let mut rt = runtime(RuntimeConfig::default());
    let c = deployed(&mut rt, &emitter());
    let cases: [(&str, Vec<Value>, Outcome); 6] = [
        ("emit", vec![Value::I32(5), Value::I32(0), Value::I32(0)], Outcome::Host(HostError::EventTopics)),
        ("emit", vec![Value::I32(0), Value::I32(513), Value::I32(0)], Outcome::Host(HostError::EventTooLarge)),
        (
            "emit",
            vec![Value::I32(0), Value::I32(0), Value::I32(MAX_EVENT_EXPIRY as i32 + 1)],
            Outcome::Host(HostError::EventExpiry),
        ),
        ("emit_at", vec![Value::I32(65_536 - 32), Value::I32(2)], Outcome::Host(HostError::MemoryOutOfBounds)),
        ("emit_many", vec![Value::I32(17)], Outcome::Host(HostError::TooManyEvents)),
        ("emit_then_trap", vec![], Outcome::Trap(svm::outcome::TrapKind::Unreachable)),
    ];
    for (function, args, outcome) in cases {
        let before = rt.state_parts().events;
        let receipt = at(&mut rt, 1, c, function, &args);
        assert_eq!(receipt.outcome, outcome, "{function}{args:?}");
        assert!(receipt.events.is_empty());
        assert_eq!(rt.state_parts().events, before, "{function}: nothing reached the store");
    }
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![]);
    // Sixteen is the most, and allowed; a negative expiry is a huge one.
    assert_eq!(at(&mut rt, 1, c, "emit_many", &[Value::I32(16)]).events.len(), 16);
    let receipt = at(&mut rt, 1, c, "emit", &[Value::I32(0), Value::I32(0), Value::I32(-1)]);
    assert_eq!(receipt.outcome, Outcome::Host(HostError::EventExpiry));
}

#[test]
fn retention_gas_is_the_documented_formula() {
    let mut rt = runtime(RuntimeConfig::default());
    let c = deployed(&mut rt, &emitter());
    let gas = |rt: &mut Runtime, topics: i32, len: i32, expiry: i32| {
        at(rt, 1, c, "emit", &[Value::I32(topics), Value::I32(len), Value::I32(expiry)]).gas_used
    };
    // Two calls that differ only in the event: the difference is price and retention only.
    let small = gas(&mut rt, 0, 0, 0);
    let big = gas(&mut rt, 2, 8, 100);
    let retention = |t: u64, len: u64, expiry: u64| 300 * (3 + t) + (64 + 32 * t + len) * (expiry + 1) / 8;
    assert_eq!(big - small, 2 * 8 + retention(2, 8, 100) - retention(0, 0, 0));
}

#[test]
fn live_events_survive_restarts_and_the_layer_count_goes_on() {
    let dir = std::env::temp_dir().join(format!("svm-events-{}.redb", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let c;
    let root;
    {
        let kv: Arc<dyn KvStore> = Arc::new(RedbKv::create_or_open(&dir, KvDurability::OnSync).unwrap());
        let mut rt = Runtime::new(kv, RuntimeConfig::default());
        rt.genesis(&[(account(1), FUNDS), (account(2), FUNDS)]).unwrap();
        c = deployed(&mut rt, &emitter());
        at(&mut rt, 3, c, "emit_tag", &[Value::I32(1), Value::I32(10)]);
        rt.record_head(3, 2, false).unwrap();
        root = rt.root();
    }
    let kv: Arc<dyn KvStore> = Arc::new(RedbKv::open_existing(&dir, KvDurability::OnSync).unwrap());
    let (mut rt, head) = Runtime::open_head(kv, RuntimeConfig::default()).unwrap();
    assert_eq!(head.unwrap().root, root);
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(3, 0)]);
    at(&mut rt, 3, c, "emit_tag", &[Value::I32(2), Value::I32(10)]);
    assert_eq!(ids(&rt, &EventQuery::contract(c)), vec![id(3, 0), id(3, 1)], "the count survives the restart");
    drop(rt);
    let _ = std::fs::remove_file(&dir);
}

#[test]
fn gc_retention_sync_and_rewind_keep_every_live_event_and_drop_only_expired_ones() {
    let kv = Arc::new(MemKv::new());
    let mut rt = Runtime::new(kv.clone(), RuntimeConfig::default());
    rt.genesis(&[(account(1), FUNDS), (account(2), FUNDS)]).unwrap();
    let c = deployed(&mut rt, &emitter());
    rt.record_head(0, 1, true).unwrap();
    // Layer l emits tag l, live for 2 more layers; each layer is indexed.
    for layer in 1..=6u64 {
        at(&mut rt, layer, c, "emit_tag", &[Value::I32(layer as i32), Value::I32(2)]);
        rt.record_head(layer, layer + 1, true).unwrap();
    }
    let live_at = |rt: &Runtime, root: StateRoot| -> Vec<u64> {
        rt.events_at(root, &EventQuery::contract(c)).unwrap().iter().map(|e| e.id.layer).collect()
    };
    assert_eq!(live_at(&rt, rt.root()), vec![4, 5, 6], "layer 6 keeps what expires at 6 or later");
    let layer_root = |layer| svm::storage::head::layer_root(kv.as_ref(), layer).unwrap().unwrap();
    assert_eq!(live_at(&rt, layer_root(3)), vec![1, 2, 3]);

    // Retention: keep layers 3.. only, collect; every retained layer's events are whole.
    forget_layers_before(kv.as_ref(), 3).unwrap();
    let retained: Vec<StateRoot> = (3..=6).map(layer_root).collect();
    let stats = collect_garbage(kv.as_ref(), &retained).unwrap();
    assert!(stats.deleted > 0, "older layers' entries were collected");
    for (layer, root) in (3..=6).zip(&retained) {
        let expected: Vec<u64> = (layer.max(3) - 2..=layer).collect();
        assert_eq!(live_at(&rt, *root), expected, "layer {layer} after gc");
    }

    // Sync layer 4 into a new store: the same events, the same root.
    let target = Arc::new(MemKv::new());
    let (head, _) = sync_layer(kv.as_ref(), target.as_ref(), 4, Some(layer_root(4))).unwrap();
    let synced = Runtime::open(target.clone(), RuntimeConfig::default(), head.root).unwrap();
    assert_eq!(
        synced.events(&EventQuery::contract(c)).unwrap(),
        rt.events_at(layer_root(4), &EventQuery::contract(c)).unwrap()
    );

    // Rewind to layer 3: its events (pruned since) are back, and the chain runs on from there.
    rt.rewind(3).unwrap();
    assert_eq!(live_at(&rt, rt.root()), vec![1, 2, 3]);
    at(&mut rt, 4, c, "emit_tag", &[Value::I32(40), Value::I32(0)]);
    assert_eq!(live_at(&rt, rt.root()), vec![2, 3, 4]);
}
