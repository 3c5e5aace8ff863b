//! The deploy-time gatekeeper: an explicit allow-list over the wasm binary.
//!
//! Accepted: the WebAssembly 1.0 integer subset (no float types or operators), plus the
//! sign-extension operators (pure integer arithmetic, identical on every engine) and mutable-global
//! exports. Everything else is rejected with the [`Rule`] it breaks: floats, SIMD, threads and atomics,
//! bulk memory (its `memory.fill`/`copy` do unbounded work for one operator's gas), reference types,
//! multi-value (keeps the call-depth instrumentation simple and both compilers on their most tested
//! path), tail calls, exceptions, multi-memory, memory64, GC and every other proposal; start functions
//! (code would run before gas is set); imports that are not vmcalls; resources beyond [`Limits`].

pub mod operators;
mod rule;
mod validate;

pub use rule::{Rule, ValidationError};
pub use validate::{ValidatedModule, validate};
