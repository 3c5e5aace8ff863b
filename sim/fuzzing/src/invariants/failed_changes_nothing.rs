//! A failed transaction changes nothing but what the fee rule allows: the sender's nonce and balance
//! and the fee account. No contract state, no value moved, no logs, returns or returndata.

use super::Checker;
use svm::fee::FEE_ACCOUNT;

/// A failure keeps nothing but its nonce and fee.
pub const CHECKER: Checker = Checker {
    name: "failed-changes-nothing",
    holds: "a failed transaction changes only its sender's nonce and balance and the fee account",
    check: |step, effects| {
        let receipt = step.receipt;
        if !receipt.outcome.is_failure() {
            return Ok(());
        }
        if receipt.state.is_some()
            || !receipt.logs.is_empty()
            || !receipt.returns.is_empty()
            || !receipt.returndata.is_empty()
        {
            return Err(format!("failed ({}) but its receipt carries effects", receipt.outcome.name()));
        }
        let sender = step.tx.sender();
        for touched in &effects.touched {
            let allowed = touched.address == sender || touched.address == FEE_ACCOUNT;
            if !allowed && touched.before != touched.after {
                return Err(format!("failed ({}) but account {} changed", receipt.outcome.name(), touched.address));
            }
            if touched.address == sender {
                let (before, after) =
                    (touched.before.clone().unwrap_or_default(), touched.after.clone().unwrap_or_default());
                if before.contract != after.contract {
                    return Err(format!("failed ({}) but the sender's contract changed", receipt.outcome.name()));
                }
                if after.balance > before.balance {
                    return Err(format!("failed ({}) but the sender's balance grew", receipt.outcome.name()));
                }
            }
        }
        Ok(())
    },
};
