//! Why a slice access failed.

use crate::storage::pages::PagesError;
use svm_core::layout::SliceIndex;
use thiserror::Error;

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
    /// A byte access to a collection slot, or a collection access to a byte slice.
    #[error("slice {slice} is {}", if *.is_slot { "a collection slot, not bytes" } else { "bytes, not a collection slot" })]
    Kind {
        /// The slice accessed.
        slice: SliceIndex,
        /// Whether it is a collection slot.
        is_slot: bool,
    },
    /// The pages below failed (kv failure, missing or corrupt data).
    #[error(transparent)]
    Pages(#[from] PagesError),
}
