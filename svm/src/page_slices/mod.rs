//! Page slices: a contract's variables as (page, offset, length); the only storage layer vmcalls use.

mod error;
mod layout;
mod slice_cache;

pub use error::{LayoutError, SliceError};
pub use layout::{MAX_SLICES, PageSlice, SliceIndex, StorageLayout};
pub use slice_cache::PageSliceCache;
