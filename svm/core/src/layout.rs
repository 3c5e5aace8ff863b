//! The storage layout: a contract's pages and slices, fixed and validated at deploy time.

use thiserror::Error;

/// Bytes in one page.
pub const PAGE_SIZE: usize = 4096;

/// The most pages one contract may have (4 GiB of storage).
pub const MAX_PAGES: u32 = 1 << 20;

/// A page's index, local to its contract, counted from 0.
pub type PageIndex = u32;

/// The number of levels above the leaves of the page tree of a contract with `page_count` pages:
/// ceil(log2(page_count)), 0 for zero or one page. Storage gas grows with it.
pub fn tree_depth(page_count: u32) -> u32 {
    u32::BITS - page_count.saturating_sub(1).leading_zeros()
}

/// A slice's index, local to its contract, counted from 0.
pub type SliceIndex = u32;

/// The most slices one contract may declare.
pub const MAX_SLICES: usize = 1 << 20;

/// The bytes a collection slot occupies: one collection state (`crate::collection_state`).
pub const COLLECTION_STATE_LEN: u32 = 48;

/// What a slice holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceKind {
    /// Bytes the storage vmcalls read and write.
    Bytes,
    /// A collection slot: a collection's 48-byte state, which only the collection vmcalls touch.
    Collection,
}

/// One variable's place in storage: `len` bytes at `offset` inside page `page`; `len` 0 declares a
/// collection slot of [`COLLECTION_STATE_LEN`] bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageSlice {
    /// The page holding the slice.
    pub page: PageIndex,
    /// The slice's first byte inside the page.
    pub offset: u32,
    /// The slice's length in bytes.
    pub len: u32,
}

impl PageSlice {
    /// A slice of `len` bytes (at least 1).
    pub fn bytes(page: PageIndex, offset: u32, len: u32) -> PageSlice {
        PageSlice { page, offset, len }
    }

    /// A collection slot.
    pub fn collection(page: PageIndex, offset: u32) -> PageSlice {
        PageSlice { page, offset, len: 0 }
    }

    /// What the slice holds: a declared length of 0 makes it a collection slot.
    pub fn kind(&self) -> SliceKind {
        if self.len == 0 { SliceKind::Collection } else { SliceKind::Bytes }
    }

    /// The bytes the slice occupies in its page: its length, or a collection state's.
    pub fn span(&self) -> u32 {
        match self.kind() {
            SliceKind::Bytes => self.len,
            SliceKind::Collection => COLLECTION_STATE_LEN,
        }
    }
}

/// A validated list of slices over a fixed number of pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageLayout {
    page_count: u32,
    slices: Vec<PageSlice>,
}

impl StorageLayout {
    /// Checks that every slice (a collection slot spanning its state) lies inside one page of the
    /// `page_count` and overlaps no other.
    pub fn new(page_count: u32, slices: Vec<PageSlice>) -> Result<StorageLayout, LayoutError> {
        if page_count > MAX_PAGES {
            return Err(LayoutError::TooManyPages { page_count, max: MAX_PAGES });
        }
        if slices.len() > MAX_SLICES {
            return Err(LayoutError::TooManySlices { count: slices.len(), max: MAX_SLICES });
        }
        for (slice, s) in (0..).zip(&slices) {
            if s.page >= page_count {
                return Err(LayoutError::PageOutOfRange { slice, page: s.page, page_count });
            }
            if u64::from(s.offset) + u64::from(s.span()) > PAGE_SIZE as u64 {
                return Err(LayoutError::OutsidePage { slice, offset: s.offset, len: s.span() });
            }
        }
        let mut order: Vec<SliceIndex> = (0..).take(slices.len()).collect();
        order.sort_by_key(|&i| (slices[i as usize].page, slices[i as usize].offset, i));
        for pair in order.windows(2) {
            let (a, b) = (&slices[pair[0] as usize], &slices[pair[1] as usize]);
            if a.page == b.page && a.offset + a.span() > b.offset {
                return Err(LayoutError::Overlap { first: pair[0], second: pair[1] });
            }
        }
        Ok(StorageLayout { page_count, slices })
    }

    /// A layout of no pages and no slices, for contracts without storage.
    pub fn empty() -> StorageLayout {
        StorageLayout { page_count: 0, slices: Vec::new() }
    }

    /// The number of pages the contract has.
    pub fn page_count(&self) -> u32 {
        self.page_count
    }

    /// The slices, by index.
    pub fn slices(&self) -> &[PageSlice] {
        &self.slices
    }

