//! SVM: a deterministic WebAssembly smart-contract VM.
//!
//! The contract-storage hierarchy, bottom up:
//! [`kv`] (bytes → bytes, atomic batches) → [`pages`] (content-addressed 4096-byte pages under a Merkle
//! root) → [`page_cache`] (each page loaded once per execution, dirty set, commit or discard) →
//! [`page_slices`] (a contract's variables; the only layer vmcalls talk to). A contract's storage is
//! summarized by its [`ContractState`]. Each running program also owns a [`registers::RegisterFile`].

pub mod address;
pub mod contract_state;
pub mod hash;
pub mod kv;
pub mod page_cache;
pub mod page_slices;
pub mod pages;
pub mod registers;

pub use address::Address;
pub use contract_state::ContractState;
pub use hash::Hash;
