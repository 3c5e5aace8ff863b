//! Every receipt and transaction round-trips the canonical codec.

use super::Checker;
use svm::receipt::Receipt;
use svm::transaction::Transaction;

/// Receipts and transactions decode to what was encoded, and the receipt hash is the hash of the
/// decoded receipt.
pub const CHECKER: Checker = Checker {
    name: "codec-roundtrip",
    holds: "every receipt and transaction decodes to exactly what was encoded",
    check: |step, _| {
        let receipt = Receipt::from_bytes(&step.receipt.to_bytes()).map_err(|e| format!("receipt: {e}"))?;
        if receipt != *step.receipt || receipt.hash() != step.receipt.hash() {
            return Err("the receipt does not round-trip".into());
        }
        let tx = Transaction::from_bytes(&step.tx.to_bytes()).map_err(|e| format!("transaction: {e}"))?;
        if tx != *step.tx {
            return Err("the transaction does not round-trip".into());
        }
        Ok(())
    },
};