    /// The slice with index `slice`, if it exists.
    pub fn slice(&self, slice: SliceIndex) -> Option<&PageSlice> {
        self.slices.get(slice as usize)
    }
}

/// Why a storage layout was rejected at deploy time.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// More pages than the VM allows.
    #[error("layout has {page_count} pages; at most {max} are allowed")]
    TooManyPages {
        /// The declared page count.
        page_count: u32,
        /// The VM's limit.
        max: u32,
    },
    /// More slices than the VM allows.
    #[error("layout has {count} slices; at most {max} are allowed")]
    TooManySlices {
        /// The declared slice count.
        count: usize,
        /// The VM's limit.
        max: usize,
    },
    /// A slice on a page at or past the page count.
    #[error("slice {slice} is on page {page}, but the layout has {page_count} pages")]
    PageOutOfRange {
        /// The offending slice.
        slice: SliceIndex,
        /// Its page.
        page: PageIndex,
        /// The declared page count.
        page_count: u32,
    },
    /// A slice that runs past the end of its page.
    #[error("slice {slice} ({offset}+{len}) runs past the end of its page")]
    OutsidePage {
        /// The offending slice.
        slice: SliceIndex,
        /// Its offset in the page.
        offset: u32,
        /// Its length.
        len: u32,
    },
    /// Two slices share bytes.
    #[error("slices {first} and {second} overlap")]
    Overlap {
        /// The slice that starts first.
        first: SliceIndex,
        /// The slice that starts inside it.
        second: SliceIndex,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(page: u32, offset: u32, len: u32) -> PageSlice {
        PageSlice { page, offset, len }
    }

    #[test]
    fn accepts_adjacent_slices_and_whole_pages() {
        let layout = StorageLayout::new(2, vec![s(0, 0, 1), s(0, 1, 4), s(1, 0, PAGE_SIZE as u32)]).unwrap();
        assert_eq!(layout.slices().len(), 3);
        assert_eq!(layout.slice(1), Some(&s(0, 1, 4)));
        assert_eq!(layout.slice(3), None);
        let slots =
            StorageLayout::new(1, vec![PageSlice::collection(0, 0), s(0, 48, 1), PageSlice::collection(0, 4048)]);
        let slots = slots.unwrap();
        assert_eq!(slots.slices()[0].kind(), SliceKind::Collection);
        assert_eq!(slots.slices()[1].kind(), SliceKind::Bytes);
        assert_eq!(slots.slices()[2].span(), COLLECTION_STATE_LEN);
    }

    #[test]
    fn rejects_each_bad_layout_with_its_rule() {
        let cases = [
            (
                StorageLayout::new(MAX_PAGES + 1, vec![]),
                LayoutError::TooManyPages { page_count: MAX_PAGES + 1, max: MAX_PAGES },
            ),
            (
                StorageLayout::new(1, vec![PageSlice::collection(0, 4096 - 47)]),
                LayoutError::OutsidePage { slice: 0, offset: 4096 - 47, len: COLLECTION_STATE_LEN },
            ),
            (
                StorageLayout::new(1, vec![PageSlice::collection(0, 0), s(0, 47, 1)]),
                LayoutError::Overlap { first: 0, second: 1 },
            ),
            (
                StorageLayout::new(1, vec![s(0, 0, 1), s(1, 0, 1)]),
                LayoutError::PageOutOfRange { slice: 1, page: 1, page_count: 1 },
            ),
            (StorageLayout::new(1, vec![s(0, 4095, 2)]), LayoutError::OutsidePage { slice: 0, offset: 4095, len: 2 }),
            (
                StorageLayout::new(1, vec![s(0, u32::MAX, 2)]),
                LayoutError::OutsidePage { slice: 0, offset: u32::MAX, len: 2 },
            ),
            (StorageLayout::new(1, vec![s(0, 10, 5), s(0, 0, 11)]), LayoutError::Overlap { first: 1, second: 0 }),
            (StorageLayout::new(1, vec![s(0, 3, 1), s(0, 3, 1)]), LayoutError::Overlap { first: 0, second: 1 }),
        ];
        for (result, expected) in cases {
            assert_eq!(result, Err(expected));
        }
    }

    #[test]
    fn too_many_slices_is_rejected() {
        let slices = vec![s(0, 0, 1); MAX_SLICES + 1];
        assert_eq!(
            StorageLayout::new(1, slices),
            Err(LayoutError::TooManySlices { count: MAX_SLICES + 1, max: MAX_SLICES })
        );
    }
}
