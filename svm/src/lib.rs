//! SVM: a deterministic WebAssembly smart-contract VM.
//!
//! The contract-storage hierarchy, bottom up:
//! [`kv`] (bytes → bytes, atomic batches) → [`pages`] (content-addressed 4096-byte pages under a Merkle
//! root) → [`page_cache`] (each page loaded once per execution, dirty set, commit or discard) →
//! [`page_slices`] (a contract's variables; the only layer vmcalls talk to). A contract's storage is
//! summarized by its [`ContractState`]. Each running program also owns a [`registers::RegisterFile`].

pub mod address;
pub mod codec;
pub mod content_cache;
pub mod contract_source;
pub mod contract_state;
pub mod gas;
pub mod hash;
pub mod instrument;
pub mod kv;
pub mod limits;
pub mod module_cache;
pub mod outcome;
pub mod page_cache;
pub mod page_slices;
pub mod pages;
pub mod receipt;
pub mod registers;
pub mod runtime;
mod stable_codes;
pub mod state;
pub mod trace;
pub mod transaction;
pub mod validation;
pub mod value;
pub mod vmcalls;

pub use address::Address;
pub use contract_source::ContractSource;
pub use contract_state::ContractState;
pub use hash::Hash;
pub use limits::Limits;
pub use value::{Value, ValueType};
