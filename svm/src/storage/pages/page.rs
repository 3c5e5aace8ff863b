//! The page: the unit of storage I/O.

pub use svm_core::layout::{MAX_PAGES, PAGE_SIZE, PageIndex};

/// The contents of one page.
#[derive(Clone, PartialEq, Eq)]
pub struct Page(Box<[u8; PAGE_SIZE]>);

impl Page {
    /// An all-zero page.
    pub fn zeroed() -> Page {
        Page(Box::new([0; PAGE_SIZE]))
    }

    /// A page holding exactly `bytes`, if there are `PAGE_SIZE` of them.
    pub fn from_slice(bytes: &[u8]) -> Option<Page> {
        let array: &[u8; PAGE_SIZE] = bytes.try_into().ok()?;
        Some(Page(Box::new(*array)))
    }

    /// Whether every byte is zero.
    pub fn is_zero(&self) -> bool {
        // OR-fold whole words: no early exit, so it vectorizes (a byte loop with `all` does not).
        self.0.chunks_exact(8).fold(0u64, |acc, word| acc | u64::from_le_bytes(word.try_into().unwrap_or([1; 8]))) == 0
    }

    /// The page's bytes.
    pub fn bytes(&self) -> &[u8; PAGE_SIZE] {
        &self.0
    }

    /// The page's bytes, for writing.
    pub fn bytes_mut(&mut self) -> &mut [u8; PAGE_SIZE] {
        &mut self.0
    }
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nonzero = self.0.iter().filter(|&&b| b != 0).count();
        write!(f, "Page({nonzero} non-zero bytes)")
    }
}
