//! The C API drives a runtime end to end: genesis, layers, deploy and calls, receipts, reads, view
//! calls that commit nothing, persistence, time travel and rewinding.

mod common;

use common::*;
use serde_json::json;
use svm_ffi::*;

#[test]
fn a_deployed_counter_counts_and_its_receipts_and_slices_say_so() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    for n in 1..=3i64 {
        let receipt = receipt_json(&apply(rt, &call_tx(&counter, "inc", json!([]), n as u64 - 1)).unwrap()).unwrap();
        assert_eq!(receipt["outcome"], "success");
        assert_eq!(receipt["returns"], json!([{ "i64": n }]));
        assert!(receipt["gas_used"].as_u64().unwrap() > 0);
        assert_eq!(receipt["hash"].as_str().unwrap().len(), 64);
    }
    let head = commit(rt).unwrap();
    assert!(head.present);
    assert_eq!((head.layer, head.applied), (2, 4));
    assert_eq!(head.root, root(rt).unwrap());
    assert_eq!(slice(rt, &address_bytes(&counter), 0).unwrap(), 3u64.to_le_bytes());
    let user = account_json(&account(rt, &USER).unwrap()).unwrap();
    assert_eq!(user["nonce"], 3);
    assert_eq!(user["contract"], serde_json::Value::Null);
    let contract = account_json(&account(rt, &address_bytes(&counter)).unwrap()).unwrap();
    assert!(contract["contract"]["code_hash"].is_string());
    assert!(account(rt, &[9; 20]).unwrap().is_empty(), "no account there");
    close(rt).unwrap();
}

#[test]
fn failed_and_invalid_transactions_come_back_as_receipts_not_errors() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    let refused = receipt_json(&apply(rt, &call_tx(&counter, "nope", json!([]), 0)).unwrap()).unwrap();
    assert_eq!(refused["outcome"], "refused:no-such-function");
    let invalid = receipt_json(&apply(rt, &call_tx(&counter, "inc", json!([]), 7)).unwrap()).unwrap();
    assert_eq!(invalid["outcome"], "invalid:nonce-mismatch");
    assert_eq!(invalid["gas_used"], 0);
    close(rt).unwrap();
}

#[test]
fn a_traced_apply_returns_the_vmcalls_and_the_same_receipt() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    let (mut receipt, mut trace) = (SvmBuffer::EMPTY, SvmBuffer::EMPTY);
    check(|e| unsafe { svm_apply_traced(rt, tx.as_ptr(), tx.len(), &mut receipt, &mut trace, e) }).unwrap();
    let receipt = receipt_json(&take(receipt)).unwrap();
    let trace: serde_json::Value = serde_json::from_slice(&take(trace)).unwrap();
    assert_eq!(receipt["outcome"], "success");
    let names: Vec<&str> = trace.as_array().unwrap().iter().map(|e| e["vmcall"].as_str().unwrap()).collect();
    assert_eq!(names, ["storage_read_i64", "storage_write_i64"]);
    close(rt).unwrap();
}

#[test]
fn a_view_call_returns_what_applying_would_and_commits_nothing() {
    let (rt, counter) = with_counter();
    let (root_before, head_before) = (root(rt).unwrap(), head(rt).unwrap());
    let user_before = account(rt, &USER).unwrap();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    let viewed = view(rt, &tx, 2).unwrap();
    assert_eq!(receipt_json(&viewed).unwrap()["returns"], json!([{ "i64": 1 }]));
    // Twice: the first view left nothing behind for the second to see.
    assert_eq!(view(rt, &tx, 2).unwrap(), viewed);
    assert_eq!(root(rt).unwrap(), root_before);
    let head_after = head(rt).unwrap();
    assert_eq!(
        (head_after.layer, head_after.applied, head_after.root),
        (head_before.layer, head_before.applied, head_before.root)
    );
    assert_eq!(account(rt, &USER).unwrap(), user_before, "the view consumed no nonce and paid no fee");
    assert_eq!(slice(rt, &address_bytes(&counter), 0).unwrap(), 0u64.to_le_bytes());
    // What the view promised is what applying gives.
    begin(rt, 2).unwrap();
    assert_eq!(apply(rt, &tx).unwrap(), viewed);
    assert_ne!(root(rt).unwrap(), root_before);
    close(rt).unwrap();
}

