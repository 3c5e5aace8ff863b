//! A divergence inside a collection is reported entry by entry: two replicas whose maps of lists differ
//! in one list value show that value's path (slot, map key, list index) and both sides.

use std::collections::BTreeSet;
use std::sync::Arc;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::kv::MemKv;
use svm::transaction::{Deploy, Execute, Transaction};
use svm::{Address, Value};
use svm_sim::state_diff::diff;

const USER: Address = Address([0x11; 20]);

fn replica(pushes: &[(i64, i64)]) -> (Runtime, Address) {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    rt.genesis(&[(USER, 1 << 40)]).unwrap();
    let source = svm_fuzzing::corpus::contract("lists").unwrap();
    let deploy = Deploy {
        author: USER,
        nonce: 0,
        code: source.code,
        page_count: source.page_count,
        slices: source.slices,
        initial_balance: 0,
        gas_limit: 10_000_000,
        gas_price: 1,
    };
    let contract = rt.apply(&Transaction::Deploy(deploy), &BlockContext::default()).unwrap().contract.unwrap();
    for (nonce, &(key, value)) in (1..).zip(pushes) {
        let call = Execute {
            contract,
            sender: USER,
            nonce,
            function: "push".into(),
            args: vec![Value::I64(key), Value::I64(value)],
            calldata: Vec::new(),
            gas_limit: 1_000_000,
            gas_price: 1,
            value: 0,
        };
        assert!(rt.apply(&Transaction::Execute(call), &BlockContext::default()).unwrap().outcome.is_success());
    }
    (rt, contract)
}

#[test]
fn a_collection_divergence_names_the_entry_that_differs() {
    let (left, contract) = replica(&[(1, 10), (2, 20), (1, 12)]);
    let (right, _) = replica(&[(1, 10), (2, 20), (1, 13)]);
    let diffs = diff(&left, &right, &BTreeSet::from([contract])).unwrap();
    let account = diffs.iter().find(|d| d.address == hex::encode(contract.0)).expect("the contract differs");
    assert_eq!(account.slices.len(), 1, "only the slot's state differs: {account:?}");
    // Map key 1 (8 bytes, little-endian as the contract stored it), list index 1 (big-endian).
    let at = "slot 1/0100000000000000/0000000000000001";
    assert_eq!(
        account.entries,
        vec![(at.to_string(), "0c00000000000000".to_string(), "0d00000000000000".to_string())],
        "{account:?}"
    );
}
