//! The register file: typed handles over the register vmcalls.
//!
//! Classes (`bits`, count): 32×16, 64×16, 160×8, 256×4, 512×4. Every register is zero at the start of every
//! execution. The VM checks the class and index; a register that does not exist fails the call with
//! `host:unknown-register`.

use crate::abort::require;
use crate::vmcalls;
use core::cmp::Ordering;

/// One register: its class (width in bits) and its index in the class.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Register {
    bits: u32,
    index: u32,
}

/// The 160-bit register the SDK's address helpers ([`crate::context`], [`crate::Address`]) use as scratch:
/// a contract that keeps a value in it loses it to them.
pub const SCRATCH: Register = Register::r160(7);

impl Register {
    /// Register `index` of the class `bits` wide.
    pub const fn new(bits: u32, index: u32) -> Register {
        Register { bits, index }
    }

    /// A 32-bit register (index 0..16).
    pub const fn r32(index: u32) -> Register {
        Register::new(32, index)
    }

    /// A 64-bit register (index 0..16).
    pub const fn r64(index: u32) -> Register {
        Register::new(64, index)
    }

    /// A 160-bit register, the width of an address (index 0..8).
    pub const fn r160(index: u32) -> Register {
        Register::new(160, index)
    }

    /// A 256-bit register (index 0..4).
    pub const fn r256(index: u32) -> Register {
        Register::new(256, index)
    }

    /// A 512-bit register (index 0..4).
    pub const fn r512(index: u32) -> Register {
        Register::new(512, index)
    }

    /// The register's class: its width in bits.
    pub const fn bits(self) -> u32 {
        self.bits
    }

    /// The register's index in its class.
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The register's width in bytes.
    pub const fn width(self) -> usize {
        (self.bits / 8) as usize
    }

    /// Stores `value` little-endian in the low bytes, zero-filling the rest (a 32-bit register keeps the low 4).
    pub fn set_u64(self, value: u64) {
        unsafe { vmcalls::reg_set_i64(self.bits, self.index, value) }
    }

    /// The low 8 bytes (4 for a 32-bit register) as a little-endian integer.
    pub fn get_u64(self) -> u64 {
        unsafe { vmcalls::reg_get_i64(self.bits, self.index) }
    }

    /// Loads the register from the first [`Register::width`] bytes of `bytes`; aborts if `bytes` is shorter.
    pub fn load(self, bytes: &[u8]) {
        require(bytes.len() >= self.width());
        unsafe { vmcalls::reg_set_from_mem(self.bits, self.index, bytes.as_ptr()) }
    }

    /// Stores the register's bytes into the first [`Register::width`] bytes of `out`; aborts if `out` is shorter.
    pub fn store(self, out: &mut [u8]) {
        require(out.len() >= self.width());
        unsafe { vmcalls::reg_get_to_mem(self.bits, self.index, out.as_mut_ptr()) }
    }

    /// Copies this register into `dst`; aborts unless both are of one class.
    pub fn copy_to(self, dst: Register) {
        require(self.bits == dst.bits);
        unsafe { vmcalls::reg_copy(self.bits, self.index, dst.index) }
    }

    /// Compares this register with `other` as unsigned little-endian integers; aborts unless both are of one class.
    pub fn compare(self, other: Register) -> Ordering {
        require(self.bits == other.bits);
        match unsafe { vmcalls::reg_cmp(self.bits, self.index, other.index) } {
            0 => Ordering::Equal,
            n if n < 0 => Ordering::Less,
            _ => Ordering::Greater,
        }
    }
}
