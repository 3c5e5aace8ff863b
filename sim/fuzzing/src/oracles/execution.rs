//! Execution oracle: whatever a contract or transaction does, the node does not fail, a failed
//! transaction leaves the root unchanged, gas used never exceeds the limit, and the receipt
//! round-trips the codec.

use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::Transaction;

/// Applies `tx` and checks every invariant; panics (a finding) when one breaks.
pub fn apply_checked(rt: &mut Runtime, tx: &Transaction, block: &BlockContext) -> Receipt {
    let before = rt.root();
    let receipt = rt.apply(tx, block).unwrap_or_else(|e| panic!("node fault on a transaction's input: {e}\n{tx:?}"));
    check_receipt(tx, &receipt, before, rt.root());
    receipt
}

/// Checks the invariants of `receipt` for `tx`, applied from root `before` to root `after`.
pub fn check_receipt(tx: &Transaction, receipt: &Receipt, before: StateRoot, after: StateRoot) {
    if !receipt.outcome.is_success() {
        assert_eq!(after, before, "a failed transaction ({}) changed the root", receipt.outcome.name());
    }
    let limit = match tx {
        Transaction::Deploy(d) => d.gas_limit,
        Transaction::Execute(e) => e.gas_limit,
        Transaction::Transfer(_) => svm::gas::intrinsic::TRANSFER,
    };
    assert!(receipt.gas_used <= limit, "gas used {} exceeds the limit {limit}", receipt.gas_used);
    let decoded = Receipt::from_bytes(&receipt.to_bytes()).unwrap_or_else(|e| panic!("receipt does not decode: {e}"));
    assert_eq!(&decoded, receipt, "receipt does not round-trip the codec");
}
