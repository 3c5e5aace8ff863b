//! Gas: what every operator, vmcall and transaction costs.
//!
//! Operators cost what [`cost_table`] says; vmcalls charge the prices in
//! [`crate::vmcalls::registry::VMCALLS`] before they do any work; transactions pay the intrinsic costs
//! in [`intrinsic`] before any code runs. All of it depends only on the wasm operators executed and the
//! arguments given, never on the compiler.

pub mod cost_table;
pub mod intrinsic;

pub use cost_table::{GAS_SCHEDULE_VERSION, operator_cost, schedule_fingerprint};
