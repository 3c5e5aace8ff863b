//! The boundary every entry point goes through: panics are caught, errors become a status code and a
//! message buffer, and every pointer argument is checked before it is read.

use crate::buffer::SvmBuffer;
use crate::error::{FfiError, SVM_OK};
use std::panic::{AssertUnwindSafe, catch_unwind};
use svm::Address;

/// Runs an entry point's `body`: `SVM_OK`, or the error's code with its message written to `error`
/// (when `error` is not null). A panic inside `body` is caught and reported as `SVM_ERR_PANIC`.
pub(crate) fn call(error: *mut SvmBuffer, body: impl FnOnce() -> Result<(), FfiError>) -> i32 {
    if !error.is_null() {
        // SAFETY: a non-null `error` points to an `SvmBuffer` the caller lets us write (the API's contract).
        unsafe { error.write(SvmBuffer::EMPTY) };
    }
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| Err(panic_error(payload.as_ref())));
    match result {
        Ok(()) => SVM_OK,
        Err(e) => {
            if !error.is_null() {
                // SAFETY: as above.
                unsafe { error.write(SvmBuffer::from_vec(e.to_string().into_bytes())) };
            }
            e.code()
        }
    }
}

/// Runs `body`, swallowing a panic (for entry points that cannot report one, such as freeing).
pub(crate) fn quietly(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// A caught panic as an error.
pub fn panic_error(payload: &(dyn std::any::Any + Send)) -> FfiError {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    FfiError::Panic(text)
}

/// The `len` bytes at `ptr` (`ptr` may be null only when `len` is 0).
///
/// # Safety
/// A non-null `ptr` must point to `len` readable bytes that stay unchanged during the call.
pub unsafe fn bytes<'a>(what: &'static str, ptr: *const u8, len: usize) -> Result<&'a [u8], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::NullPointer(what));
    }
    if len > isize::MAX as usize {
        return Err(FfiError::input(what, format!("a length of {len} bytes")));
    }
    // SAFETY: non-null, and the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// The `len` bytes at `ptr` as UTF-8 text.
///
/// # Safety
/// As for [`bytes`].
pub unsafe fn text<'a>(what: &'static str, ptr: *const u8, len: usize) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded to the caller.
    std::str::from_utf8(unsafe { bytes(what, ptr, len)? }).map_err(|e| FfiError::input(what, e))
}

/// The 20-byte address at `ptr`.
///
/// # Safety
/// A non-null `ptr` must point to 20 readable bytes.
pub unsafe fn address(what: &'static str, ptr: *const u8) -> Result<Address, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::NullPointer(what));
    }
    let mut address = [0u8; 20];
    // SAFETY: non-null, and the caller promises 20 readable bytes.
    address.copy_from_slice(unsafe { std::slice::from_raw_parts(ptr, 20) });
    Ok(Address(address))
}

/// The 32 bytes at `ptr`, or `None` when `ptr` is null (an argument that may be left out).
///
/// # Safety
/// A non-null `ptr` must point to 32 readable bytes.
pub unsafe fn optional_32(ptr: *const u8) -> Option<[u8; 32]> {
    if ptr.is_null() {
        return None;
    }
    let mut out = [0u8; 32];
    // SAFETY: non-null, and the caller promises 32 readable bytes.
    out.copy_from_slice(unsafe { std::slice::from_raw_parts(ptr, 32) });
    Some(out)
}

/// An output argument: checked for null before any work is done, set when the work succeeds.
pub struct Out<T>(std::ptr::NonNull<T>);

impl<T> Out<T> {
    /// The output `ptr` points to, first set to `initial` (so that the caller never reads garbage); an
    /// error naming it when it is null.
    ///
    /// # Safety
    /// A non-null `ptr` must be valid for writes of a `T` for the whole call.
    pub unsafe fn new(what: &'static str, ptr: *mut T, initial: T) -> Result<Out<T>, FfiError> {
        let ptr = std::ptr::NonNull::new(ptr).ok_or(FfiError::NullPointer(what))?;
        // SAFETY: the caller promises `ptr` is valid for writes; `write` reads nothing that was there.
        unsafe { ptr.as_ptr().write(initial) };
        Ok(Out(ptr))
    }

    /// Sets the output to `value`.
    pub fn set(self, value: T) {
        // SAFETY: `new` checked the pointer and the caller promised it is writable during the call;
        // the old value was written by `new` and needs no drop (outputs are plain C data).
        unsafe { self.0.as_ptr().write(value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{SVM_ERR_NULL_POINTER, SVM_ERR_PANIC};

    fn message(error: SvmBuffer) -> String {
        // SAFETY: `call` handed this buffer out.
        String::from_utf8(unsafe { error.into_vec() }).unwrap()
    }

    #[test]
    fn a_panic_inside_an_entry_point_is_caught_and_reported_with_its_message() {
        let mut error = SvmBuffer::EMPTY;
        let code = call(&mut error, || panic!("boom {}", 7));
        assert_eq!(code, SVM_ERR_PANIC);
        assert_eq!(message(error), "internal panic: boom 7");
        assert_eq!(call(std::ptr::null_mut(), || panic!("no error buffer")), SVM_ERR_PANIC);
    }

    #[test]
    fn an_error_is_reported_by_code_and_message_and_success_leaves_the_buffer_empty() {
        let mut error = SvmBuffer::EMPTY;
        assert_eq!(call(&mut error, || Err(FfiError::NullPointer("tx"))), SVM_ERR_NULL_POINTER);
        assert_eq!(message(error), "tx is a null pointer");
        let mut error = SvmBuffer::from_vec(b"stale".to_vec());
        let stale = SvmBuffer { ptr: error.ptr, len: error.len, cap: error.cap };
        assert_eq!(call(&mut error, || Ok(())), SVM_OK);
        assert!(error.ptr.is_null());
        // SAFETY: the buffer made above, overwritten (not freed) by `call`.
        drop(unsafe { stale.into_vec() });
    }
}
