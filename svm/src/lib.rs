//! SVM: a deterministic WebAssembly smart-contract VM.
//!
//! [`storage`] is the seed's contract-storage ladder, bottom up: kv → pages → page cache → page slices
//! → contract state. Beside it, [`state`] rolls accounts up into the global state root. [`runtime`]
//! deploys and executes contracts on wasmer with [`instrument`]ed, metered modules from the
//! [`module_cache`], binding the [`vmcalls`] over one execution's storage and [`registers`]. The
//! consensus types, codec, limits, gas schedule and validation come from `svm-core` and are
//! re-exported here, so that a node needs only this crate.

pub use svm_core::{Address, CONSENSUS_VERSION, ContractState, Hash, Limits, StateRoot, Value, ValueType};
pub use svm_core::{
    account, address, call, code, codec, collection_state, contract_meta, contract_state, event, fee, hash, layout,
    layout_section, limits, link_rule, outcome, receipt, snapshot, state_root, trace, transaction, validation, value,
    version,
};

pub mod gas;
pub mod instrument;
pub mod linking;
pub mod module_cache;
pub mod registers;
pub mod runtime;
pub mod state;
pub mod storage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vmcalls;
