//! Live events: the place for querying the structured events contracts emit.
//!
//! Structured events (a new vmcall, their receipts, their layers) are being added to the runtime on
//! another branch. Until they land and are wired here, this entry point exists with its provisional
//! signature and reports `SVM_ERR_UNSUPPORTED`: it returns no events and pretends nothing.

use crate::boundary::{Out, bytes, call};
use crate::buffer::SvmBuffer;
use crate::error::FfiError;
use crate::handle::{self, SvmRuntime};

/// Queries live events matching `filter` (format to be fixed when events land). Not wired yet: always
/// fails with `SVM_ERR_UNSUPPORTED` (after the usual handle and pointer checks).
///
/// # Safety
/// `filter` must point to `filter_len` readable bytes; `out` and a non-null `error` must be valid for
/// writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_events_query(
    runtime: SvmRuntime,
    filter: *const u8,
    filter_len: usize,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let _ = unsafe { (bytes("filter", filter, filter_len)?, Out::new("out", out, SvmBuffer::EMPTY)?) };
        handle::with(runtime, |_| Err(FfiError::Unsupported("querying live events")))
    })
}
