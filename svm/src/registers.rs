//! Registers: ephemeral fixed-width buffers owned by one running program.

use thiserror::Error;

pub use svm_core::registers::REGISTER_CLASSES;

/// Why a register access failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RegisterError {
    /// No register class has this width.
    #[error("there are no {bits}-bit registers")]
    UnknownClass {
        /// The requested width.
        bits: u32,
    },
    /// The class exists but has no register with this index.
    #[error("register {index} of the {bits}-bit class does not exist (there are {count})")]
    IndexOutOfRange {
        /// The class width.
        bits: u32,
        /// The requested index.
        index: u32,
        /// Registers in the class.
        count: u32,
    },
    /// A value longer than the register.
    #[error("{len} bytes do not fit a {bits}-bit register")]
    ValueTooLong {
        /// The class width.
        bits: u32,
        /// The value's length in bytes.
        len: usize,
    },
}

/// Every register of one running program, zeroed at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterFile {
    classes: Vec<RegisterClass>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct RegisterClass {
    bits: u32,
    count: u32,
    bytes: Vec<u8>,
    /// Which registers have been written (bit `i` for register `i`).
    written: u64,
    /// Reads of a register not yet written (it reads as zero).
    unwritten_reads: u32,
}

impl Default for RegisterFile {
    fn default() -> RegisterFile {
        RegisterFile::new()
    }
}

impl RegisterFile {
    /// A register file with every class of [`REGISTER_CLASSES`], all zero.
    pub fn new() -> RegisterFile {
        let classes = REGISTER_CLASSES
            .iter()
            .map(|&(bits, count)| RegisterClass {
                bits,
                count,
                bytes: vec![0; (bits / 8 * count) as usize],
                written: 0,
                unwritten_reads: 0,
            })
            .collect();
        RegisterFile { classes }
    }

    /// The width in bytes of the `bits`-bit class, if it exists.
    pub fn width(bits: u32) -> Result<usize, RegisterError> {
        svm_core::registers::class_width(bits).ok_or(RegisterError::UnknownClass { bits })
    }

    /// The bytes of register (`bits`, `index`).
    pub fn get(&self, bits: u32, index: u32) -> Result<&[u8], RegisterError> {
        let (class, range) = self.locate(bits, index)?;
        Ok(&self.classes[class].bytes[range])
    }

    /// The bytes of register (`bits`, `index`) as a program reads them: like [`RegisterFile::get`], and
    /// counted in [`RegisterFile::unwritten_reads`] when the register has not been written yet.
    pub fn read(&mut self, bits: u32, index: u32) -> Result<&[u8], RegisterError> {
        let (class, range) = self.locate(bits, index)?;
        let class = &mut self.classes[class];
        if class.written & (1 << index) == 0 {
            class.unwritten_reads += 1;
        }
        Ok(&class.bytes[range])
    }

    /// Reads of registers not yet written, per class, in [`REGISTER_CLASSES`] order.
    pub fn unwritten_reads(&self) -> Vec<u32> {
        self.classes.iter().map(|c| c.unwritten_reads).collect()
    }

    /// Stores `value` in register (`bits`, `index`), zero-filling the bytes past its end: the only way
    /// a register is written.
    pub fn set(&mut self, bits: u32, index: u32, value: &[u8]) -> Result<(), RegisterError> {
        let (class, range) = self.locate(bits, index)?;
        let class = &mut self.classes[class];
        let register = &mut class.bytes[range];
        if value.len() > register.len() {
            return Err(RegisterError::ValueTooLong { bits, len: value.len() });
        }
        register[..value.len()].copy_from_slice(value);
        register[value.len()..].fill(0);
        class.written |= 1 << index;
        Ok(())
    }

    fn locate(&self, bits: u32, index: u32) -> Result<(usize, std::ops::Range<usize>), RegisterError> {
        let class = self.classes.iter().position(|c| c.bits == bits).ok_or(RegisterError::UnknownClass { bits })?;
        let count = self.classes[class].count;
        if index >= count {
            return Err(RegisterError::IndexOutOfRange { bits, index, count });
        }
        let width = (bits / 8) as usize;
        let start = index as usize * width;
        Ok((class, start..start + width))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_its_count_of_zeroed_registers_of_its_width() {
        let regs = RegisterFile::new();
        for (bits, count) in REGISTER_CLASSES {
            for index in 0..count {
                assert_eq!(regs.get(bits, index).unwrap(), vec![0u8; bits as usize / 8].as_slice());
            }
            assert_eq!(regs.get(bits, count), Err(RegisterError::IndexOutOfRange { bits, index: count, count }));
        }
        assert_eq!(regs.get(128, 0), Err(RegisterError::UnknownClass { bits: 128 }));
    }

    #[test]
    fn registers_are_independent_and_set_zero_fills() {
        let mut regs = RegisterFile::new();
        regs.set(160, 1, &[0xAA; 20]).unwrap();
        regs.set(160, 2, &[0xBB; 20]).unwrap();
        regs.set(160, 1, &[0xCC; 3]).unwrap();
        let mut expected = vec![0xCC; 3];
        expected.resize(20, 0);
        assert_eq!(regs.get(160, 1).unwrap(), expected.as_slice());
        assert_eq!(regs.get(160, 2).unwrap(), &[0xBB; 20]);
        assert_eq!(regs.get(160, 0).unwrap(), &[0; 20]);
        assert_eq!(regs.get(256, 1).unwrap(), &[0; 32]);
        assert_eq!(regs.set(32, 0, &[1; 5]), Err(RegisterError::ValueTooLong { bits: 32, len: 5 }));
    }

    #[test]
    fn reads_before_the_first_write_are_counted_per_class() {
        let mut regs = RegisterFile::new();
        regs.read(64, 3).unwrap();
        regs.read(64, 3).unwrap();
        regs.set(64, 3, &[1]).unwrap();
        regs.read(64, 3).unwrap();
        regs.read(512, 0).unwrap();
        regs.get(32, 0).unwrap();
        assert_eq!(regs.unwritten_reads(), vec![0, 2, 0, 0, 1]);
    }

    #[test]
    fn width_follows_the_class_table() {
        assert_eq!(RegisterFile::width(512), Ok(64));
        assert_eq!(RegisterFile::width(7), Err(RegisterError::UnknownClass { bits: 7 }));
    }
}
