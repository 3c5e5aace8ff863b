//! Owned byte buffers handed across the boundary, and the one function that frees them.

use crate::boundary;

/// Bytes the library allocated and the caller owns until it passes them to [`svm_buffer_free`].
/// An empty buffer has a null `ptr`.
#[repr(C)]
#[derive(Debug)]
pub struct SvmBuffer {
    /// The first byte (null when empty).
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
    /// The allocation's capacity (for the library's use when freeing).
    pub cap: usize,
}

impl SvmBuffer {
    /// A buffer holding nothing (freeing it does nothing).
    pub const EMPTY: SvmBuffer = SvmBuffer { ptr: std::ptr::null_mut(), len: 0, cap: 0 };

    /// Hands `bytes` over to the caller.
    pub fn from_vec(bytes: Vec<u8>) -> SvmBuffer {
        if bytes.capacity() == 0 {
            return SvmBuffer::EMPTY;
        }
        let mut bytes = std::mem::ManuallyDrop::new(bytes);
        SvmBuffer { ptr: bytes.as_mut_ptr(), len: bytes.len(), cap: bytes.capacity() }
    }

    /// Takes back a buffer this library handed out.
    ///
    /// # Safety
    /// `self` must be a buffer this library returned and that was not freed yet (or [`SvmBuffer::EMPTY`]).
    pub unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: the caller promises the pointer, length and capacity are one of our `Vec`s.
        unsafe { Vec::from_raw_parts(self.ptr, self.len, self.cap) }
    }
}

/// Frees a buffer the library returned. Freeing an empty buffer does nothing.
///
/// # Safety
/// `buffer` must come from this library and must not be freed twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn svm_buffer_free(buffer: SvmBuffer) {
    // SAFETY: the caller promises the buffer is ours and not yet freed.
    boundary::quietly(|| drop(unsafe { buffer.into_vec() }));
}
