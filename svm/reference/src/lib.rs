//! SVM's reference VM: a second implementation of the consensus rules, written from
//! `docs/consensus.md` and `docs/vmcalls.md` rather than from the runtime's code.
//!
//! It shares with the runtime only what the rules *are* — svm-core's types, codec, limits, cost
//! table and vmcall registry as data, and deploy validation's accept/refuse verdict — and none of
//! how the runtime computes: no wasmer, no middlewares, no vmcall implementations, no page cache,
//! page tree or account trie. Its parts, one concept per module:
//!
//! - [`wasm`]: the interpreter for the admitted WebAssembly subset, with its own metering by
//!   blocks, frame weights, stack budget, memory cap and canonical NaNs;
//! - [`host`]: the boundary between the interpreter and the chain (the meter, what stops a run,
//!   the vmcall trait);
//! - [`chain`]: plain state (accounts in a map, pages as byte arrays), every vmcall over it, the
//!   transaction rules, and naive hashing recomputed from the whole state.
//!
//! It is slow on purpose: clarity over speed, recomputation over caching.

pub mod chain;
pub mod host;
pub mod wasm;

pub use chain::vm::{ReferenceError, ReferenceVm};
