//! Logs: byte entries appended to the receipt (at most 64 per execution, 1 KiB each).
//!
//! A failed call keeps none of its logs. [`Entry`] assembles one entry from little-endian fixed-width fields.

use crate::abort::require;
use crate::address::Address;
use crate::vmcalls;

/// Appends `bytes` to the receipt's logs.
pub fn log(bytes: &[u8]) {
    unsafe { vmcalls::log(bytes.as_ptr(), bytes.len() as u32) }
}

/// One log entry of at most `N` bytes, built field by field; aborts if the fields outgrow `N`.
///
/// ```ignore
/// Entry::<16>::new().u32(from).u32(to).u64(amount).emit();
/// ```
pub struct Entry<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Entry<N> {
    /// An empty entry.
    pub const fn new() -> Entry<N> {
        Entry { bytes: [0; N], len: 0 }
    }

    /// Appends raw bytes.
    #[inline(always)]
    pub fn bytes(&mut self, field: &[u8]) -> &mut Entry<N> {
        // `len <= N` always holds, so the subtraction cannot wrap.
        require(field.len() <= N.wrapping_sub(self.len));
        let end = self.len.wrapping_add(field.len());
        self.bytes[self.len..end].copy_from_slice(field);
        self.len = end;
        self
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn u8(&mut self, field: u8) -> &mut Entry<N> {
        self.bytes(&[field])
    }

    /// Appends a little-endian `u32`.
    #[inline(always)]
    pub fn u32(&mut self, field: u32) -> &mut Entry<N> {
        self.bytes(&field.to_le_bytes())
    }

    /// Appends a little-endian `u64`.
    #[inline(always)]
    pub fn u64(&mut self, field: u64) -> &mut Entry<N> {
        self.bytes(&field.to_le_bytes())
    }

    /// Appends an address's 20 bytes.
    #[inline(always)]
    pub fn address(&mut self, field: &Address) -> &mut Entry<N> {
        self.bytes(&field.0)
    }

    /// The bytes appended so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends the entry to the receipt's logs.
    pub fn emit(&self) {
        log(self.as_bytes())
    }
}

impl<const N: usize> Default for Entry<N> {
    fn default() -> Entry<N> {
        Entry::new()
    }
}
