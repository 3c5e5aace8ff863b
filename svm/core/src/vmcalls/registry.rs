//! The vmcall surface v1: every host function a contract may import, in one list.
//!
//! Deploy validation, the import binding, the fuzzers' module generator and `docs/vmcalls.md` all
//! derive from [`VMCALLS`]; tests check that they never drift apart.

use super::HostError::{self, *};
use crate::ValueType::{self, I32, I64};

/// The import module every vmcall lives in.
pub const NAMESPACE: &str = "svm";

/// The gas a vmcall costs: `base + per_byte × bytes`, charged before the vmcall does any work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Price {
    /// Charged on every call.
    pub base: u64,
    /// Charged per byte the call moves: its `len` argument, or the register class's width in bytes.
    pub per_byte: u64,
}

impl Price {
    /// The gas for a call that moves `bytes` bytes (saturating).
    pub fn for_bytes(&self, bytes: u64) -> u64 {
        self.base.saturating_add(self.per_byte.saturating_mul(bytes))
    }
}

/// How a vmcall touches storage pages, which decides the page gas it pays besides its price (see
/// [`crate::gas::storage_prices`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageAccess {
    /// It touches no page.
    None,
    /// It reads the page its slice is on.
    Read,
    /// It writes the page its slice is on.
    Write,
}

/// One vmcall: its name, signature, price and a one-line summary.
#[derive(Clone, Copy, Debug)]
pub struct VmcallSpec {
    /// The import name inside [`NAMESPACE`].
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValueType],
    /// Result types (none or one).
    pub results: &'static [ValueType],
    /// What it costs.
    pub price: Price,
    /// How it touches storage pages.
    pub pages: PageAccess,
    /// What it does.
    pub summary: &'static str,
    /// How it can refuse (besides running out of gas, which any vmcall can).
    pub errors: &'static [HostError],
}

const SLICE_MEM: &[HostError] = &[UnknownSlice, SliceKind, SliceOutOfRange, NoMemory, MemoryOutOfBounds];
const SLICE_MEM_WRITE: &[HostError] =
    &[UnknownSlice, SliceKind, SliceOutOfRange, NoMemory, MemoryOutOfBounds, TooManyDirtyPages];
const SLICE_REG: &[HostError] = &[UnknownSlice, SliceKind, SliceOutOfRange, UnknownRegister, RegisterWidth];
const SLICE_REG_WRITE: &[HostError] =
    &[UnknownSlice, SliceKind, SliceOutOfRange, UnknownRegister, RegisterWidth, TooManyDirtyPages];
const SLICE_INT: &[HostError] = &[UnknownSlice, SliceKind, SliceTooWide];
const SLICE_INT_WRITE: &[HostError] = &[UnknownSlice, SliceKind, SliceTooWide, TooManyDirtyPages];
const COLL_OPEN: &[HostError] = &[UnknownSlice, SliceKind, CollectionShape, TooManyCollections];
const COLL_NESTED: &[HostError] = &[
    UnknownCollection,
    CollectionValueKind,
    CollectionDepth,
    CollectionShape,
    NoMemory,
    MemoryOutOfBounds,
    CollectionIndex,
    TooManyCollections,
    TooManyDirtyPages,
];
const COLL_GET: &[HostError] = &[UnknownCollection, CollectionValueKind, NoMemory, MemoryOutOfBounds];
const COLL_INSERT: &[HostError] = &[
    UnknownCollection,
    CollectionValueKind,
    CollectionValueTooLarge,
    NoMemory,
    MemoryOutOfBounds,
    CollectionIndex,
    TooManyDirtyPages,
];
const COLL_REMOVE: &[HostError] =
    &[UnknownCollection, CollectionOperation, NoMemory, MemoryOutOfBounds, TooManyDirtyPages];
const COLL_PUSH: &[HostError] = &[
    UnknownCollection,
    CollectionOperation,
    CollectionValueKind,
    CollectionValueTooLarge,
    NoMemory,
    MemoryOutOfBounds,
    TooManyDirtyPages,
];
const COLL_POP: &[HostError] =
    &[UnknownCollection, CollectionOperation, NoMemory, MemoryOutOfBounds, TooManyDirtyPages];
