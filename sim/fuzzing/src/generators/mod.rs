//! Generators: wasm-smith modules wired to the real vmcall surface, generated contracts that know
//! their effects, function calls, storage operation sequences, arbitrary transaction streams from
//! fuzzer bytes, and seeded workloads.

pub mod byte_rng;
pub mod calls;
pub mod collection_ops;
pub mod contract;
pub mod event_ops;
pub mod module;
pub mod storage_ops;
pub mod stream;
pub mod workload;
