//! Typed storage variables over the contract's page slices.
//!
//! A variable is a handle holding the index of its slice; its methods are the storage vmcalls on that slice.
//! Declare variables with [`crate::layout!`], which numbers their slices, places them on pages and emits the
//! `svm-layout` section from the same declaration. Storage integers are little-endian.

mod address;
mod array;
mod bytes;
mod collections;
mod integers;
mod slice;

pub use address::Addr;
pub use array::Array;
pub use bytes::Bytes;
pub use collections::{List, ListHandle, Map, MapHandle, MapOfLists, MapOfListsHandle, Set, SetHandle, SortedSet};
pub use integers::{Bool, I32, I64, U32, U64};
pub use slice::Slice;

/// A type that can be a storage variable: [`Var::SLICES`] consecutive slices of [`Var::SLICE_LEN`] bytes.
pub trait Var: Sized {
    /// Bytes in each of the variable's slices (1 to 4096; 0 for a collection slot, which takes 48).
    const SLICE_LEN: u32;
    /// How many consecutive slices the variable takes.
    const SLICES: u32;
    /// The variable whose first slice has index `first`.
    fn from_first_slice(first: u32) -> Self;
}
