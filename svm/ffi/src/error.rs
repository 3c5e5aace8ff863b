//! The C API's errors: one typed enum, each variant with a stable numeric status code.

use svm::codec::CodecError;
use svm::runtime::RuntimeError;
use svm::storage::head::HeadError;
use svm::storage::kv::KvOpenError;
use thiserror::Error;

/// The call succeeded.
pub const SVM_OK: i32 = 0;
/// A required pointer argument was null.
pub const SVM_ERR_NULL_POINTER: i32 = 1;
/// An argument is malformed: a wrong length, text that is not UTF-8, JSON or hex that does not parse.
pub const SVM_ERR_INVALID_INPUT: i32 = 2;
/// Bytes that should be a canonical-codec message (a transaction, a receipt, an account) do not decode.
pub const SVM_ERR_CODEC: i32 = 3;
/// The runtime handle is unknown or was closed.
pub const SVM_ERR_HANDLE: i32 = 4;
/// The persistent store could not be opened or created.
pub const SVM_ERR_STORE: i32 = 5;
/// The call is out of order: no layer open, a layer already open, genesis over a store with a head,
/// a write through a read-only handle.
pub const SVM_ERR_STATE: i32 = 6;
/// What was asked for does not exist: no contract at the address, no such slice.
pub const SVM_ERR_NOT_FOUND: i32 = 7;
/// The layer is not in the store's layer index (never committed, or no longer retained).
pub const SVM_ERR_NOT_RETAINED: i32 = 8;
/// A node fault: the runtime could not produce a trustworthy result (damaged store, engine failure).
pub const SVM_ERR_NODE: i32 = 9;
/// The entry point exists but what it serves is not available in this build.
pub const SVM_ERR_UNSUPPORTED: i32 = 10;
/// The library panicked (a bug); the panic was caught at the boundary.
pub const SVM_ERR_PANIC: i32 = 11;
/// An earlier call on this handle panicked while holding it: its state cannot be trusted; close it.
pub const SVM_ERR_POISONED: i32 = 12;

/// Why a C API call failed.
#[derive(Debug, Error)]
pub enum FfiError {
    /// A required pointer argument was null.
    #[error("{0} is a null pointer")]
    NullPointer(&'static str),
    /// An argument is malformed.
    #[error("{what}: {why}")]
    InvalidInput {
        /// The argument.
        what: &'static str,
        /// What is wrong with it.
        why: String,
    },
    /// Canonical-codec bytes do not decode.
    #[error("{what} does not decode: {source}")]
    Codec {
        /// What the bytes should have been.
        what: &'static str,
        /// The codec's reason.
        source: CodecError,
    },
    /// The handle is unknown or closed.
    #[error("runtime handle {0} is unknown or closed")]
    Handle(u64),
    /// The persistent store could not be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] KvOpenError),
    /// The call is out of order.
    #[error("{0}")]
    State(String),
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The layer is not retained.
    #[error(transparent)]
    NotRetained(HeadError),
    /// A node fault.
    #[error(transparent)]
    Node(RuntimeError),
    /// Not available in this build.
    #[error("{0} is not available in this build")]
    Unsupported(&'static str),
    /// A caught panic.
    #[error("internal panic: {0}")]
    Panic(String),
    /// The handle is poisoned by an earlier panic.
    #[error("runtime handle {0} is poisoned: an earlier call on it panicked; close it")]
    Poisoned(u64),
}

impl FfiError {
    /// The error's stable status code.
    pub fn code(&self) -> i32 {
        match self {
            FfiError::NullPointer(_) => SVM_ERR_NULL_POINTER,
            FfiError::InvalidInput { .. } => SVM_ERR_INVALID_INPUT,
            FfiError::Codec { .. } => SVM_ERR_CODEC,
            FfiError::Handle(_) => SVM_ERR_HANDLE,
            FfiError::Store(_) => SVM_ERR_STORE,
            FfiError::State(_) => SVM_ERR_STATE,
            FfiError::NotFound(_) => SVM_ERR_NOT_FOUND,
            FfiError::NotRetained(_) => SVM_ERR_NOT_RETAINED,
            FfiError::Node(_) => SVM_ERR_NODE,
            FfiError::Unsupported(_) => SVM_ERR_UNSUPPORTED,
            FfiError::Panic(_) => SVM_ERR_PANIC,
            FfiError::Poisoned(_) => SVM_ERR_POISONED,
        }
    }

    /// An [`FfiError::InvalidInput`] for the argument `what`.
    pub fn input(what: &'static str, why: impl std::fmt::Display) -> FfiError {
        FfiError::InvalidInput { what, why: why.to_string() }
    }
}

impl From<RuntimeError> for FfiError {
    fn from(error: RuntimeError) -> FfiError {
        match error {
            RuntimeError::Head(head @ HeadError::NotRetained { .. }) => FfiError::NotRetained(head),
            other => FfiError::Node(other),
        }
    }
}
