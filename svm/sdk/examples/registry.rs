//! registry: collections from the SDK — a map of names to values, a sorted set of names, a list of
//! every registration, and a history (a list) per name — and events: every registration emits one
//! (topics `"register"` and the name, data the value, live for 16 more layers), so that a node can list
//! a name's recent registrations without reading storage.
//!
//! Exports: `register(name: u64, value: u64) -> u32` (1 if it replaced a value), `lookup(name: u64) -> u64`
//! (`u64::MAX` if absent), `forget(name: u64) -> u32`, `count() -> u64`, `names_between(low: u64, high:
//! u64) -> u64` (how many registered names are in `[low, high)`, by a range walk of the sorted set),
//! `registrations() -> u64`, `last_registration() -> u64`, `history_len(name: u64) -> u64`. Names are
//! stored big-endian, so that byte order is numeric order.
#![no_std]

use svm_sdk::event;
use svm_sdk::storage::{List, Map, MapOfLists, SortedSet};

/// Layers a registration's event stays queryable after its own.
const EVENT_EXPIRY: u32 = 16;

svm_sdk::layout! {
    /// Each name's value.
    VALUES: Map<8>,
    /// Every name with a value, for range queries.
    NAMES: SortedSet<8>,
    /// Every registration's name, in order.
    REGISTRATIONS: List,
    /// Each name's values, oldest first.
    HISTORY: MapOfLists<8>,
}

/// Gives `name` the value `value`: 1 if it replaced one.
#[no_mangle]
pub extern "C" fn register(name: u64, value: u64) -> u32 {
    let key = name.to_be_bytes();
    NAMES.open().insert(&key);
    REGISTRATIONS.open().push(&key);
    HISTORY.open().list(&key).push(&value.to_le_bytes());
    event::emit(&[event::topic(b"register"), event::topic(&key)], &value.to_le_bytes(), EVENT_EXPIRY);
    VALUES.open().insert(&key, &value.to_le_bytes()) as u32
}

/// The value of `name`, or `u64::MAX` if it has none.
#[no_mangle]
pub extern "C" fn lookup(name: u64) -> u64 {
    let mut value = [0u8; 8];
    match VALUES.open().get(&name.to_be_bytes(), &mut value) {
        Some(8) => u64::from_le_bytes(value),
        _ => u64::MAX,
    }
}

/// Removes `name`'s value (its history stays): 1 if it had one.
#[no_mangle]
pub extern "C" fn forget(name: u64) -> u32 {
    let key = name.to_be_bytes();
    NAMES.open().remove(&key);
    VALUES.open().remove(&key) as u32
}

/// How many names have a value.
#[no_mangle]
pub extern "C" fn count() -> u64 {
    VALUES.open().len()
}

/// How many names with a value lie in `[low, high)`.
#[no_mangle]
pub extern "C" fn names_between(low: u64, high: u64) -> u64 {
    let (names, low, high) = (NAMES.open(), low.to_be_bytes(), high.to_be_bytes());
    let mut found = if names.contains(&low) && low < high { 1 } else { 0 };
    let mut at = low;
    while let Some(next) = names.next(Some(&at), Some(&high)) {
        found += 1;
        at = next;
    }
    found
}

/// How many registrations there were.
#[no_mangle]
pub extern "C" fn registrations() -> u64 {
    REGISTRATIONS.open().len()
}

/// The name of the last registration (`u64::MAX` if none), taken off the list.
#[no_mangle]
pub extern "C" fn last_registration() -> u64 {
    let mut name = [0u8; 8];
    match REGISTRATIONS.open().pop(&mut name) {
        Some(8) => u64::from_be_bytes(name),
        _ => u64::MAX,
    }
}

/// How many values `name` has had.
#[no_mangle]
pub extern "C" fn history_len(name: u64) -> u64 {
    HISTORY.open().list(&name.to_be_bytes()).len()
}
