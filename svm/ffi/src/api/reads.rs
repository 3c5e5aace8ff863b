//! Reading the state: accounts and contract storage slices.

use crate::boundary::{Out, address, call};
use crate::buffer::SvmBuffer;
use crate::handle::{self, SvmRuntime};

/// Writes the account at the 20-byte `address` as its canonical encoding (balance, nonce, contract) to
/// `account_out`, or an empty buffer when there is no account there.
///
/// # Safety
/// `address` must point to 20 readable bytes; `account_out` and a non-null `error` must be valid for
/// writes of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_account(
    runtime: SvmRuntime,
    address: *const u8,
    account_out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (address, out) =
            unsafe { (self::address("address", address)?, Out::new("account_out", account_out, SvmBuffer::EMPTY)?) };
        let account = handle::with(runtime, |node| node.account(&address))?;
        out.set(account.map_or(SvmBuffer::EMPTY, |a| SvmBuffer::from_vec(svm::codec::encode(&a))));
        Ok(())
    })
}

/// Writes the bytes of storage slice `slice` of the contract at the 20-byte `address` to `out`
/// (`SVM_ERR_NOT_FOUND` when there is no contract there or no such slice).
///
/// # Safety
/// `address` must point to 20 readable bytes; `out` and a non-null `error` must be valid for writes
/// of an `SvmBuffer`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_contract_slice(
    runtime: SvmRuntime,
    address: *const u8,
    slice: u32,
    out: *mut SvmBuffer,
    error: *mut SvmBuffer,
) -> i32 {
    call(error, || {
        // SAFETY: the caller's contract above.
        let (address, out) = unsafe { (self::address("address", address)?, Out::new("out", out, SvmBuffer::EMPTY)?) };
        let bytes = handle::with(runtime, |node| node.contract_slice(&address, slice))?;
        out.set(SvmBuffer::from_vec(bytes));
        Ok(())
    })
}
