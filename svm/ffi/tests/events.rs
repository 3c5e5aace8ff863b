//! `svm_events_query` answers from the handle's event store: by contract, topic, layer range and limit,
//! in id order, exactly what the receipts carried; expired events are gone once a later layer begins;
//! a read-only handle at a past layer and a reopened redb store answer for their own state; bad input
//! is a typed error or an empty list.

mod common;

use common::*;
use serde_json::json;
use std::ptr::{null, null_mut};
use svm::event::{Event, EventId};
use svm_ffi::*;

/// A memory runtime after genesis with the emitter deployed (and committed) in layer 1; its address.
fn with_emitter() -> (SvmRuntime, String) {
    let rt = memory();
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let receipt = receipt_json(&apply(rt, &deploy_source_tx(&emitter(), 0)).unwrap()).unwrap();
    assert_eq!(receipt["outcome"], "success", "{receipt}");
    commit(rt).unwrap();
    (rt, receipt["contract"].as_str().unwrap().to_string())
}

/// `emit(topics, len, expiry)` by USER with `nonce`; its receipt as JSON.
fn emit(rt: SvmRuntime, emitter: &str, (topics, len, expiry): (i32, i32, i32), nonce: u64) -> serde_json::Value {
    let args = json!([{ "i32": topics }, { "i32": len }, { "i32": expiry }]);
    receipt_json(&apply(rt, &call_tx(emitter, "emit", args, nonce)).unwrap()).unwrap()
}

fn ids(events: &[(EventId, Event)]) -> Vec<(u64, u32)> {
    events.iter().map(|(id, _)| (id.layer, id.seq)).collect()
}

const ALL: (u64, u64) = (0, u64::MAX);

#[test]
fn events_are_listed_by_contract_topic_and_layer_range_in_id_order_as_the_receipts_carried_them() {
    let (rt, emitter) = with_emitter();
    let contract = address_bytes(&emitter);
    begin(rt, 2).unwrap();
    let first = emit(rt, &emitter, (0, 0, 5), 0);
    let second = emit(rt, &emitter, (2, 7, 5), 1);
    commit(rt).unwrap();
    begin(rt, 3).unwrap();
    let third = emit(rt, &emitter, (1, 3, 5), 2);
    commit(rt).unwrap();

    let all = query(rt, &contract, None, ALL, u32::MAX).unwrap();
    assert_eq!(ids(&all), [(2, 0), (2, 1), (3, 0)]);
    let (one, two) = (emitter_topic(0), emitter_topic(1));
    let (_, event) = &all[1];
    assert_eq!((event.contract.0, event.topics.clone()), (contract, vec![one, two]));
    assert_eq!((event.data.as_slice(), event.expires), (&b"payload"[..], 7));
    // What the query lists is what each receipt carried, field for field.
    for ((_, event), receipt) in all.iter().zip([&first, &second, &third]) {
        let carried = &receipt["events"];
        assert_eq!(carried.as_array().unwrap().len(), 1, "{receipt}");
        let want = json!({
            "contract": emitter, "topics": event.topics.iter().map(hex::encode).collect::<Vec<_>>(),
            "data": hex::encode(&event.data), "expires": event.expires,
        });
        assert_eq!(carried[0], want);
    }

    assert_eq!(ids(&query(rt, &contract, Some(&two), ALL, 10).unwrap()), [(2, 1)]);
    assert_eq!(ids(&query(rt, &contract, Some(&one), ALL, 10).unwrap()), [(2, 1), (3, 0)]);
    assert_eq!(ids(&query(rt, &contract, None, (3, 3), 10).unwrap()), [(3, 0)]);
    assert_eq!(ids(&query(rt, &contract, None, (0, 2), 10).unwrap()), [(2, 0), (2, 1)]);
    assert_eq!(ids(&query(rt, &contract, None, ALL, 2).unwrap()), [(2, 0), (2, 1)], "the limit keeps the first");
    assert_eq!(ids(&query(rt, &contract, Some(&[0; 32]), ALL, 10).unwrap()), []);
    assert_eq!(ids(&query(rt, &USER, None, ALL, 10).unwrap()), [], "another address has none");
    close(rt).unwrap();
}

#[test]
fn a_failed_execution_carries_and_stores_no_event() {
    let (rt, emitter) = with_emitter();
    begin(rt, 2).unwrap();
    let failed = emit(rt, &emitter, (5, 0, 0), 0);
    assert_eq!(failed["outcome"], "host:event-topics", "{failed}");
    assert_eq!(failed["events"], json!([]));
    assert_eq!(query(rt, &address_bytes(&emitter), None, ALL, 10).unwrap(), []);
    close(rt).unwrap();
}

