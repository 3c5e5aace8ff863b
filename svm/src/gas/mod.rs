//! Gas: the schedule (from `svm-core`) and the meter of one running instance.

pub use svm_core::gas::*;

pub mod meter;
