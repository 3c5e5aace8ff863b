//! stats: a contract that links the `mathlib` library (`examples/mathlib.rs`) by its code hash.
//!
//! Exports `score(a: u64, b: u64, c: u64) -> u64` adds the weighted sum 3a + 2b + c to the running total (slice 0)
//! and returns the new total; `root() -> u64` is ⌊√total⌋; `total() -> u64` the total. The arrays `score` hands
//! the library live in this contract's memory, and `tally` writes this contract's storage: library code runs as
//! the contract's own. Deploy mathlib first (a library deploy), then this contract.
#![no_std]

use svm_sdk::storage::U64;

svm_sdk::layout! {
    /// The running total of every score.
    TOTAL: U64,
}

// The import module is mathlib's code hash (blake3 of its .wasm, lowercase hex): corpus/contracts/build.sh checks
// that it is the hash of the mathlib it builds.
#[link(wasm_import_module = "a0f0310d5a6c931a78349da3fd269946f2a0a50ae848fd2c34d8964c040886d6")]
extern "C" {
    fn weighted_sum(values: *const u64, weights: *const u64, n: u32) -> u64;
    fn isqrt(x: u64) -> u64;
    fn tally(slice: u32, by: u64) -> u64;
}

/// Adds 3a + 2b + c to the total; the new total.
#[no_mangle]
pub extern "C" fn score(a: u64, b: u64, c: u64) -> u64 {
    let values = [a, b, c];
    let weights = [3u64, 2, 1];
    // SAFETY: both arrays hold 3 u64 in this contract's memory, which the library shares.
    unsafe { tally(0, weighted_sum(values.as_ptr(), weights.as_ptr(), 3)) }
}

/// ⌊√total⌋.
#[no_mangle]
pub extern "C" fn root() -> u64 {
    // SAFETY: a plain value.
    unsafe { isqrt(TOTAL.get()) }
}

/// The total.
#[no_mangle]
pub extern "C" fn total() -> u64 {
    TOTAL.get()
}
