//! What one execution has besides storage, as the models keep it: the register file (every class
//! zeroed at the start) and the linear memory (none, or its bytes).

use svm::registers::REGISTER_CLASSES;
use svm::vmcalls::HostError;

/// Bytes in one WebAssembly memory page.
pub const WASM_PAGE: usize = 65_536;

/// The registers of one execution.
#[derive(Clone, Debug)]
pub struct Registers {
    /// One buffer per class, in [`REGISTER_CLASSES`] order: `count × width` bytes.
    classes: Vec<Vec<u8>>,
}

impl Default for Registers {
    fn default() -> Registers {
        Registers {
            classes: REGISTER_CLASSES.iter().map(|&(bits, count)| vec![0; (bits / 8 * count) as usize]).collect(),
        }
    }
}

impl Registers {
    /// The width in bytes of the `bits`-bit class: `unknown-register` if there is no such class.
    pub fn width(bits: u32) -> Result<usize, HostError> {
        REGISTER_CLASSES
            .iter()
            .find(|(b, _)| *b == bits)
            .map(|(b, _)| (*b / 8) as usize)
            .ok_or(HostError::UnknownRegister)
    }

    fn at(&self, bits: u32, reg: u32) -> Result<(usize, std::ops::Range<usize>), HostError> {
        let class = REGISTER_CLASSES.iter().position(|(b, _)| *b == bits).ok_or(HostError::UnknownRegister)?;
        let (_, count) = REGISTER_CLASSES[class];
        if reg >= count {
            return Err(HostError::UnknownRegister);
        }
        let width = (bits / 8) as usize;
        Ok((class, reg as usize * width..(reg as usize + 1) * width))
    }

    /// The bytes of register (`bits`, `reg`): `unknown-register` if it does not exist.
    pub fn get(&self, bits: u32, reg: u32) -> Result<&[u8], HostError> {
        let (class, range) = self.at(bits, reg)?;
        Ok(&self.classes[class][range])
    }

    /// Puts `value` in register (`bits`, `reg`), zero-filling the rest; `register-width` if it is longer.
    pub fn set(&mut self, bits: u32, reg: u32, value: &[u8]) -> Result<(), HostError> {
        let (class, range) = self.at(bits, reg)?;
        let register = &mut self.classes[class][range];
        if value.len() > register.len() {
            return Err(HostError::RegisterWidth);
        }
        register.fill(0);
        register[..value.len()].copy_from_slice(value);
        Ok(())
    }
}

/// The linear memory of one execution, if the contract exports one.
#[derive(Clone, Debug)]
pub struct Memory {
    bytes: Option<Vec<u8>>,
}

impl Memory {
    /// No memory.
    pub fn none() -> Memory {
        Memory { bytes: None }
    }

    /// `pages` zeroed pages with `data` at address 0.
    pub fn with_data(pages: usize, data: &[u8]) -> Memory {
        let mut bytes = vec![0; pages * WASM_PAGE];
        bytes[..data.len()].copy_from_slice(data);
        Memory { bytes: Some(bytes) }
    }

    /// Whether there is a memory.
    pub fn exists(&self) -> bool {
        self.bytes.is_some()
    }

    /// Its size in bytes (0 when there is none).
    pub fn size(&self) -> u64 {
        self.bytes.as_ref().map_or(0, |b| b.len() as u64)
    }

    /// Whether `len` bytes at `ptr` lie inside it.
    pub fn fits(&self, ptr: u32, len: u64) -> bool {
        u64::from(ptr) + len <= self.size()
    }

    /// `len` bytes at `ptr`, as a vmcall reads them: `no-memory`, then `memory-out-of-bounds`.
    pub fn read(&self, ptr: u32, len: u32) -> Result<Vec<u8>, HostError> {
        let bytes = self.bytes.as_ref().ok_or(HostError::NoMemory)?;
        if !self.fits(ptr, len.into()) {
            return Err(HostError::MemoryOutOfBounds);
        }
        Ok(bytes[ptr as usize..ptr as usize + len as usize].to_vec())
    }

    /// Writes `data` at `ptr`, as a vmcall writes: `no-memory`, then `memory-out-of-bounds`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), HostError> {
        if !self.exists() {
            return Err(HostError::NoMemory);
        }
        if !self.fits(ptr, data.len() as u64) {
            return Err(HostError::MemoryOutOfBounds);
        }
        if let Some(bytes) = self.bytes.as_mut() {
            bytes[ptr as usize..ptr as usize + data.len()].copy_from_slice(data);
        }
        Ok(())
    }

    /// The bytes, for the instructions that touch memory directly (empty when there is none).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        self.bytes.as_deref_mut().unwrap_or_default()
    }

    /// `memory.grow(pages)` under a cap of `max_pages`: the old size in pages, or -1.
    pub fn grow(&mut self, pages: u32, max_pages: u32) -> i32 {
        let Some(bytes) = self.bytes.as_mut() else { return -1 };
        let old = bytes.len() / WASM_PAGE;
        let new = old as u64 + u64::from(pages);
        if new > u64::from(max_pages) {
            return -1;
        }
        bytes.resize(new as usize * WASM_PAGE, 0);
        old as i32
    }
}
