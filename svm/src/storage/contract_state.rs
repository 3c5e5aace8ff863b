//! The contract state: the top of the storage ladder. It is the root of the page tree
//! ([`crate::storage::pages::PageTree`]) over the contract's page hashes, so it is a function of the
//! contents alone, and any earlier state loads again by its hash.

pub use svm_core::contract_state::ContractState;
