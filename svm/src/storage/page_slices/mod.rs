//! Page slices: a contract's variables as (page, offset, length); the only storage layer vmcalls use.
//! The layout itself (validated at deploy) is consensus data from `svm-core`.

mod error;
mod slice_cache;

pub use error::SliceError;
pub use slice_cache::PageSliceCache;
pub use svm_core::layout::{LayoutError, MAX_SLICES, PageSlice, SliceIndex, StorageLayout};
