//! Collections: unbounded maps, sets, sorted sets and lists whose 48-byte state lives in a collection
//! slot (a slice of declared length 0) and whose contents live in the VM's collection trees
//! (`docs/consensus.md`, Collections). Declare a slot with [`crate::layout!`]; `open` it in each
//! execution to get a handle; writes are committed when the call succeeds, and dropped with it when it
//! fails.
//!
//! ```ignore
//! svm_sdk::layout! {
//!     NAMES: Map<8>,
//!     HISTORY: MapOfLists<8>,
//! }
//! let names = NAMES.open();
//! names.insert(&id.to_le_bytes(), &value.to_le_bytes());
//! HISTORY.open().list(&id.to_le_bytes()).push(&value.to_le_bytes());
//! ```

use super::Var;
use crate::vmcalls;

/// The pointer meaning "none" to `collection_next`.
const NONE: *const u8 = u32::MAX as usize as *const u8;

macro_rules! slot_var {
    ($(#[$doc:meta])* $name:ident $(<const $k:ident: usize>)?) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name$(<const $k: usize>)?(u32);

        impl$(<const $k: usize>)? $name$(<$k>)? {
            /// The collection in slot `slot`.
            pub const fn new(slot: u32) -> Self {
                $name(slot)
            }

            /// The slot's index.
            pub const fn slot(self) -> u32 {
                self.0
            }
        }

        impl$(<const $k: usize>)? Var for $name$(<$k>)? {
            const SLICE_LEN: u32 = 0;
            const SLICES: u32 = 1;
            fn from_first_slice(first: u32) -> Self {
                $name(first)
            }
        }
    };
}

slot_var!(
    /// A map from `KEY`-byte keys to byte values of up to 1 KiB.
    Map<const KEY: usize>
);
slot_var!(
    /// A set of `KEY`-byte keys.
    Set<const KEY: usize>
);
slot_var!(
    /// A set of `KEY`-byte keys kept for range queries (walk it with [`SetHandle::next`] and a bound).
    SortedSet<const KEY: usize>
);
slot_var!(
    /// A list of byte values of up to 1 KiB, by index.
    List
);
slot_var!(
    /// A map from `KEY`-byte keys to lists.
    MapOfLists<const KEY: usize>
);

const MAP: u32 = 1;
const SET: u32 = 2;
const SORTED_SET: u32 = 3;
const LIST: u32 = 4;

impl<const KEY: usize> Map<KEY> {
    /// The map, for this execution.
    pub fn open(self) -> MapHandle<KEY> {
        MapHandle(unsafe { vmcalls::collection_open(self.0, MAP, KEY as u32, 0) })
    }
}

impl<const KEY: usize> Set<KEY> {
    /// The set, for this execution.
    pub fn open(self) -> SetHandle<KEY> {
        SetHandle(unsafe { vmcalls::collection_open(self.0, SET, KEY as u32, 0) })
    }
}

impl<const KEY: usize> SortedSet<KEY> {
    /// The sorted set, for this execution.
    pub fn open(self) -> SetHandle<KEY> {
        SetHandle(unsafe { vmcalls::collection_open(self.0, SORTED_SET, KEY as u32, 0) })
    }
}

impl List {
    /// The list, for this execution.
    pub fn open(self) -> ListHandle {
        ListHandle(unsafe { vmcalls::collection_open(self.0, LIST, 8, 0) })
    }
}

impl<const KEY: usize> MapOfLists<KEY> {
    /// The map of lists, for this execution.
    pub fn open(self) -> MapOfListsHandle<KEY> {
        MapOfListsHandle(unsafe { vmcalls::collection_open(self.0, MAP, KEY as u32, 1) })
    }
}

/// `collection_next` over `KEY`-byte keys.
fn next<const KEY: usize>(handle: u32, after: Option<&[u8; KEY]>, below: Option<&[u8; KEY]>) -> Option<[u8; KEY]> {
    let mut key = [0u8; KEY];
    let after = after.map_or(NONE, |k| k.as_ptr());
    let below = below.map_or(NONE, |k| k.as_ptr());
    let found = unsafe { vmcalls::collection_next(handle, after, below, key.as_mut_ptr()) };
    if found == 1 {
        Some(key)
    } else {
        None
    }
}

/// `collection_get` into `out`: the value's length, or `None` if absent.
fn get_into(handle: u32, key: *const u8, out: &mut [u8]) -> Option<usize> {
    let len = unsafe { vmcalls::collection_get(handle, key, out.as_mut_ptr(), out.len() as u32) };
    if len < 0 {
        None
    } else {
        Some(len as usize)
    }
}

/// `collection_len`.
fn len(handle: u32) -> u64 {
    unsafe { vmcalls::collection_len(handle) }
}

/// `collection_remove`: whether the key was there.
fn remove(handle: u32, key: *const u8) -> bool {
    unsafe { vmcalls::collection_remove(handle, key) == 1 }
}

/// An open map.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MapHandle<const KEY: usize>(u32);

impl<const KEY: usize> MapHandle<KEY> {
    /// Copies the value at `key` into `out` (as much as fits); its length, or `None` if absent.
    pub fn get(self, key: &[u8; KEY], out: &mut [u8]) -> Option<usize> {
        get_into(self.0, key.as_ptr(), out)
    }

    /// Stores `value` at `key`; whether it replaced a value.
    pub fn insert(self, key: &[u8; KEY], value: &[u8]) -> bool {
        unsafe { vmcalls::collection_insert(self.0, key.as_ptr(), value.as_ptr(), value.len() as u32) == 1 }
    }

    /// Removes `key`; whether it was there.
    pub fn remove(self, key: &[u8; KEY]) -> bool {
        remove(self.0, key.as_ptr())
    }

    /// The number of entries.
    pub fn len(self) -> u64 {
        len(self.0)
    }

    /// Whether the map is empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The smallest key after `after` (the smallest of all for `None`) and below `below` (no bound for
    /// `None`), in byte order.
    pub fn next(self, after: Option<&[u8; KEY]>, below: Option<&[u8; KEY]>) -> Option<[u8; KEY]> {
        next(self.0, after, below)
    }
}

/// An open set or sorted set.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SetHandle<const KEY: usize>(u32);

impl<const KEY: usize> SetHandle<KEY> {
    /// Adds `key`; whether it was already there.
    pub fn insert(self, key: &[u8; KEY]) -> bool {
        unsafe { vmcalls::collection_insert(self.0, key.as_ptr(), key.as_ptr(), 0) == 1 }
    }

    /// Whether `key` is in the set.
    pub fn contains(self, key: &[u8; KEY]) -> bool {
        unsafe { vmcalls::collection_get(self.0, key.as_ptr(), key.as_ptr() as *mut u8, 0) >= 0 }
    }

    /// Removes `key`; whether it was there.
    pub fn remove(self, key: &[u8; KEY]) -> bool {
        remove(self.0, key.as_ptr())
    }

    /// The number of keys.
    pub fn len(self) -> u64 {
        len(self.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The smallest key after `after` and below `below` (see [`MapHandle::next`]): a range query.
    pub fn next(self, after: Option<&[u8; KEY]>, below: Option<&[u8; KEY]>) -> Option<[u8; KEY]> {
        next(self.0, after, below)
    }
}

/// An open list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ListHandle(u32);

impl ListHandle {
    /// Appends `value`; its index.
    pub fn push(self, value: &[u8]) -> u64 {
        unsafe { vmcalls::collection_push(self.0, value.as_ptr(), value.len() as u32) }
    }

    /// Removes the last value, copying it into `out` (as much as fits); its length, or `None` if empty.
    pub fn pop(self, out: &mut [u8]) -> Option<usize> {
        let len = unsafe { vmcalls::collection_pop(self.0, out.as_mut_ptr(), out.len() as u32) };
        if len < 0 {
            None
        } else {
            Some(len as usize)
        }
    }

    /// Copies the value at `index` into `out` (as much as fits); its length, or `None` past the end.
    pub fn get(self, index: u64, out: &mut [u8]) -> Option<usize> {
        get_into(self.0, index.to_be_bytes().as_ptr(), out)
    }

    /// Replaces the value at `index` (which must be below the length, or the call fails).
    pub fn set(self, index: u64, value: &[u8]) {
        let key = index.to_be_bytes();
        unsafe { vmcalls::collection_insert(self.0, key.as_ptr(), value.as_ptr(), value.len() as u32) };
    }

    /// The number of values.
    pub fn len(self) -> u64 {
        len(self.0)
    }

    /// Whether the list is empty.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// An open map of lists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MapOfListsHandle<const KEY: usize>(u32);

impl<const KEY: usize> MapOfListsHandle<KEY> {
    /// The list at `key` (created empty if absent).
    pub fn list(self, key: &[u8; KEY]) -> ListHandle {
        ListHandle(unsafe { vmcalls::collection_open_nested(self.0, key.as_ptr(), LIST, 8, 0) })
    }

    /// Removes the list at `key`; whether it was there.
    pub fn remove(self, key: &[u8; KEY]) -> bool {
        remove(self.0, key.as_ptr())
    }

    /// The number of lists.
    pub fn len(self) -> u64 {
        len(self.0)
    }

    /// Whether there are no lists.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// The smallest key after `after` and below `below` (see [`MapHandle::next`]).
    pub fn next(self, after: Option<&[u8; KEY]>, below: Option<&[u8; KEY]>) -> Option<[u8; KEY]> {
        next(self.0, after, below)
    }
}
