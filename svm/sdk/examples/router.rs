//! router: moves tokens by calling the `token` example, another contract, and copes with its failures.
//!
//! Exports: `forward(from: u32, to: u32, amount: u64) -> i64` calls `transfer(from, to, amount)` on the token
//! contract whose 20-byte address is the calldata, giving it all the gas it may: the token's result (1 moved, 0
//! not enough), or the failed call's negated status (`class × 256 + detail`, see `svm_sdk::call`).
//! `attempts() -> u64` and `forwarded() -> u64` count every forward and every one the token carried out.
//!
//! Each forward counts the attempt *before* it calls: a token that fails (a holder of 8 or more makes it abort)
//! leaves nothing of its own behind, and the attempt stays counted because the router goes on and succeeds.
#![no_std]

use svm_sdk::call::{call, Arg};
use svm_sdk::calldata::Calldata;
use svm_sdk::storage::U64;

svm_sdk::layout! {
    /// Forwards asked for.
    ATTEMPTS: U64,
    /// Forwards whose token call succeeded and moved tokens.
    FORWARDED: U64,
}

/// Calls `transfer(from, to, amount)` on the token named by the calldata.
#[no_mangle]
pub extern "C" fn forward(from: u32, to: u32, amount: u64) -> i64 {
    ATTEMPTS.set(ATTEMPTS.get() + 1);
    let token = Calldata::new().address();
    let args = [Arg::I32(from as i32), Arg::I32(to as i32), Arg::I64(amount as i64)];
    match call(&token, "transfer", &args, &[], 0, 0) {
        Ok(moved) => {
            if moved == 1 {
                FORWARDED.set(FORWARDED.get() + 1);
            }
            moved
        }
        Err(status) => -(status as i64),
    }
}

/// Forwards asked for.
#[no_mangle]
pub extern "C" fn attempts() -> u64 {
    ATTEMPTS.get()
}

/// Forwards the token carried out.
#[no_mangle]
pub extern "C" fn forwarded() -> u64 {
    FORWARDED.get()
}