const COLL_NEXT: &[HostError] = &[UnknownCollection, NoMemory, MemoryOutOfBounds];
const EVENT: &[HostError] = &[TooManyEvents, EventTopics, EventTooLarge, EventExpiry, NoMemory, MemoryOutOfBounds];
use PageAccess::{None as NoPage, Read, Write};
const REG: &[HostError] = &[UnknownRegister];
const REG_MEM: &[HostError] = &[UnknownRegister, NoMemory, MemoryOutOfBounds];
const NONE: &[HostError] = &[];
const CALL: &[HostError] = &[CallInput, NoMemory, MemoryOutOfBounds, TooManyCalls];

/// Every vmcall, in documentation order.
#[rustfmt::skip]
pub const VMCALLS: &[VmcallSpec] = &[
    VmcallSpec { name: "storage_read_to_mem", params: &[I32, I32, I32, I32], results: &[], price: Price { base: 40, per_byte: 1 }, pages: Read, errors: SLICE_MEM,
        summary: "(slice, offset, len, mem_ptr): copies len bytes of the slice, from offset, into memory" },
    VmcallSpec { name: "storage_write_from_mem", params: &[I32, I32, I32, I32], results: &[], price: Price { base: 100, per_byte: 3 }, pages: Write, errors: SLICE_MEM_WRITE,
        summary: "(slice, offset, len, mem_ptr): copies len bytes from memory into the slice, at offset" },
    VmcallSpec { name: "storage_read_to_reg", params: &[I32, I32, I32, I32, I32], results: &[], price: Price { base: 40, per_byte: 1 }, pages: Read, errors: SLICE_REG,
        summary: "(slice, offset, len, bits, reg): copies len bytes of the slice into a register, zero-filling the rest" },
    VmcallSpec { name: "storage_write_from_reg", params: &[I32, I32, I32, I32, I32], results: &[], price: Price { base: 100, per_byte: 3 }, pages: Write, errors: SLICE_REG_WRITE,
        summary: "(slice, offset, len, bits, reg): copies the first len bytes of a register into the slice" },
    VmcallSpec { name: "storage_read_i32", params: &[I32], results: &[I32], price: Price { base: 40, per_byte: 0 }, pages: Read, errors: SLICE_INT,
        summary: "(slice) -> value: the slice (at most 4 bytes) as a little-endian unsigned integer" },
    VmcallSpec { name: "storage_read_i64", params: &[I32], results: &[I64], price: Price { base: 40, per_byte: 0 }, pages: Read, errors: SLICE_INT,
        summary: "(slice) -> value: the slice (at most 8 bytes) as a little-endian unsigned integer" },
    VmcallSpec { name: "storage_write_i32", params: &[I32, I32], results: &[], price: Price { base: 100, per_byte: 0 }, pages: Write, errors: SLICE_INT_WRITE,
        summary: "(slice, value): stores the low bytes of value, little-endian, filling the slice (at most 4 bytes)" },
    VmcallSpec { name: "storage_write_i64", params: &[I32, I64], results: &[], price: Price { base: 100, per_byte: 0 }, pages: Write, errors: SLICE_INT_WRITE,
        summary: "(slice, value): stores the low bytes of value, little-endian, filling the slice (at most 8 bytes)" },
    VmcallSpec { name: "storage_slice_len", params: &[I32], results: &[I32], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: &[UnknownSlice],
        summary: "(slice) -> len: the slice's length in bytes" },
    VmcallSpec { name: "reg_set_from_mem", params: &[I32, I32, I32], results: &[], price: Price { base: 5, per_byte: 1 }, pages: NoPage, errors: REG_MEM,
        summary: "(bits, reg, mem_ptr): loads the register's width in bytes from memory" },
    VmcallSpec { name: "reg_get_to_mem", params: &[I32, I32, I32], results: &[], price: Price { base: 5, per_byte: 1 }, pages: NoPage, errors: REG_MEM,
        summary: "(bits, reg, mem_ptr): stores the register's bytes into memory" },
    VmcallSpec { name: "reg_set_i64", params: &[I32, I32, I64], results: &[], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: REG,
        summary: "(bits, reg, value): stores value little-endian in the register's low bytes (all of it if the register is wider), zero-filling the rest" },
    VmcallSpec { name: "reg_get_i64", params: &[I32, I32], results: &[I64], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: REG,
        summary: "(bits, reg) -> value: the register's low 8 bytes (4 for 32-bit registers) as a little-endian integer" },
    VmcallSpec { name: "reg_copy", params: &[I32, I32, I32], results: &[], price: Price { base: 5, per_byte: 1 }, pages: NoPage, errors: REG,
        summary: "(bits, src, dst): copies one register into another of the same class" },
    VmcallSpec { name: "reg_cmp", params: &[I32, I32, I32], results: &[I32], price: Price { base: 5, per_byte: 1 }, pages: NoPage, errors: REG,
        summary: "(bits, a, b) -> -1, 0 or 1: compares two registers of a class as unsigned little-endian integers" },
    VmcallSpec { name: "calldata_len", params: &[], results: &[I32], price: Price { base: 2, per_byte: 0 }, pages: NoPage, errors: NONE,
        summary: "() -> len: the calldata's length in bytes" },
    VmcallSpec { name: "calldata_copy", params: &[I32, I32, I32], results: &[], price: Price { base: 10, per_byte: 1 }, pages: NoPage, errors: &[CalldataOutOfRange, NoMemory, MemoryOutOfBounds],
        summary: "(offset, len, mem_ptr): copies len bytes of calldata, from offset, into memory" },
    VmcallSpec { name: "returndata_set", params: &[I32, I32], results: &[], price: Price { base: 10, per_byte: 1 }, pages: NoPage, errors: &[ReturndataTooLarge, NoMemory, MemoryOutOfBounds],
        summary: "(mem_ptr, len): sets the execution's returndata to len bytes of memory" },
    VmcallSpec { name: "host_sender_to_reg", params: &[I32], results: &[], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: REG,
        summary: "(reg): stores the transaction's sender in a 160-bit register" },
    VmcallSpec { name: "host_contract_to_reg", params: &[I32], results: &[], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: REG,
        summary: "(reg): stores the running contract's address in a 160-bit register" },
    VmcallSpec { name: "host_layer", params: &[], results: &[I64], price: Price { base: 2, per_byte: 0 }, pages: NoPage, errors: NONE,
        summary: "() -> layer: the layer (block height) the transaction runs in" },
    VmcallSpec { name: "host_value", params: &[], results: &[I64], price: Price { base: 2, per_byte: 0 }, pages: NoPage, errors: NONE,
        summary: "() -> value: the balance the transaction moved to the contract" },
    VmcallSpec { name: "get_balance_from_reg", params: &[I32, I32], results: &[I64], price: Price { base: 100, per_byte: 0 }, pages: NoPage, errors: &[RegisterWidth, UnknownRegister],
        summary: "(bits, reg) -> balance: the balance of the account whose address is in the register (bits must be 160)" },
    VmcallSpec { name: "log", params: &[I32, I32], results: &[], price: Price { base: 50, per_byte: 2 }, pages: NoPage, errors: &[TooManyLogs, LogTooLarge, NoMemory, MemoryOutOfBounds],
        summary: "(mem_ptr, len): appends len bytes of memory to the receipt's logs" },
    VmcallSpec { name: "event_emit", params: &[I32, I32, I32, I32, I32], results: &[], price: Price { base: 200, per_byte: 2 }, pages: NoPage, errors: EVENT,
        summary: "(topics_ptr, topic_count, data_ptr, data_len, expiry): emits an event with up to 4 32-byte topics and data_len bytes of data, live for expiry more layers + retention gas" },
    VmcallSpec { name: "collection_open", params: &[I32, I32, I32, I32], results: &[I32], price: Price { base: 100, per_byte: 0 }, pages: Read, errors: COLL_OPEN,
        summary: "(slot, kind, key_width, value_kind) -> handle: opens the collection in a collection slot (an empty one of that shape if the slot is zero)" },
    VmcallSpec { name: "collection_open_nested", params: &[I32, I32, I32, I32, I32], results: &[I32], price: Price { base: 150, per_byte: 0 }, pages: Write, errors: COLL_NESTED,
        summary: "(handle, key_ptr, kind, key_width, value_kind) -> handle: opens the child collection at a key, creating it empty if absent + read and write work" },
    VmcallSpec { name: "collection_get", params: &[I32, I32, I32, I32], results: &[I32], price: Price { base: 60, per_byte: 1 }, pages: NoPage, errors: COLL_GET,
        summary: "(handle, key_ptr, value_ptr, value_cap) -> len or -1: copies up to value_cap bytes of the key's value + read work" },
    VmcallSpec { name: "collection_insert", params: &[I32, I32, I32, I32], results: &[I32], price: Price { base: 100, per_byte: 3 }, pages: Write, errors: COLL_INSERT,
        summary: "(handle, key_ptr, value_ptr, value_len) -> 1 replaced / 0 new: stores a value (a list: at an index below its length) + write work" },
    VmcallSpec { name: "collection_remove", params: &[I32, I32], results: &[I32], price: Price { base: 100, per_byte: 0 }, pages: Write, errors: COLL_REMOVE,
        summary: "(handle, key_ptr) -> 1 removed / 0 absent: removes a key (not from a list) + write work" },
    VmcallSpec { name: "collection_push", params: &[I32, I32, I32], results: &[I64], price: Price { base: 100, per_byte: 3 }, pages: Write, errors: COLL_PUSH,
        summary: "(handle, value_ptr, value_len) -> index: appends a value to a list + write work" },
    VmcallSpec { name: "collection_pop", params: &[I32, I32, I32], results: &[I32], price: Price { base: 60, per_byte: 1 }, pages: Write, errors: COLL_POP,
        summary: "(handle, value_ptr, value_cap) -> len or -1: removes a list's last value, copying up to value_cap bytes of it + write work" },
    VmcallSpec { name: "collection_len", params: &[I32], results: &[I64], price: Price { base: 5, per_byte: 0 }, pages: NoPage, errors: &[UnknownCollection],
        summary: "(handle) -> length: the collection's number of entries" },
    VmcallSpec { name: "collection_next", params: &[I32, I32, I32, I32], results: &[I32], price: Price { base: 100, per_byte: 0 }, pages: NoPage, errors: COLL_NEXT,
        summary: "(handle, after_ptr, bound_ptr, key_out_ptr) -> 1 / 0: the next key after after_ptr's (-1: from the start) and below bound_ptr's (-1: no bound), in key order + 2 × read work" },
    VmcallSpec { name: "contract_call", params: &[I32, I32, I32, I32, I32, I32, I32, I64, I64], results: &[I32], price: Price { base: 2000, per_byte: 1 }, pages: NoPage, errors: CALL,
        summary: "(callee_ptr, func_ptr, func_len, args_ptr, args_count, data_ptr, data_len, value, gas) -> status: calls another contract's export in a frame of its own (bytes: func_len + 9 x args_count + data_len); the callee's failure is a status, not a trap" },
    VmcallSpec { name: "call_result", params: &[I32, I32, I32], results: &[I32], price: Price { base: 10, per_byte: 1 }, pages: NoPage, errors: &[NoMemory, MemoryOutOfBounds],
        summary: "(ptr, offset, len) -> total: copies up to len bytes of the last call's result (returns in 9-byte slots, then returndata) from offset" },
];

