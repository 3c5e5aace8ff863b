//! Fixed byte arrays in storage, read and written whole or in part through memory.

use super::{Slice, Var};
use crate::registers::Register;

/// A `[u8; N]` in an `N`-byte slice (`N` from 1 to 4096).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bytes<const N: usize>(Slice);

impl<const N: usize> Bytes<N> {
    /// The variable on slice `slice`.
    pub const fn new(slice: u32) -> Bytes<N> {
        Bytes(Slice::new(slice))
    }

    /// The variable's slice.
    pub const fn slice(self) -> Slice {
        self.0
    }

    /// The stored bytes.
    pub fn get(self) -> [u8; N] {
        let mut out = [0; N];
        self.0.read(0, &mut out);
        out
    }

    /// Stores `value`.
    pub fn set(self, value: &[u8; N]) {
        self.0.write(0, value)
    }

    /// Copies `out.len()` stored bytes, from `offset`, into `out`.
    pub fn read_at(self, offset: u32, out: &mut [u8]) {
        self.0.read(offset, out)
    }

    /// Stores `bytes` at `offset`, leaving the other bytes as they are.
    pub fn write_at(self, offset: u32, bytes: &[u8]) {
        self.0.write(offset, bytes)
    }

    /// Copies `len` stored bytes, from `offset`, into `reg`, zero-filling the rest.
    pub fn read_to_reg(self, offset: u32, len: u32, reg: Register) {
        self.0.read_to_reg(offset, len, reg)
    }

    /// Stores the first `len` bytes of `reg` at `offset`.
    pub fn write_from_reg(self, offset: u32, len: u32, reg: Register) {
        self.0.write_from_reg(offset, len, reg)
    }
}

impl<const N: usize> Var for Bytes<N> {
    const SLICE_LEN: u32 = N as u32;
    const SLICES: u32 = 1;
    fn from_first_slice(first: u32) -> Bytes<N> {
        Bytes::new(first)
    }
}
