//! Applying transactions, traced or not, and view calls that commit nothing.

use crate::boundary::{Out, bytes, call};
use crate::buffer::SvmBuffer;
use crate::describe;
use crate::handle::{self, SvmRuntime};

/// Applies the canonical-codec transaction message `tx` in the open layer; writes the canonical
/// receipt message to `receipt_out`. A transaction that fails or is invalid still succeeds here (its
/// receipt says so); an error means the call itself failed (bad bytes, no open layer, a node fault).
///
/// # Safety
/// `tx` must point to `tx_len` readable bytes; `receipt_out` must be valid for writes of an
/// `SvmBuffer`, as must a non-null `error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_apply(
    runtime: SvmRuntime,
    tx: *const u8,
    tx_len: usize,
    receipt_out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (tx, out) = unsafe { (bytes("tx", tx, tx_len)?, Out::new("receipt_out", receipt_out, SvmBuffer::EMPTY)?) };
        let (receipt, _) = handle::with(runtime, |node| node.apply(tx, false))?;
        out.set(SvmBuffer::from_vec(receipt.to_bytes()));
        Ok(())
    })
}

/// As [`svm_apply`], and writes every vmcall the transaction made to `trace_out` as a JSON array of
/// `{"depth", "contract", "vmcall", "args", "result", "trap", "gas_before", "gas_after", "bytes"}` objects
/// (`depth` 1 and the transaction's contract for its own frame; a callee's entries come before its
/// caller's `contract_call` entry).
///
/// # Safety
/// As for [`svm_apply`]; `trace_out` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_apply_traced(
    runtime: SvmRuntime,
    tx: *const u8,
    tx_len: usize,
    receipt_out: *mut SvmBuffer,
    trace_out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (tx, receipt_slot, trace_slot) = unsafe {
            (
                bytes("tx", tx, tx_len)?,
                Out::new("receipt_out", receipt_out, SvmBuffer::EMPTY)?,
                Out::new("trace_out", trace_out, SvmBuffer::EMPTY)?,
            )
        };
        let (receipt, trace) = handle::with(runtime, |node| node.apply(tx, true))?;
        receipt_slot.set(SvmBuffer::from_vec(receipt.to_bytes()));
        trace_slot.set(SvmBuffer::from_vec(describe::trace(&trace).to_string().into_bytes()));
        Ok(())
    })
}

/// A view call: runs `tx` as if applied in layer `layer` now, and writes the receipt it would get to
/// `receipt_out` — committing nothing (state, store and head are untouched), for queries and gas
/// estimation. The transaction is checked as an applied one would be (nonce, balance for its gas).
/// Works on read-only handles too, and needs no open layer.
///
/// # Safety
/// As for [`svm_apply`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_view(
    runtime: SvmRuntime,
    tx: *const u8,
    tx_len: usize,
    layer: u64,
    receipt_out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (tx, out) = unsafe { (bytes("tx", tx, tx_len)?, Out::new("receipt_out", receipt_out, SvmBuffer::EMPTY)?) };
        let receipt = handle::with(runtime, |node| node.view(tx, layer))?;
        out.set(SvmBuffer::from_vec(receipt.to_bytes()));
        Ok(())
    })
}
