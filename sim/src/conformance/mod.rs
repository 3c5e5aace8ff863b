//! Spec conformance: the WebAssembly core test suite through the SVM runtime path (deploy, then
//! execute transactions with typed arguments), on singlepass and on cranelift.

pub mod mutation;
pub mod runner;
pub mod tally;

pub use runner::{FileError, run_file};
pub use tally::{FileTally, Totals};
