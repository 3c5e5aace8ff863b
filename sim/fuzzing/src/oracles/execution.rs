//! Execution oracle: whatever a contract or transaction does, the node does not fail and every
//! invariant holds after it (see [`crate::invariants`]).

use crate::invariants::{self, Step};
use svm::StateRoot;
use svm::receipt::Receipt;
use svm::runtime::{BlockContext, Runtime};
use svm::transaction::Transaction;

/// Applies `tx` and checks every invariant; panics (a finding) when one breaks.
pub fn apply_checked(rt: &mut Runtime, tx: &Transaction, block: &BlockContext) -> Receipt {
    rt.begin_layer(block.layer).unwrap_or_else(|e| panic!("node fault at the layer boundary: {e}"));
    let before = rt.root();
    let receipt = rt.apply(tx, block).unwrap_or_else(|e| panic!("node fault on a transaction's input: {e}\n{tx:?}"));
    check_receipt(rt, tx, &receipt, before, block.layer);
    receipt
}

/// Checks every invariant of `receipt` for `tx` of `layer`, applied by `rt` from root `before` to its
/// current root.
pub fn check_receipt(rt: &Runtime, tx: &Transaction, receipt: &Receipt, before: StateRoot, layer: u64) {
    let step = Step { runtime: rt, tx, receipt, before, after: rt.root(), layer, nodes: None };
    let violations = invariants::check(&step, false);
    if let Some(first) = violations.first() {
        panic!("{first} ({}, tx {tx:?})", receipt.outcome.name());
    }
}
