//! Transaction validity (`docs/consensus.md`, Transaction validity): the checks, in their order, that
//! decide whether a transaction is admitted or invalid. An invalid transaction changes nothing.

use crate::chain::hashing;
use crate::chain::state::State;
use svm_core::fee::FEE_ACCOUNT;
use svm_core::outcome::InvalidTx;
use svm_core::transaction::{Deploy, DeployLibrary, Execute, Transfer};
use svm_core::{Address, Limits};

/// Checks 1–6, common to every kind (check 0, Execute's calldata, comes before them).
fn common(
    state: &State,
    limits: &Limits,
    sender: &Address,
    nonce: u64,
    limit: u64,
    gas_price: u64,
    moved: u64,
) -> Result<(), InvalidTx> {
    if *sender == FEE_ACCOUNT {
        return Err(InvalidTx::FeeAccount);
    }
    if limit > limits.max_gas_limit {
        return Err(InvalidTx::GasLimitTooHigh);
    }
    if state.is_library(sender) {
        return Err(InvalidTx::LibraryAccount);
    }
    if nonce != state.nonce(sender) {
        return Err(InvalidTx::NonceMismatch);
    }
    let max_fee = limit.checked_mul(gas_price).ok_or(InvalidTx::FeeOverflow)?;
    let upfront = max_fee.checked_add(moved).ok_or(InvalidTx::FeeOverflow)?;
    if state.balance(sender) < upfront {
        return Err(InvalidTx::InsufficientBalance);
    }
    if state.balance(&FEE_ACCOUNT).checked_add(max_fee).is_none() {
        return Err(InvalidTx::BalanceOverflow);
    }
    Ok(())
}

/// A deploy's checks 1–9. On success, the new contract's address.
pub fn deploy(state: &State, limits: &Limits, d: &Deploy) -> Result<Address, InvalidTx> {
    common(state, limits, &d.author, d.nonce, d.gas_limit, d.gas_price, d.initial_balance)?;
    let address = hashing::contract_address(&d.author, d.nonce, &hashing::code_hash(&d.code));
    if address == FEE_ACCOUNT {
        return Err(InvalidTx::FeeAccount);
    }
    if state.contract(&address).is_some() {
        return Err(InvalidTx::AddressTaken);
    }
    if state.balance(&address).checked_add(d.initial_balance).is_none() {
        return Err(InvalidTx::BalanceOverflow);
    }
    Ok(address)
}

/// A library deploy's checks: the common ones, then its library account must not hold a library already.
pub fn deploy_library(state: &State, limits: &Limits, l: &DeployLibrary) -> Result<(), InvalidTx> {
    common(state, limits, &l.author, l.nonce, l.gas_limit, l.gas_price, 0)?;
    if state.is_library(&hashing::library_address(&hashing::code_hash(&l.code))) {
        return Err(InvalidTx::AddressTaken);
    }
    Ok(())
}

/// An execute's checks 0–8.
pub fn execute(state: &State, limits: &Limits, e: &Execute) -> Result<(), InvalidTx> {
    if e.calldata.len() as u64 > u64::from(limits.max_calldata_bytes) {
        return Err(InvalidTx::CalldataTooLarge);
    }
    common(state, limits, &e.sender, e.nonce, e.gas_limit, e.gas_price, e.value)?;
    if state.contract(&e.contract).is_none() {
        return Err(InvalidTx::UnknownContract);
    }
    if e.contract != e.sender && state.balance(&e.contract).checked_add(e.value).is_none() {
        return Err(InvalidTx::BalanceOverflow);
    }
    Ok(())
}

/// A transfer's checks 1–8 (its gas limit is the fixed `transfer_gas`).
pub fn transfer(state: &State, limits: &Limits, t: &Transfer, transfer_gas: u64) -> Result<(), InvalidTx> {
    common(state, limits, &t.from, t.nonce, transfer_gas, t.gas_price, t.amount)?;
    if t.to == FEE_ACCOUNT {
        return Err(InvalidTx::FeeAccount);
    }
    if state.is_library(&t.to) {
        return Err(InvalidTx::LibraryAccount);
    }
    if t.to != t.from && state.balance(&t.to).checked_add(t.amount).is_none() {
        return Err(InvalidTx::BalanceOverflow);
    }
    Ok(())
}
