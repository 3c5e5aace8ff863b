//! The C API's JSON transaction form is the stream files' form: every transaction of every golden
//! stream builds, through the C API, exactly the canonical message the simulator's reader builds.

mod common;

use common::*;
use std::path::PathBuf;
use svm::transaction::Transaction;
use svm_fuzzing::stream::Stream;

#[test]
fn every_golden_stream_transaction_builds_the_same_message_as_the_stream_reader() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/streams");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let stream = Stream::read(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for (line, stx) in text.lines().skip(1).zip(&stream.txs) {
            let line: serde_json::Value = serde_json::from_str(line).unwrap();
            let code = match &stx.tx {
                Transaction::Deploy(deploy) => deploy.code.clone(),
                Transaction::DeployLibrary(library) => library.code.clone(),
                _ => Vec::new(),
            };
            let built = tx_from_json(&line["tx"].to_string(), &code).unwrap();
            assert_eq!(built, stx.tx.to_bytes(), "{}: {line}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} transactions checked");
}

#[test]
fn a_library_deploy_builds_its_message_and_its_code_must_match_the_hash_named() {
    use svm::transaction::DeployLibrary;
    let code = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
    let tx = Transaction::DeployLibrary(DeployLibrary {
        author: svm::Address([3; 20]),
        nonce: 4,
        code: code.clone(),
        gas_limit: 5,
        gas_price: 6,
    });
    let json = svm_fuzzing::tx_format::TxJson::from_tx(&tx);
    let text = serde_json::to_string(&json).unwrap();
    assert_eq!(tx_from_json(&text, &code).unwrap(), tx.to_bytes());
    assert!(tx_from_json(&text, b"\0asm\x01\0\0\0").is_err(), "the code must have the hash the JSON names");
    assert!(tx_from_json(&text, &[]).is_err(), "a library deploy needs its code");
}
