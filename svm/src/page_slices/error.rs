//! Errors of the page-slice layer.

use super::SliceIndex;
use crate::pages::{PageIndex, PagesError};
use thiserror::Error;

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
    /// A slice of length zero.
    #[error("slice {slice} has length zero")]
    EmptySlice {
        /// The offending slice.
        slice: SliceIndex,
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

/// Why a slice read or write failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SliceError {
    /// No slice has this index.
    #[error("slice {slice} does not exist: the layout has {count} slices")]
    UnknownSlice {
        /// The requested slice.
        slice: SliceIndex,
        /// The number of slices in the layout.
        count: usize,
    },
    /// The access runs outside the slice.
    #[error("bytes {offset}..{offset}+{len} are outside slice {slice} of length {slice_len}")]
    OutOfRange {
        /// The slice accessed.
        slice: SliceIndex,
        /// Offset inside the slice.
        offset: u32,
        /// Length of the access.
        len: usize,
        /// The slice's length.
        slice_len: u32,
    },
    /// The pages below failed (kv failure, missing or corrupt data).
    #[error(transparent)]
    Pages(#[from] PagesError),
}
