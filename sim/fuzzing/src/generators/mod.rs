//! Generators: wasm-smith modules wired to the real vmcall surface, function calls, storage
//! operation sequences, arbitrary transaction streams from fuzzer bytes, and seeded workloads.

pub mod calls;
pub mod module;
pub mod storage_ops;
pub mod stream;
pub mod workload;
