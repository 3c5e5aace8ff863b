//! Transfers: balance moves between accounts.

use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::gas::intrinsic;
use crate::outcome::{InvalidTx, Outcome};
use crate::receipt::Receipt;
use crate::transaction::Transfer;

/// Applies a transfer.
pub(super) fn transfer(rt: &mut Runtime, tx: &Transfer) -> Result<Receipt, RuntimeError> {
    let mut update = StateUpdate::new(rt.kv.as_ref(), rt.root, &rt.caches.trie);
    let from = update.account(&tx.from)?;
    if from.nonce != tx.nonce {
        return Ok(Receipt::new(Outcome::Invalid(InvalidTx::NonceMismatch)));
    }
    if from.balance < tx.amount {
        return Ok(Receipt::new(Outcome::Invalid(InvalidTx::InsufficientBalance)));
    }
    from.balance -= tx.amount;
    from.nonce += 1;
    let to = update.account(&tx.to)?;
    match to.balance.checked_add(tx.amount) {
        Some(balance) => to.balance = balance,
        None => return Ok(Receipt::new(Outcome::Invalid(InvalidTx::BalanceOverflow))),
    }
    rt.root = update.commit()?;
    Ok(Receipt { gas_used: intrinsic::TRANSFER, ..Receipt::new(Outcome::Success) })
}
