//! SVM's C API: a node written in C, Go or anything with a C FFI embeds the runtime through it.
//!
//! A runtime is an opaque [`SvmRuntime`] handle (see [`handle`] for the threading rule). Transactions
//! go in as canonical-codec messages given as (pointer, length); receipts come out as canonical
//! messages in [`SvmBuffer`]s the caller frees with [`svm_buffer_free`]. Every entry point returns a
//! stable status code ([`error`]), writes the message of a failure to its optional `error` buffer,
//! checks every pointer for null, and catches every panic. The header `include/svm.h` is generated
//! from this crate by cbindgen; `README.md` beside it documents the rules for callers.

pub mod api;
mod boundary;
pub mod buffer;
mod describe;
pub mod error;
mod event_list;
mod handle;
mod node;
mod tx_json;
mod view_store;

pub use api::apply::{svm_apply, svm_apply_traced, svm_view};
pub use api::events::svm_events_query;
pub use api::json::{svm_account_json, svm_receipt_json, svm_transaction_from_json};
pub use api::layers::{
    SVM_GENESIS_RECORD_BYTES, SvmHead, svm_genesis, svm_head, svm_layer_begin, svm_layer_commit, svm_rewind,
    svm_state_root,
};
pub use api::lifecycle::{
    SVM_ABI_VERSION, SVM_COMPILER_CRANELIFT, SVM_COMPILER_SINGLEPASS, svm_abi_version, svm_consensus_version,
    svm_runtime_close, svm_runtime_new_memory, svm_runtime_open, svm_runtime_open_layer, svm_version,
};
pub use api::reads::{svm_account, svm_contract_slice};
pub use buffer::{SvmBuffer, svm_buffer_free};
pub use error::*;
pub use handle::SvmRuntime;
