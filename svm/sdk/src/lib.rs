//! Write SVM smart contracts in Rust: the vmcalls, typed storage and the layout section that declares it,
//! registers, calldata and returndata, logs, the transaction's context and the error convention.
//!
//! A contract is a `cdylib` for `wasm32-unknown-unknown` that exports `extern "C"` functions taking and
//! returning only `u32`/`i32`/`u64`/`i64`, and declares its storage once with [`layout!`]. See `README.md`.
#![cfg_attr(not(test), no_std)]

pub mod abort;
pub mod address;
pub mod call;
pub mod calldata;
pub mod context;
pub mod event;
pub mod layout;
pub mod log;
mod panic;
pub mod registers;
pub mod storage;
pub mod vmcalls;

pub use abort::{abort, require, OrAbort};
pub use address::Address;
pub use registers::Register;
