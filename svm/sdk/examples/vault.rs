//! vault: a multi-user vault that records what each user deposited.
//!
//! Users live in a table of at most 64 slots, appended in order of first deposit: slot `i` is `USERS[i]`
//! (the address) and `DEPOSITS[i]` (its recorded balance). A deposit records the call's value for the sender;
//! a withdrawal debits the sender's record. Surface v1 has no vmcall that pays out of a contract, so a
//! withdrawal is bookkeeping only: the coins stay in the contract's own balance (`held`).
//!
//! Exports: `deposit() -> u64`, `withdraw(amount: u64) -> u32`, `balance() -> u64`,
//! `balance_at(slot: u32) -> u64`, `user(slot: u32) -> u32`, `users() -> u32`, `total() -> u64`,
//! `held() -> u64`. Deposits and withdrawals log 29 bytes: `b'D'` or `b'W'`, the sender's 20 bytes, the
//! amount as u64 LE.
#![no_std]

use svm_sdk::calldata::set_returndata;
use svm_sdk::log::Entry;
use svm_sdk::registers::SCRATCH;
use svm_sdk::storage::{Addr, Array, U32, U64};
use svm_sdk::{context, ensure, Address, OrAbort, Register};

/// Holds the sender's address while a call looks it up.
const SENDER: Register = Register::r160(0);

/// Holds a stored address while it is compared with [`SENDER`].
const STORED: Register = Register::r160(1);

svm_sdk::layout! {
    /// How many slots of the table are in use.
    USER_COUNT: U32,
    /// The sum of every recorded balance.
    TOTAL: U64,
    /// Each slot's user.
    USERS: Array<Addr, 64>,
    /// Each slot's recorded balance.
    DEPOSITS: Array<U64, 64>,
}

/// The sender's slot, if it has one; leaves the sender in [`SENDER`].
fn sender_slot() -> Option<u32> {
    context::sender_to_reg(SENDER);
    (0..USER_COUNT.get()).find(|&slot| USERS.at(slot).matches_reg(SENDER, STORED))
}

/// Logs `kind` (`b'D'` or `b'W'`) of `amount` by the sender held in [`SENDER`].
fn log_movement(kind: u8, amount: u64) {
    Entry::<29>::new().u8(kind).address(&Address::from_reg(SENDER)).u64(amount).emit();
}

/// Records the call's value for the sender, giving it a slot on its first deposit; returns its new balance.
/// Aborts when the sender is new and all 64 slots are taken.
#[no_mangle]
pub extern "C" fn deposit() -> u64 {
    let amount = context::value();
    let slot = match sender_slot() {
        Some(slot) => slot,
        None => {
            let slot = USER_COUNT.get();
            ensure!(slot < USERS.len());
            USERS.at(slot).store_from_reg(SENDER);
            USER_COUNT.set(slot + 1);
            slot
        }
    };
    let record = DEPOSITS.at(slot);
    let balance = record.get().checked_add(amount).or_abort();
    record.set(balance);
    TOTAL.set(TOTAL.get().checked_add(amount).or_abort());
    log_movement(b'D', amount);
    balance
}

/// Debits `amount` from the sender's record: 1, or 0 (nothing changes) if the sender has no slot or a smaller
/// balance.
#[no_mangle]
pub extern "C" fn withdraw(amount: u64) -> u32 {
    let record = match sender_slot() {
        Some(slot) => DEPOSITS.at(slot),
        None => return 0,
    };
    let left = match record.get().checked_sub(amount) {
        Some(left) => left,
        None => return 0,
    };
    record.set(left);
    TOTAL.set(TOTAL.get() - amount);
    log_movement(b'W', amount);
    1
}

/// The sender's recorded balance (0 without a slot).
#[no_mangle]
pub extern "C" fn balance() -> u64 {
    sender_slot().map_or(0, |slot| DEPOSITS.at(slot).get())
}

/// The recorded balance of slot `slot` (0 for a free slot); aborts for a slot of 64 or more.
#[no_mangle]
pub extern "C" fn balance_at(slot: u32) -> u64 {
    DEPOSITS.at(slot).get()
}

/// 1 with the 20-byte address of slot `slot`'s user as returndata, or 0 (no returndata) for a free slot.
#[no_mangle]
pub extern "C" fn user(slot: u32) -> u32 {
    if slot >= USER_COUNT.get() {
        return 0;
    }
    set_returndata(&USERS.at(slot).get().0);
    1
}

/// How many slots are in use.
#[no_mangle]
pub extern "C" fn users() -> u32 {
    USER_COUNT.get()
}

/// The sum of every recorded balance.
#[no_mangle]
pub extern "C" fn total() -> u64 {
    TOTAL.get()
}

/// The contract's own balance: every deposit ever made, plus whatever was transferred to it directly.
#[no_mangle]
pub extern "C" fn held() -> u64 {
    context::contract_to_reg(SCRATCH);
    context::balance_of_reg(SCRATCH)
}
