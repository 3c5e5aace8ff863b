//! Transfers: balance moves between accounts, for a fixed intrinsic gas at the transfer's price.

use super::fees::{self, Payment};
use super::state_update::StateUpdate;
use super::{Runtime, RuntimeError};
use crate::fee::FEE_ACCOUNT;
use crate::gas::intrinsic;
use crate::outcome::{InvalidTx, Outcome};
use crate::receipt::Receipt;
use crate::transaction::Transfer;

/// Applies a transfer. It either applies or is invalid: a transfer that can pay cannot fail.
pub(super) fn transfer(rt: &mut Runtime, tx: &Transfer) -> Result<Receipt, RuntimeError> {
    let mut update = StateUpdate::new(rt.kv.clone(), rt.state, rt.caches.trie.clone());
    let payment = Payment {
        sender: tx.from,
        nonce: tx.nonce,
        gas_limit: intrinsic::TRANSFER,
        price: tx.gas_price,
        moved: tx.amount,
    };
    if let Some(reason) = fees::admit(&mut update, &payment, rt.config.limits.max_gas_limit)? {
        return Ok(fees::invalid(reason));
    }
    if tx.to == FEE_ACCOUNT {
        return Ok(fees::invalid(InvalidTx::FeeAccount));
    }
    if update.account(&tx.to)?.library.is_some() {
        return Ok(fees::invalid(InvalidTx::LibraryAccount));
    }
    if tx.to != tx.from && update.account(&tx.to)?.balance.checked_add(tx.amount).is_none() {
        return Ok(fees::invalid(InvalidTx::BalanceOverflow));
    }
    update.account(&tx.from)?.balance -= tx.amount;
    update.account(&tx.to)?.balance += tx.amount;
    fees::settle(&mut update, &payment, intrinsic::TRANSFER)?;
    rt.state = update.commit()?;
    Ok(Receipt { gas_used: intrinsic::TRANSFER, ..Receipt::new(Outcome::Success) })
}
