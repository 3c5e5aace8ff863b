//! Gas used never exceeds the gas limit.

use super::Checker;

/// `gas_used ≤ gas_limit`.
pub const CHECKER: Checker = Checker {
    name: "gas-within-limit",
    holds: "no transaction uses more gas than its limit",
    check: |step, _| {
        let (used, limit) = (step.receipt.gas_used, step.tx.gas_limit());
        if used > limit {
            return Err(format!("used {used} gas of a {limit} limit"));
        }
        Ok(())
    },
};
