//! The register file of one execution: 16 × 32-bit, 16 × 64-bit, 8 × 160-bit, 4 × 256-bit and 4 × 512-bit
//! registers, addressed by (bits, index), all zero when the execution starts (`docs/consensus.md`, State;
//! the class table is svm-core's `registers::REGISTER_CLASSES`).

use svm_core::registers::REGISTER_CLASSES;
use svm_core::vmcalls::HostError;

/// One class of registers: its width in bits and its registers' bytes (little-endian).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Class {
    bits: u32,
    registers: Vec<Vec<u8>>,
}

/// Every register of one execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registers {
    classes: Vec<Class>,
}

impl Default for Registers {
    fn default() -> Registers {
        Registers::new()
    }
}

impl Registers {
    /// A register file with every register zero.
    pub fn new() -> Registers {
        let classes = REGISTER_CLASSES
            .iter()
            .map(|&(bits, count)| Class { bits, registers: vec![vec![0; (bits / 8) as usize]; count as usize] })
            .collect();
        Registers { classes }
    }

    /// The width in bytes of the `bits`-bit class, if that class exists.
    pub fn width(&self, bits: u32) -> Option<usize> {
        self.class(bits).map(|c| (c.bits / 8) as usize)
    }

    fn class(&self, bits: u32) -> Option<&Class> {
        self.classes.iter().find(|c| c.bits == bits)
    }

    /// Whether register `index` of the `bits`-bit class exists (`unknown-register` otherwise).
    pub fn check(&self, bits: u32, index: u32) -> Result<(), HostError> {
        self.get(bits, index).map(|_| ())
    }

    /// The bytes of register `index` of the `bits`-bit class.
    pub fn get(&self, bits: u32, index: u32) -> Result<&[u8], HostError> {
        self.class(bits)
            .and_then(|c| c.registers.get(index as usize))
            .map(Vec::as_slice)
            .ok_or(HostError::UnknownRegister)
    }

    /// The bytes of register `index` of the `bits`-bit class, to write.
    pub fn get_mut(&mut self, bits: u32, index: u32) -> Result<&mut [u8], HostError> {
        self.classes
            .iter_mut()
            .find(|c| c.bits == bits)
            .and_then(|c| c.registers.get_mut(index as usize))
            .map(Vec::as_mut_slice)
            .ok_or(HostError::UnknownRegister)
    }

    /// Sets register `index` of the `bits`-bit class to `bytes`, zero-filling the rest. `bytes` must
    /// not be longer than the register.
    pub fn set(&mut self, bits: u32, index: u32, bytes: &[u8]) -> Result<(), HostError> {
        let register = self.get_mut(bits, index)?;
        if bytes.len() > register.len() {
            return Err(HostError::RegisterWidth);
        }
        register.fill(0);
        register[..bytes.len()].copy_from_slice(bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_has_the_documented_classes_all_zero() {
        let r = Registers::new();
        for (bits, count, width) in [(32, 16, 4), (64, 16, 8), (160, 8, 20), (256, 4, 32), (512, 4, 64)] {
            assert_eq!(r.width(bits), Some(width));
            for i in 0..count {
                assert_eq!(r.get(bits, i).unwrap(), vec![0u8; width].as_slice());
            }
            assert_eq!(r.get(bits, count), Err(HostError::UnknownRegister));
        }
        assert_eq!(r.width(128), None);
        assert_eq!(r.get(128, 0), Err(HostError::UnknownRegister));
        assert_eq!(r.get(u32::MAX, 0), Err(HostError::UnknownRegister));
    }

    #[test]
    fn set_zero_fills_and_refuses_a_wider_value() {
        let mut r = Registers::new();
        r.set(64, 3, &[0xff; 8]).unwrap();
        r.set(64, 3, &[1, 2]).unwrap();
        assert_eq!(r.get(64, 3).unwrap(), &[1, 2, 0, 0, 0, 0, 0, 0]);
        assert_eq!(r.set(32, 0, &[0; 5]), Err(HostError::RegisterWidth));
    }
}
