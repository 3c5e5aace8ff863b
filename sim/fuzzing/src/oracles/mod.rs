//! Oracles: what must hold whatever the input. Each panics with a clear message when it does not, so
//! that the fuzzer records the input as a finding.

pub mod agreement;
pub mod codec;
pub mod collection_model;
pub mod differential;
pub mod event_model;
pub mod execution;
pub mod expected_effects;
pub mod generated_contract;
pub mod storage_model;
pub mod trace_diff;
