//! The vmcalls: the host functions contracts import from the `svm` namespace.
//!
//! [`registry`] (from `svm-core`) lists them; [`bind`] turns a module's imports into host functions over one
//! execution's [`env::ExecutionEnv`]; one file per group implements them. Every vmcall charges its
//! price before doing any work, bounds-checks every pointer and length, and on a bad argument traps
//! with a typed [`HostError`] (recorded in the environment, not in engine text).

pub mod bind;
pub mod call_frame;
mod calldata;
mod calls;
mod collections;
pub mod context;
pub mod env;
mod events;
mod log;
pub mod page_charges;
mod registers;
mod storage;

pub use svm_core::vmcalls::{HostError, registry};
