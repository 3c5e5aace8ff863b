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
                _ => Vec::new(),
            };
            let built = tx_from_json(&line["tx"].to_string(), &code).unwrap();
            assert_eq!(built, stx.tx.to_bytes(), "{}: {line}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} transactions checked");
}
