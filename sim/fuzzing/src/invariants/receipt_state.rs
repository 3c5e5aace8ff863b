//! The receipt's contract state is the contract account's state after the transaction.

use super::Checker;

/// A successful deploy or execution reports the state its contract account holds.
pub const CHECKER: Checker = Checker {
    name: "receipt-state",
    holds: "a successful deploy or execution reports the contract state its account holds afterwards",
    check: |step, effects| {
        let receipt = step.receipt;
        let (Some(contract), true) = (receipt.contract, receipt.outcome.is_success()) else { return Ok(()) };
        let account = effects.get(&contract).and_then(|t| t.after.clone());
        let held = account.and_then(|a| a.contract).map(|c| c.state);
        if held != receipt.state {
            return Err(format!("the receipt says state {:?}; contract {contract} holds {held:?}", receipt.state));
        }
        Ok(())
    },
};
