//! The deploy-time gatekeeper: an explicit allow-list over the wasm binary (`docs/consensus.md`,
//! "Code admission", states it rule by rule).
//!
//! Admitted: WebAssembly 1.0 with sign extension, multi-value, the memory half of bulk memory
//! (`memory.copy/fill/init`, `data.drop`, passive data: priced per byte), the over-long
//! `call_indirect` encoding, mutable-global exports, and floats under the float rule
//! ([`crate::limits::FloatRule`]: refused, or admitted with canonical NaNs and the non-trapping
//! conversions). Everything else is rejected with the [`Rule`] it breaks: SIMD, threads and atomics,
//! table bulk operations, reference types beyond one funcref table, tail calls, exceptions,
//! multi-memory, memory64, GC and every other proposal; start functions (code would run before gas is
//! set); imports that are not vmcalls; reserved export names; resources beyond [`Limits`].

pub mod operators;
mod rule;
mod validate;

pub use rule::{Rule, ValidationError};
pub use validate::{ImportAdmission, LIBRARY_MEMORY_IMPORT, ValidatedModule, validate, validate_admitting};
