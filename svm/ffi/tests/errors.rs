//! Every bad input to the C API is a typed error with a message, never a crash: null pointers,
//! truncated or malformed bytes, malformed JSON, closed and forged handles, calls out of order.

mod common;

use common::*;
use serde_json::json;
use std::ptr::{null, null_mut};
use svm_ffi::*;

fn code(result: Result<impl std::fmt::Debug, Failure>) -> i32 {
    result.expect_err("the call should have failed").code
}

#[test]
fn null_pointers_are_refused_by_name() {
    let (rt, counter) = with_counter();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    begin(rt, 2).unwrap();
    let mut buffer = SvmBuffer::EMPTY;
    let mut handle = 0;
    let failures = [
        check(|e| unsafe { svm_apply(rt, null(), tx.len(), &mut buffer, e) }),
        check(|e| unsafe { svm_apply(rt, tx.as_ptr(), tx.len(), null_mut(), e) }),
        check(|e| unsafe { svm_apply_traced(rt, tx.as_ptr(), tx.len(), &mut buffer, null_mut(), e) }),
        check(|e| unsafe { svm_view(rt, null(), 5, 2, &mut buffer, e) }),
        check(|e| unsafe { svm_account(rt, null(), &mut buffer, e) }),
        check(|e| unsafe { svm_account(rt, USER.as_ptr(), null_mut(), e) }),
        check(|e| unsafe { svm_contract_slice(rt, null(), 0, &mut buffer, e) }),
        check(|e| unsafe { svm_state_root(rt, null_mut(), e) }),
        check(|e| unsafe { svm_head(rt, null_mut(), e) }),
        check(|e| unsafe { svm_layer_commit(rt, null_mut(), e) }),
        check(|e| unsafe { svm_rewind(rt, 1, null_mut(), e) }),
        check(|e| unsafe { svm_genesis(rt, null(), 28, e) }),
        check(|e| unsafe { svm_runtime_new_memory(SVM_COMPILER_SINGLEPASS, null_mut(), e) }),
        check(|e| unsafe { svm_runtime_open(null(), 3, SVM_COMPILER_SINGLEPASS, &mut handle, e) }),
        check(|e| unsafe { svm_runtime_open_layer(rt, 1, null_mut(), e) }),
        check(|e| unsafe { svm_transaction_from_json(null(), 4, null(), 0, &mut buffer, e) }),
        check(|e| unsafe { svm_receipt_json(null(), 4, &mut buffer, e) }),
        check(|e| unsafe { svm_account_json(tx.as_ptr(), tx.len(), null_mut(), e) }),
        check(|e| unsafe { svm_version(null_mut(), e) }),
        check(|e| unsafe { svm_events_query(rt, null(), null(), 0, 9, 10, &mut buffer, e) }),
        check(|e| unsafe { svm_events_query(rt, USER.as_ptr(), null(), 0, 9, 10, null_mut(), e) }),
    ];
    for (i, failure) in failures.into_iter().enumerate() {
        let failure = failure.unwrap_err();
        assert_eq!(failure.code, SVM_ERR_NULL_POINTER, "call {i}: {failure:?}");
        assert!(failure.message.contains("null pointer"), "call {i}: {failure:?}");
    }
    // Nothing was applied by any of them, and a null `error` is fine too: the code still comes back.
    assert_eq!(head(rt).unwrap().applied, 1);
    assert_eq!(unsafe { svm_apply(rt, null(), 1, &mut buffer, null_mut()) }, SVM_ERR_NULL_POINTER);
    assert_eq!(unsafe { svm_runtime_close(0, null_mut()) }, SVM_ERR_HANDLE);
    close(rt).unwrap();
}