#[test]
fn expired_events_are_pruned_when_a_later_layer_begins() {
    let (rt, emitter) = with_emitter();
    let contract = address_bytes(&emitter);
    begin(rt, 2).unwrap();
    emit(rt, &emitter, (0, 0, 0), 0); // live in layer 2 only
    emit(rt, &emitter, (1, 0, 1), 1); // live through layer 3
    let layer2 = commit(rt).unwrap();
    begin(rt, 3).unwrap();
    assert_eq!(ids(&query(rt, &contract, None, ALL, 10).unwrap()), [(2, 1)], "layer 3 began: (2, 0) expired");
    assert_ne!(root(rt).unwrap(), layer2.root, "the store is under the root: pruning moves it");
    let layer3 = commit(rt).unwrap();
    assert_eq!(layer3.root, root(rt).unwrap(), "an empty layer's head is the pruned state");
    begin(rt, 4).unwrap();
    assert_eq!(query(rt, &contract, None, ALL, 10).unwrap(), []);
    assert_ne!(root(rt).unwrap(), layer3.root);
    commit(rt).unwrap();
    close(rt).unwrap();
}

#[test]
fn a_past_layer_and_a_reopened_store_answer_for_their_own_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.redb");
    let rt = open(&path).unwrap();
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let emitter = receipt_json(&apply(rt, &deploy_source_tx(&emitter(), 0)).unwrap()).unwrap()["contract"]
        .as_str()
        .unwrap()
        .to_string();
    commit(rt).unwrap();
    begin(rt, 2).unwrap();
    emit(rt, &emitter, (1, 7, 0), 0);
    emit(rt, &emitter, (2, 7, 1024), 1);
    commit(rt).unwrap();
    begin(rt, 3).unwrap();
    emit(rt, &emitter, (0, 0, 1024), 2);
    commit(rt).unwrap();
    close(rt).unwrap();

    let contract = address_bytes(&emitter);
    let rt = open(&path).unwrap();
    assert_eq!(ids(&query(rt, &contract, None, ALL, 10).unwrap()), [(2, 1), (3, 0)], "reopened at layer 3");
    let past = open_layer(rt, 2).unwrap();
    assert_eq!(ids(&query(past, &contract, None, ALL, 10).unwrap()), [(2, 0), (2, 1)], "layer 2's state");
    assert_eq!(ids(&query(past, &contract, Some(&emitter_topic(1)), ALL, 10).unwrap()), [(2, 1)]);
    close(past).unwrap();
    let layer1 = open_layer(rt, 1).unwrap();
    assert_eq!(query(layer1, &contract, None, ALL, 10).unwrap(), [], "before any event");
    close(layer1).unwrap();
    rewind(rt, 2).unwrap();
    assert_eq!(ids(&query(rt, &contract, None, ALL, 10).unwrap()), [(2, 0), (2, 1)], "rewound to layer 2");
    close(rt).unwrap();
}

#[test]
fn bad_query_input_is_a_typed_error_or_an_empty_list() {
    let (rt, emitter) = with_emitter();
    let contract = address_bytes(&emitter);
    begin(rt, 2).unwrap();
    emit(rt, &emitter, (1, 1, 9), 0);
    commit(rt).unwrap();
    let empty = 0u32.to_le_bytes().to_vec();
    assert_eq!(query_raw(rt, &contract, None, ALL, 0).unwrap(), empty, "limit 0");
    assert_eq!(query_raw(rt, &contract, None, (3, 2), 10).unwrap(), empty, "from after to");
    assert_eq!(query_raw(rt, &contract, None, (3, u64::MAX), 10).unwrap(), empty, "after the last event");
    assert_eq!(query(rt, &contract, None, (2, 2), 1).unwrap().len(), 1);

    let mut out = SvmBuffer::EMPTY;
    let failure = check(|e| unsafe { svm_events_query(rt, null(), null(), 0, 9, 10, &mut out, e) }).unwrap_err();
    assert_eq!((failure.code, failure.message.as_str()), (SVM_ERR_NULL_POINTER, "contract is a null pointer"));
    let failure =
        check(|e| unsafe { svm_events_query(rt, contract.as_ptr(), null(), 0, 9, 10, null_mut(), e) }).unwrap_err();
    assert_eq!((failure.code, failure.message.as_str()), (SVM_ERR_NULL_POINTER, "out is a null pointer"));
    assert_eq!(
        unsafe { svm_events_query(rt, contract.as_ptr(), null(), 0, 9, 10, &mut out, null_mut()) },
        SVM_OK,
        "a null error buffer is fine"
    );
    assert_eq!(take(out), query_raw(rt, &contract, None, (0, 9), 10).unwrap());
    close(rt).unwrap();
    let failure = query(rt, &contract, None, ALL, 10).unwrap_err();
    assert_eq!(failure.code, SVM_ERR_HANDLE, "a closed handle: {failure:?}");
}
