//! The fee rule: an invalid transaction changes nothing; any other consumes exactly its sender's nonce
//! and moves exactly `gas_used × gas_price` to the fee account (besides what a success moves).

use super::Checker;
use svm::fee::FEE_ACCOUNT;

/// Nonces and the fee move exactly as the fee rule says.
pub const CHECKER: Checker = Checker {
    name: "fee-rule",
    holds: "an invalid transaction changes nothing; any other consumes its nonce and pays gas used × price to the fee account",
    check: |step, effects| {
        let outcome = step.receipt.outcome;
        if outcome.is_invalid() {
            if step.after != step.before {
                return Err(format!("invalid ({}) but the root changed", outcome.name()));
            }
            if step.receipt.gas_used != 0 {
                return Err(format!("invalid ({}) but reports {} gas used", outcome.name(), step.receipt.gas_used));
            }
            return Ok(());
        }
        let sender = effects.get(&step.tx.sender()).ok_or("the sender is not among the touched accounts")?;
        if sender.nonce_after() != sender.nonce_before() + 1 {
            return Err(format!(
                "nonce went {} -> {} ({})",
                sender.nonce_before(),
                sender.nonce_after(),
                outcome.name()
            ));
        }
        let fee = u128::from(step.receipt.gas_used) * u128::from(step.tx.gas_price());
        let collector = effects.get(&FEE_ACCOUNT).ok_or("the fee account is not among the touched accounts")?;
        let collected = i128::from(collector.balance_after()) - i128::from(collector.balance_before());
        if collected != fee as i128 {
            return Err(format!(
                "the fee account went {} -> {}; the fee is {} gas × {} = {fee}",
                collector.balance_before(),
                collector.balance_after(),
                step.receipt.gas_used,
                step.tx.gas_price()
            ));
        }
        Ok(())
    },
};