#[test]
fn every_truncation_of_a_transaction_and_of_a_receipt_is_a_codec_error() {
    let (rt, counter) = with_counter();
    begin(rt, 2).unwrap();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    for len in 0..tx.len() {
        let failure = apply(rt, &tx[..len]).unwrap_err();
        assert_eq!(failure.code, SVM_ERR_CODEC, "{len} bytes: {failure:?}");
        assert_eq!(code(view(rt, &tx[..len], 2)), SVM_ERR_CODEC);
    }
    let mut trailing = tx.clone();
    trailing.push(0);
    assert_eq!(code(apply(rt, &trailing)), SVM_ERR_CODEC);
    let mut version = tx.clone();
    version[0] = 99;
    assert!(apply(rt, &version).unwrap_err().message.contains("version"));
    assert_eq!(code(apply(rt, &[0xff; 64])), SVM_ERR_CODEC);
    assert_eq!(head(rt).unwrap().applied, 1, "no bad message was applied");

    let receipt = apply(rt, &tx).unwrap();
    for len in 0..receipt.len() {
        assert_eq!(code(receipt_json(&receipt[..len])), SVM_ERR_CODEC, "{len} bytes");
    }
    let account = account(rt, &USER).unwrap();
    assert_eq!(code(account_json(&account[..account.len() - 1])), SVM_ERR_CODEC);
    close(rt).unwrap();
}

