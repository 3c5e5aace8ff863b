//! JSON in and out, for callers without the canonical codec: transactions from their stream-file JSON
//! form, receipts and accounts rendered from their canonical bytes.

use crate::boundary::{Out, bytes, call, text};
use crate::buffer::SvmBuffer;
use crate::error::FfiError;
use crate::{describe, tx_json};
use svm::receipt::Receipt;
use svm::state::Account;

/// Builds the canonical transaction message from its JSON form (as stream files write a line's
/// `"tx"`); a deploy's code is `code` (empty for other kinds). Writes the message to `out`.
///
/// # Safety
/// `json` and `code` must point to `json_len` and `code_len` readable bytes; `out` and a non-null
/// `error` must be valid for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_transaction_from_json(
    json: *const u8,
    json_len: usize,
    code: *const u8,
    code_len: usize,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (json, code, out) = unsafe {
            (text("json", json, json_len)?, bytes("code", code, code_len)?, Out::new("out", out, SvmBuffer::EMPTY)?)
        };
        out.set(SvmBuffer::from_vec(tx_json::transaction_from_json(json, code)?.to_bytes()));
        Ok(())
    })
}

/// Renders a canonical receipt message as JSON: `outcome` (its stable name), `outcome_class`,
/// `outcome_detail`, `gas_used`, `contract`, `state`, `returns`, `returndata`, `logs`, `events`
/// (each `contract`, `topics` and `data` as hex, and `expires`), `diagnostic` and `hash` (the consensus
/// hash replicas compare).
///
/// # Safety
/// `receipt` must point to `receipt_len` readable bytes; `out` and a non-null `error` must be valid
/// for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_receipt_json(
    receipt: *const u8,
    receipt_len: usize,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (bytes, out) =
            unsafe { (bytes("receipt", receipt, receipt_len)?, Out::new("out", out, SvmBuffer::EMPTY)?) };
        let receipt = Receipt::from_bytes(bytes).map_err(|source| FfiError::Codec { what: "receipt", source })?;
        out.set(SvmBuffer::from_vec(describe::receipt(&receipt).to_string().into_bytes()));
        Ok(())
    })
}

/// Renders a canonical account encoding (as `svm_account` writes it) as JSON: `balance`, `nonce`,
/// `contract` (`code_hash`, `meta_hash`, `state`; null but for a contract) and `library` (the library's code hash;
/// null but for a library's account).
///
/// # Safety
/// `account` must point to `account_len` readable bytes; `out` and a non-null `error` must be valid
/// for writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_account_json(
    account: *const u8,
    account_len: usize,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (bytes, out) =
            unsafe { (bytes("account", account, account_len)?, Out::new("out", out, SvmBuffer::EMPTY)?) };
        let account: Account =
            svm::codec::decode(bytes).map_err(|source| FfiError::Codec { what: "account", source })?;
        out.set(SvmBuffer::from_vec(describe::account(&account).to_string().into_bytes()));
        Ok(())
    })
}
