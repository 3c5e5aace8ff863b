//! token: a fungible token over 8 holders, numbered 0 to 7.
//!
//! Exports: `mint(holder: u32, amount: u64)`, `transfer(from: u32, to: u32, amount: u64) -> u32`,
//! `balance(holder: u32) -> u64`, `supply() -> u64`. A holder index of 8 or more, or a supply that would pass
//! `u64::MAX`, aborts the call. Every mint and every successful transfer logs 16 bytes: `from: u32 LE,
//! to: u32 LE, amount: u64 LE`, where a mint's `from` is `u32::MAX`.
#![no_std]

use svm_sdk::log::Entry;
use svm_sdk::storage::{Array, U64};
use svm_sdk::OrAbort;

/// The `from` a mint logs.
const MINTED: u32 = u32::MAX;

svm_sdk::layout! {
    /// The total supply: the sum of all balances.
    SUPPLY: U64,
    /// Each holder's balance (`at` aborts for a holder of 8 or more).
    BALANCES: Array<U64, 8>,
}

/// Logs a movement of `amount` from `from` to `to`.
fn log_transfer(from: u32, to: u32, amount: u64) {
    Entry::<16>::new().u32(from).u32(to).u64(amount).emit();
}

/// Creates `amount` new tokens for `holder`.
#[no_mangle]
pub extern "C" fn mint(holder: u32, amount: u64) {
    let balance = BALANCES.at(holder);
    SUPPLY.set(SUPPLY.get().checked_add(amount).or_abort());
    balance.set(balance.get() + amount);
    log_transfer(MINTED, holder, amount);
}

/// Moves `amount` from `from` to `to`: 1, or 0 (and nothing changes) when `from` holds less than `amount`.
#[no_mangle]
pub extern "C" fn transfer(from: u32, to: u32, amount: u64) -> u32 {
    let (source, target) = (BALANCES.at(from), BALANCES.at(to));
    let left = match source.get().checked_sub(amount) {
        Some(left) => left,
        None => return 0,
    };
    source.set(left);
    target.set(target.get() + amount);
    log_transfer(from, to, amount);
    1
}

/// The balance of `holder`.
#[no_mangle]
pub extern "C" fn balance(holder: u32) -> u64 {
    BALANCES.at(holder).get()
}

/// The total supply.
#[no_mangle]
pub extern "C" fn supply() -> u64 {
    SUPPLY.get()
}
