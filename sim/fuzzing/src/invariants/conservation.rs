//! Conservation: balance is neither created nor destroyed. With `only-its-accounts`, the sum over the
//! accounts a transaction may touch (the fee account among them) is the sum over the whole state.

use super::Checker;

/// The total of every balance is the same before and after.
pub const CHECKER: Checker = Checker {
    name: "conservation",
    holds: "the total balance, fee account included, is the same before and after every transaction",
    check: |_, effects| {
        let before: u128 = effects.touched.iter().map(|t| u128::from(t.balance_before())).sum();
        let after: u128 = effects.touched.iter().map(|t| u128::from(t.balance_after())).sum();
        if before != after {
            return Err(format!("balances summed to {before} before and {after} after"));
        }
        Ok(())
    },
};