/// The reference table of every vmcall, as `docs/vmcalls.md` carries it.
pub fn markdown_table() -> String {
    let types = |types: &[ValueType]| {
        types.iter().map(|t| if *t == I32 { "i32" } else { "i64" }).collect::<Vec<_>>().join(", ")
    };
    let mut table = String::from("| vmcall | signature | gas | errors | what it does |\n|---|---|---|---|---|\n");
    for spec in VMCALLS {
        let results = if spec.results.is_empty() { String::new() } else { format!(" -> {}", types(spec.results)) };
        let mut gas = match spec.price.per_byte {
            0 => spec.price.base.to_string(),
            n => format!("{} + {n} per byte", spec.price.base),
        };
        match spec.pages {
            PageAccess::None => {}
            PageAccess::Read => gas.push_str(" + page load"),
            PageAccess::Write => gas.push_str(" + page load + page dirty"),
        }
        let errors: Vec<&str> = spec.errors.iter().map(|e| e.name()).collect();
        let errors = if errors.is_empty() { "—".to_string() } else { errors.join(", ") };
        let params = types(spec.params);
        table.push_str(&format!("| `{}` | `({params}){results}` | {gas} | {errors} | {} |\n", spec.name, spec.summary));
    }
    table
}

/// The vmcall called `name`, if there is one.
pub fn vmcall(name: &str) -> Option<&'static VmcallSpec> {
    VMCALLS.iter().find(|spec| spec.name == name)
}

/// The position of `spec` in [`VMCALLS`] (found by name).
pub fn vmcall_index(spec: &VmcallSpec) -> Option<usize> {
    VMCALLS.iter().position(|s| s.name == spec.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_results_at_most_one() {
        for (i, a) in VMCALLS.iter().enumerate() {
            assert!(a.results.len() <= 1, "{}", a.name);
            assert!(VMCALLS[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
    }
}
