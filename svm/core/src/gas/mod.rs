//! Gas: what every operator, vmcall, page and transaction costs.
//!
//! Operators cost what [`cost_table`] says; vmcalls charge the prices in
//! [`crate::vmcalls::registry::VMCALLS`] before they do any work; touching storage pages costs what
//! [`storage_prices`] says; collection tree work costs what [`collection_prices`] says; events' retention costs what [`event_prices`] says; transactions pay the intrinsic costs in [`intrinsic`] before any code runs.
//! All of it depends only on the wasm operators executed and the arguments and state given, never on
//! the compiler or on a node's caches. [`schedule`] fingerprints all of it.

pub mod collection_prices;
pub mod cost_table;
pub mod event_prices;
pub mod intrinsic;
pub mod schedule;
pub mod storage_prices;

pub use cost_table::{GAS_SCHEDULE_VERSION, cost_of, operator_cost};
pub use schedule::schedule_fingerprint;
