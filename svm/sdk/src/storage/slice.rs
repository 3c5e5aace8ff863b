//! One page slice by index: every storage vmcall, as a method.

use crate::registers::Register;
use crate::vmcalls;

/// One page slice, named by its index in the contract's layout.
///
/// Accesses out of the slice fail the call (`host:slice-out-of-range`, `host:slice-too-wide`); so does an
/// index the layout does not have (`host:unknown-slice`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Slice(u32);

impl Slice {
    /// The slice with index `index`.
    pub const fn new(index: u32) -> Slice {
        Slice(index)
    }

    /// The slice's index in the layout.
    pub const fn index(self) -> u32 {
        self.0
    }

    /// The slice's length in bytes, as the VM knows it (`storage_slice_len`).
    #[allow(clippy::len_without_is_empty)] // A layout has no empty slices.
    pub fn len(self) -> u32 {
        unsafe { vmcalls::storage_slice_len(self.0) }
    }

    /// The whole slice (at most 4 bytes) as a little-endian unsigned integer (`storage_read_i32`).
    pub fn read_u32(self) -> u32 {
        unsafe { vmcalls::storage_read_i32(self.0) }
    }

    /// The whole slice (at most 8 bytes) as a little-endian unsigned integer (`storage_read_i64`).
    pub fn read_u64(self) -> u64 {
        unsafe { vmcalls::storage_read_i64(self.0) }
    }

    /// Fills the slice (at most 4 bytes) with the low bytes of `value`, little-endian (`storage_write_i32`).
    pub fn write_u32(self, value: u32) {
        unsafe { vmcalls::storage_write_i32(self.0, value) }
    }

    /// Fills the slice (at most 8 bytes) with the low bytes of `value`, little-endian (`storage_write_i64`).
    pub fn write_u64(self, value: u64) {
        unsafe { vmcalls::storage_write_i64(self.0, value) }
    }

    /// Copies `out.len()` bytes of the slice, from `offset`, into `out` (`storage_read_to_mem`).
    pub fn read(self, offset: u32, out: &mut [u8]) {
        unsafe { vmcalls::storage_read_to_mem(self.0, offset, out.len() as u32, out.as_mut_ptr()) }
    }

    /// Copies `bytes` into the slice at `offset` (`storage_write_from_mem`).
    pub fn write(self, offset: u32, bytes: &[u8]) {
        unsafe { vmcalls::storage_write_from_mem(self.0, offset, bytes.len() as u32, bytes.as_ptr()) }
    }

    /// Copies `len` bytes of the slice, from `offset`, into `reg`, zero-filling the rest (`storage_read_to_reg`).
    pub fn read_to_reg(self, offset: u32, len: u32, reg: Register) {
        unsafe { vmcalls::storage_read_to_reg(self.0, offset, len, reg.bits(), reg.index()) }
    }

    /// Copies the first `len` bytes of `reg` into the slice at `offset` (`storage_write_from_reg`).
    pub fn write_from_reg(self, offset: u32, len: u32, reg: Register) {
        unsafe { vmcalls::storage_write_from_reg(self.0, offset, len, reg.bits(), reg.index()) }
    }
}
