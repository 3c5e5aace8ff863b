//! Calldata in, returndata out.
//!
//! An execution names a function with its wasm arguments and also carries calldata: bytes the contract reads
//! on demand. [`Calldata`] reads them in order as little-endian fixed-width values; reading past the end fails
//! the call with `host:calldata-out-of-range`. [`set_returndata`] sets the bytes the receipt returns besides
//! the function's result.

use crate::abort::require;
use crate::address::Address;
use crate::vmcalls;

/// The calldata's length in bytes.
pub fn len() -> u32 {
    unsafe { vmcalls::calldata_len() }
}

/// Copies `out.len()` bytes of calldata, from `offset`, into `out`.
pub fn copy(offset: u32, out: &mut [u8]) {
    unsafe { vmcalls::calldata_copy(offset, out.len() as u32, out.as_mut_ptr()) }
}

/// Sets the execution's returndata to `bytes` (at most 64 KiB).
pub fn set_returndata(bytes: &[u8]) {
    unsafe { vmcalls::returndata_set(bytes.as_ptr(), bytes.len() as u32) }
}

/// A reader over the calldata that decodes little-endian fixed-width values in order.
pub struct Calldata {
    offset: u32,
}

impl Calldata {
    /// A reader at the start of the calldata.
    pub const fn new() -> Calldata {
        Calldata { offset: 0 }
    }

    /// How many bytes have been read.
    pub const fn offset(&self) -> u32 {
        self.offset
    }

    /// How many bytes are left to read.
    pub fn remaining(&self) -> u32 {
        len().saturating_sub(self.offset)
    }

    /// Fills `out` with the next `out.len()` bytes.
    pub fn read_into(&mut self, out: &mut [u8]) {
        copy(self.offset, out);
        self.offset = self.offset.wrapping_add(out.len() as u32);
    }

    /// The next `N` bytes.
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        self.read_into(&mut out);
        out
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }

    /// The next byte as a bool; aborts unless it is 0 or 1.
    pub fn bool(&mut self) -> bool {
        let byte = self.u8();
        require(byte <= 1);
        byte == 1
    }

    /// The next 4 bytes as a little-endian `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }

    /// The next 4 bytes as a little-endian `i32`.
    pub fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.bytes())
    }

    /// The next 8 bytes as a little-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }

    /// The next 8 bytes as a little-endian `i64`.
    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.bytes())
    }

    /// The next 20 bytes as an address.
    pub fn address(&mut self) -> Address {
        Address(self.bytes())
    }

    /// Aborts unless every byte of the calldata has been read.
    pub fn finish(self) {
        require(self.offset == len());
    }
}

impl Default for Calldata {
    fn default() -> Calldata {
        Calldata::new()
    }
}
