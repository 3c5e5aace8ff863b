//! An address in storage: a 20-byte slice, moved through memory or straight to and from a 160-bit register.

use super::{Slice, Var};
use crate::abort::require;
use crate::address::Address;
use crate::registers::Register;
use core::cmp::Ordering;

/// An [`Address`] in a 20-byte slice.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Addr(Slice);

impl Addr {
    /// The variable on slice `slice`.
    pub const fn new(slice: u32) -> Addr {
        Addr(Slice::new(slice))
    }

    /// The variable's slice.
    pub const fn slice(self) -> Slice {
        self.0
    }

    /// The stored address.
    pub fn get(self) -> Address {
        let mut address = Address::ZERO;
        self.0.read(0, &mut address.0);
        address
    }

    /// Stores `address`.
    pub fn set(self, address: &Address) {
        self.0.write(0, &address.0)
    }

    /// Loads the stored address into a 160-bit register; aborts if `reg` is of another class.
    pub fn load_to_reg(self, reg: Register) {
        require(reg.bits() == 160);
        self.0.read_to_reg(0, Address::LEN as u32, reg)
    }

    /// Stores the address held in a 160-bit register; aborts if `reg` is of another class.
    pub fn store_from_reg(self, reg: Register) {
        require(reg.bits() == 160);
        self.0.write_from_reg(0, Address::LEN as u32, reg)
    }

    /// Whether the stored address equals the one in 160-bit register `reg`, compared in registers: the stored
    /// address is loaded into `scratch`, another 160-bit register.
    pub fn matches_reg(self, reg: Register, scratch: Register) -> bool {
        self.load_to_reg(scratch);
        scratch.compare(reg) == Ordering::Equal
    }
}

impl Var for Addr {
    const SLICE_LEN: u32 = Address::LEN as u32;
    const SLICES: u32 = 1;
    fn from_first_slice(first: u32) -> Addr {
        Addr::new(first)
    }
}
