//! An account address: 20 bytes, the width of a 160-bit register.

use crate::abort::require;
use crate::registers::Register;

/// A 20-byte account address.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Address(pub [u8; Address::LEN]);

impl Address {
    /// Bytes in an address.
    pub const LEN: usize = 20;

    /// The all-zero address.
    pub const ZERO: Address = Address([0; Address::LEN]);

    /// Loads the address into a 160-bit register; aborts if `reg` is of another class.
    pub fn to_reg(&self, reg: Register) {
        require(reg.bits() == 160);
        reg.load(&self.0);
    }

    /// The address held in a 160-bit register; aborts if `reg` is of another class.
    pub fn from_reg(reg: Register) -> Address {
        require(reg.bits() == 160);
        let mut address = Address::ZERO;
        reg.store(&mut address.0);
        address
    }
}
