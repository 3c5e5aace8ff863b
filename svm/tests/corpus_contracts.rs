//! The corpus contracts do what their comments say, on every compiler and cache mode.

mod common;

use common::*;
use svm::Value;
use svm::outcome::Outcome;

#[test]
fn counter_counts() {
    for config in configs() {
        let mut rt = runtime(config.clone());
        let counter = deployed(&mut rt, &contract("counter"));
        for expected in 1..=3 {
            let receipt = call(&mut rt, counter, "inc", &[]);
            assert_eq!(receipt.outcome, Outcome::Success, "{config:?}: {receipt:?}");
            assert_eq!(receipt.returns, vec![Value::I64(expected)]);
        }
        assert_eq!(call(&mut rt, counter, "add", &[Value::I64(10)]).returns, vec![Value::I64(13)]);
        assert_eq!(call(&mut rt, counter, "get", &[]).returns, vec![Value::I64(13)]);
        assert_eq!(rt.contract_slices(&counter).unwrap().unwrap(), vec![13u64.to_le_bytes().to_vec()]);
    }
}