#[test]
fn malformed_transaction_json_is_invalid_input() {
    let code_bytes = contract("counter").code;
    let execute = |field: &str, value: serde_json::Value| {
        let mut tx = json!({"execute": {"contract": "01".repeat(20), "sender": "02".repeat(20), "nonce": 0,
            "function": "inc", "args": [], "calldata": "", "gas_limit": 1, "gas_price": 1, "value": 0}});
        tx["execute"][field] = value;
        tx.to_string()
    };
    let deploy = |hash: serde_json::Value| {
        json!({"deploy": {"author": "01".repeat(20), "nonce": 0, "code": hash, "page_count": 1,
            "slices": [[0, 0, 8]], "initial_balance": 0, "gas_limit": 1, "gas_price": 1}})
        .to_string()
    };
    let cases: Vec<(String, Vec<u8>)> = vec![
        ("".into(), vec![]),
        ("{".into(), vec![]),
        ("[]".into(), vec![]),
        (r#"{"mint": {}}"#.into(), vec![]),
        (execute("contract", json!("zz")), vec![]),
        (execute("sender", json!("0102")), vec![]),
        (execute("calldata", json!("abc")), vec![]),
        (execute("nonce", json!(-1)), vec![]),
        (execute("args", json!([{"f32": "7fc0"}])), vec![]),
        (execute("args", json!([{"i128": 1}])), vec![]),
        (execute("extra", json!(1)), vec![]),
        (execute("function", json!("inc")), code_bytes.clone()),
        (deploy(json!(svm::code::code_hash(&code_bytes).to_string())), vec![]),
        (deploy(json!("00".repeat(32))), code_bytes.clone()),
    ];
    for (json, code_bytes) in &cases {
        let failure = tx_from_json(json, code_bytes).unwrap_err();
        assert_eq!(failure.code, SVM_ERR_INVALID_INPUT, "{json}: {failure:?}");
    }
    let not_utf8 = [0xc3u8, 0x28];
    let mut out = SvmBuffer::EMPTY;
    let failure =
        check(|e| unsafe { svm_transaction_from_json(not_utf8.as_ptr(), 2, null(), 0, &mut out, e) }).unwrap_err();
    assert_eq!(failure.code, SVM_ERR_INVALID_INPUT);
    // The same deploy with its code hash named, or left out, is fine.
    let hash = svm::code::code_hash(&code_bytes).to_string();
    assert_eq!(
        tx_from_json(&deploy(json!(hash)), &code_bytes).unwrap(),
        tx_from_json(&deploy(json!(null)), &code_bytes).unwrap()
    );
}

#[test]
fn a_closed_or_forged_handle_is_a_handle_error_on_every_entry_point() {
    let (rt, counter) = with_counter();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    close(rt).unwrap();
    for handle in [rt, 0, u64::MAX, rt + 1_000_000] {
        let mut buffer = SvmBuffer::EMPTY;
        let mut head = SvmHead::default();
        let mut out = 0;
        let results = [
            close(handle),
            genesis(handle, &[(USER, 1)]),
            begin(handle, 5),
            check(|e| unsafe { svm_layer_commit(handle, &mut head, e) }),
            check(|e| unsafe { svm_head(handle, &mut head, e) }),
            root(handle).map(drop),
            rewind(handle, 1).map(drop),
            check(|e| unsafe { svm_runtime_open_layer(handle, 1, &mut out, e) }),
            apply(handle, &tx).map(drop),
            view(handle, &tx, 2).map(drop),
            check(|e| unsafe { svm_apply_traced(handle, tx.as_ptr(), tx.len(), &mut buffer, &mut buffer, e) }),
            account(handle, &USER).map(drop),
            slice(handle, &USER, 0).map(drop),
            check(|e| unsafe { svm_events_query(handle, USER.as_ptr(), null(), 0, 9, 10, &mut buffer, e) }),
        ];
        for (i, result) in results.into_iter().enumerate() {
            let failure = result.unwrap_err();
            assert_eq!(failure.code, SVM_ERR_HANDLE, "handle {handle}, call {i}: {failure:?}");
            assert!(failure.message.contains("unknown or closed"));
        }
    }
}

#[test]
fn calls_out_of_order_are_state_errors_and_change_nothing() {
    let (rt, counter) = with_counter();
    let tx = call_tx(&counter, "inc", json!([]), 0);
    let before = head(rt).unwrap();
    assert_eq!(code(apply(rt, &tx)), SVM_ERR_STATE, "no layer open");
    assert_eq!(code(commit(rt)), SVM_ERR_STATE, "no layer open");
    assert_eq!(code(genesis(rt, &[(USER, 5)])), SVM_ERR_STATE, "genesis over a head");
    assert_eq!(code(begin(rt, 0)), SVM_ERR_STATE, "before the head's layer");
    begin(rt, 3).unwrap();
    assert_eq!(code(begin(rt, 4)), SVM_ERR_STATE, "a layer is open");
    assert_eq!(code(rewind(rt, 1)), SVM_ERR_STATE, "a layer is open");
    assert_eq!(code(genesis(rt, &[(USER, 5)])), SVM_ERR_STATE);
    assert_eq!(root(rt).unwrap(), before.root);
    commit(rt).unwrap();
    assert_eq!(code(rewind(rt, 2)), SVM_ERR_NOT_RETAINED, "layer 2 was never committed");
    close(rt).unwrap();
}

#[test]
fn bad_arguments_are_invalid_input_or_not_found() {
    let (rt, counter) = with_counter();
    let records = [0u8; 27];
    let fresh = memory();
    let failure = check(|e| unsafe { svm_genesis(fresh, records.as_ptr(), records.len(), e) }).unwrap_err();
    assert_eq!(failure.code, SVM_ERR_INVALID_INPUT);
    assert!(!head(fresh).unwrap().present, "a refused genesis records nothing");
    close(fresh).unwrap();
    let mut handle = 0;
    assert_eq!(code(check(|e| unsafe { svm_runtime_new_memory(7, &mut handle, e) })), SVM_ERR_INVALID_INPUT);
    assert_eq!(code(slice(rt, &USER, 0)), SVM_ERR_NOT_FOUND, "a plain account is no contract");
    assert_eq!(code(slice(rt, &address_bytes(&counter), 1)), SVM_ERR_NOT_FOUND, "the counter has one slice");
    close(rt).unwrap();
}

#[test]
fn a_store_that_cannot_be_opened_is_a_store_error() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(open(dir.path())), SVM_ERR_STORE, "a directory");
    let garbage = dir.path().join("garbage.redb");
    std::fs::write(&garbage, vec![7u8; 8192]).unwrap();
    assert_eq!(code(open(&garbage)), SVM_ERR_STORE, "not a redb file");
    let path = dir.path().join("node.redb");
    let rt = open(&path).unwrap();
    let failure = open(&path).unwrap_err();
    assert_eq!(failure.code, SVM_ERR_STORE, "already open: {failure:?}");
    close(rt).unwrap();
    let rt = open(&path).unwrap();
    close(rt).unwrap();
    let mut handle = 0;
    let not_utf8 = [0xffu8, 0xfe];
    let failure = check(|e| unsafe { svm_runtime_open(not_utf8.as_ptr(), 2, SVM_COMPILER_SINGLEPASS, &mut handle, e) });
    assert_eq!(code(failure), SVM_ERR_INVALID_INPUT);
    assert_eq!(code(check(|e| unsafe { svm_runtime_open(null(), 0, 0, &mut handle, e) })), SVM_ERR_INVALID_INPUT);
}

#[test]
fn freeing_an_empty_buffer_does_nothing() {
    unsafe { svm_buffer_free(SvmBuffer::EMPTY) };
}