#[test]
fn a_view_call_writes_nothing_to_the_persistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.redb");
    let rt = open(&path).unwrap();
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let counter =
        receipt_json(&apply(rt, &deploy_tx("counter", 0)).unwrap()).unwrap()["contract"].as_str().unwrap().to_string();
    commit(rt).unwrap();
    close(rt).unwrap();
    let before = store_contents(&path);
    let rt = open(&path).unwrap();
    for nonce in 0..3 {
        view(rt, &call_tx(&counter, "inc", json!([]), nonce), 2).unwrap();
    }
    close(rt).unwrap();
    assert!(store_contents(&path) == before, "views changed the store");
}

/// Every key and value of the redb store at `path`.
fn store_contents(path: &std::path::Path) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    use svm::storage::kv::{KvDurability, KvStore, RedbKv};
    let kv = RedbKv::open_existing(path, KvDurability::EveryWrite).unwrap();
    let keys = kv.keys_with_prefix(&[]).unwrap();
    assert!(keys.len() > 10, "the store holds the deployed state");
    keys.into_iter().map(|k| (k.clone(), kv.get(&k).unwrap())).collect()
}

#[test]
fn a_persistent_store_reopens_at_its_head_opens_past_layers_read_only_and_rewinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.redb");
    let rt = open(&path).unwrap();
    assert!(!head(rt).unwrap().present, "a new store has no head");
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let counter =
        receipt_json(&apply(rt, &deploy_tx("counter", 0)).unwrap()).unwrap()["contract"].as_str().unwrap().to_string();
    let layer1 = commit(rt).unwrap();
    for (layer, nonce) in [(2, 0), (3, 1)] {
        begin(rt, layer).unwrap();
        apply(rt, &call_tx(&counter, "inc", json!([]), nonce)).unwrap();
        commit(rt).unwrap();
    }
    close(rt).unwrap();

    let rt = open(&path).unwrap();
    let head3 = head(rt).unwrap();
    assert_eq!((head3.layer, head3.applied), (3, 3));
    assert_eq!(slice(rt, &address_bytes(&counter), 0).unwrap(), 2u64.to_le_bytes());

    let past = open_layer(rt, 2).unwrap();
    assert_eq!(slice(past, &address_bytes(&counter), 0).unwrap(), 1u64.to_le_bytes());
    assert_eq!(begin(past, 4).unwrap_err().code, SVM_ERR_STATE, "a past layer is read-only");
    let seen = receipt_json(&view(past, &call_tx(&counter, "inc", json!([]), 1), 3).unwrap()).unwrap();
    assert_eq!(seen["returns"], json!([{ "i64": 2 }]), "a view at layer 2's state");
    close(past).unwrap();

    let rewound = rewind(rt, 1).unwrap();
    assert_eq!((rewound.layer, rewound.applied, rewound.root), (1, 1, layer1.root));
    assert_eq!(root(rt).unwrap(), layer1.root);
    assert_eq!(rewind(rt, 3).unwrap_err().code, SVM_ERR_NOT_RETAINED, "later layers are forgotten");
    assert_eq!(open_layer(rt, 3).unwrap_err().code, SVM_ERR_NOT_RETAINED);
    close(rt).unwrap();

    let rt = open(&path).unwrap();
    assert_eq!(head(rt).unwrap().layer, 1, "the rewind is durable");
    close(rt).unwrap();
}

#[test]
fn versions_are_reported() {
    assert_eq!(svm_abi_version(), SVM_ABI_VERSION);
    assert_eq!(svm_consensus_version(), svm::CONSENSUS_VERSION);
    let version = with_out(|out, e| unsafe { svm_version(out, e) }).unwrap();
    assert_eq!(String::from_utf8(version).unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn cranelift_runtimes_give_the_same_receipts_as_singlepass() {
    let mut rt = 0;
    check(|e| unsafe { svm_runtime_new_memory(SVM_COMPILER_CRANELIFT, &mut rt, e) }).unwrap();
    genesis(rt, &[(AUTHOR, 1_000_000_000), (USER, 1_000_000_000)]).unwrap();
    begin(rt, 1).unwrap();
    let deployed = apply(rt, &deploy_tx("counter", 0)).unwrap();
    let counter = receipt_json(&deployed).unwrap()["contract"].as_str().unwrap().to_string();
    let called = apply(rt, &call_tx(&counter, "inc", json!([]), 0)).unwrap();
    let (single, _) = with_counter();
    begin(single, 2).unwrap();
    assert_eq!(apply(single, &call_tx(&counter, "inc", json!([]), 0)).unwrap(), called);
    close(rt).unwrap();
    close(single).unwrap();
}
