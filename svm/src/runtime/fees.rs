//! The fee rule, applied: admission (the sender can pay the most the transaction can cost, or the
//! transaction is invalid and changes nothing) and settlement (the nonce is consumed and
//! `gas_used × gas_price` moves from the sender to the fee account, whatever the outcome).
//! `svm_core::fee` states the rule.

use super::RuntimeError;
use super::state_update::StateUpdate;
use crate::Address;
use crate::fee::{FEE_ACCOUNT, fee, upfront_cost};
use crate::outcome::InvalidTx;
use crate::outcome::Outcome;
use crate::receipt::Receipt;

/// What a transaction offers to pay: its sender, nonce, gas limit and price, and what it moves.
#[derive(Clone, Copy, Debug)]
pub(super) struct Payment {
    /// The paying account.
    pub sender: Address,
    /// The nonce the transaction carries.
    pub nonce: u64,
    /// The most gas it may use.
    pub gas_limit: u64,
    /// What it pays per gas.
    pub price: u64,
    /// The value or initial balance it moves out of the sender's account.
    pub moved: u64,
}

/// `None` if the sender can pay the most `payment` can cost (and its gas limit is at most
/// `max_gas_limit`), else why the transaction is invalid. Reads accounts into `update`; changes none.
pub(super) fn admit(
    update: &mut StateUpdate,
    payment: &Payment,
    max_gas_limit: u64,
) -> Result<Option<InvalidTx>, RuntimeError> {
    if payment.sender == FEE_ACCOUNT {
        return Ok(Some(InvalidTx::FeeAccount));
    }
    if payment.gas_limit > max_gas_limit {
        return Ok(Some(InvalidTx::GasLimitTooHigh));
    }
    let sender = update.account(&payment.sender)?;
    if sender.library.is_some() {
        return Ok(Some(InvalidTx::LibraryAccount));
    }
    if sender.nonce != payment.nonce {
        return Ok(Some(InvalidTx::NonceMismatch));
    }
    let (Some(upfront), Some(max_fee)) =
        (upfront_cost(payment.gas_limit, payment.price, payment.moved), fee(payment.gas_limit, payment.price))
    else {
        return Ok(Some(InvalidTx::FeeOverflow));
    };
    if sender.balance < upfront {
        return Ok(Some(InvalidTx::InsufficientBalance));
    }
    if update.account(&FEE_ACCOUNT)?.balance.checked_add(max_fee).is_none() {
        return Ok(Some(InvalidTx::BalanceOverflow));
    }
    Ok(None)
}

/// Consumes the sender's nonce and moves `gas_used × price` to the fee account, in `update`.
pub(super) fn settle(update: &mut StateUpdate, payment: &Payment, gas_used: u64) -> Result<(), RuntimeError> {
    let overflow =
        || RuntimeError::Engine("fee settlement overflowed: admission let through what it cannot pay".into());
    let paid = fee(gas_used, payment.price).ok_or_else(overflow)?;
    let sender = update.account(&payment.sender)?;
    sender.nonce = sender.nonce.checked_add(1).ok_or_else(overflow)?;
    sender.balance = sender.balance.checked_sub(paid).ok_or_else(overflow)?;
    let collector = update.account(&FEE_ACCOUNT)?;
    collector.balance = collector.balance.checked_add(paid).ok_or_else(overflow)?;
    Ok(())
}

/// A failed transaction: from the state before it, only the nonce and the fee change. Commits that
/// and returns `receipt` (whose outcome is a failure and whose gas is what it used).
pub(super) fn fail(
    mut update: StateUpdate,
    payment: &Payment,
    receipt: Receipt,
) -> Result<(Receipt, crate::state::StateParts), RuntimeError> {
    debug_assert!(receipt.outcome.is_failure());
    update.discard_changes();
    settle(&mut update, payment, receipt.gas_used)?;
    let root = update.commit()?;
    Ok((receipt, root))
}

/// A deploy (of a contract or a library) that failed after admission as `failure` said (outcome, gas used,
/// diagnostic): its receipt, `state` moved to the state where only its nonce and fee are taken.
pub(super) fn fail_deploy(
    state: &mut crate::state::StateParts,
    update: StateUpdate,
    payment: &Payment,
    (outcome, gas_used, diagnostic): (Outcome, u64, String),
) -> Result<Receipt, RuntimeError> {
    let (receipt, root) = fail(update, payment, Receipt { gas_used, diagnostic, ..Receipt::new(outcome) })?;
    *state = root;
    Ok(receipt)
}

/// The receipt of an invalid transaction: nothing changed, nothing was paid.
pub(super) fn invalid(reason: InvalidTx) -> Receipt {
    Receipt::new(Outcome::Invalid(reason))
}
