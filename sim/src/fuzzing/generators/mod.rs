//! Generators: wasm-smith modules wired to the real vmcall surface, function calls, storage
//! operation sequences and transaction streams, all from fuzzer bytes.

pub mod calls;
pub mod module;
pub mod storage_ops;
pub mod stream;
