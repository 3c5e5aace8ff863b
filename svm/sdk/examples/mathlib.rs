//! mathlib: a **library** — code other contracts import by its code hash and run as their own (see the README,
//! Libraries). It has no storage layout, no memory of its own (`--import-memory`: the caller's memory) and no data.
//!
//! Exports:
//! - `weighted_sum(values: *const u64, weights: *const u64, n: u32) -> u64`: Σ values[i] × weights[i], wrapping,
//!   reading both arrays from the caller's memory (pointers pass freely: it is one memory);
//! - `isqrt(x: u64) -> u64`: ⌊√x⌋;
//! - `tally(slice: u32, by: u64) -> u64`: adds `by` to the caller's u64 storage slice `slice` and returns the sum
//!   (a library's vmcalls act on the contract running it).
//!
//! A library built by rustc keeps a shadow-stack pointer of its own, starting where the caller's does: its code
//! must stay in wasm locals (no address-taken locals, no large values on the stack), as these functions do.
#![no_std]

use svm_sdk::vmcalls;

/// Σ `values[i] × weights[i]` for i < `n`, wrapping.
///
/// # Safety
/// `values` and `weights` must point to `n` readable u64 each in the caller's memory.
#[no_mangle]
pub unsafe extern "C" fn weighted_sum(values: *const u64, weights: *const u64, n: u32) -> u64 {
    let mut sum = 0u64;
    for i in 0..n as usize {
        sum = sum.wrapping_add((*values.add(i)).wrapping_mul(*weights.add(i)));
    }
    sum
}

/// ⌊√`x`⌋, by Newton's method on integers.
#[no_mangle]
pub extern "C" fn isqrt(x: u64) -> u64 {
    if x < 2 {
        return x;
    }
    // Nothing here can panic (a library has no data for panic messages): the divisions are checked.
    let mut guess = x / 2;
    loop {
        let quotient = match x.checked_div(guess) {
            Some(quotient) => quotient,
            None => return guess,
        };
        let next = guess.wrapping_add(quotient) / 2;
        if next >= guess {
            return guess;
        }
        guess = next;
    }
}

/// Adds `by` to the caller's u64 slice `slice`, wrapping; the new value.
#[no_mangle]
pub extern "C" fn tally(slice: u32, by: u64) -> u64 {
    // SAFETY: vmcalls take plain values; a bad slice traps the call with a host error.
    unsafe {
        let total = vmcalls::storage_read_i64(slice).wrapping_add(by);
        vmcalls::storage_write_i64(slice, total);
        total
    }
}
