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

const SLICE_MEM: &[HostError] = &[UnknownSlice, SliceOutOfRange, NoMemory, MemoryOutOfBounds];
const SLICE_MEM_WRITE: &[HostError] = &[UnknownSlice, SliceOutOfRange, NoMemory, MemoryOutOfBounds, TooManyDirtyPages];
const SLICE_REG: &[HostError] = &[UnknownSlice, SliceOutOfRange, UnknownRegister, RegisterWidth];
const SLICE_REG_WRITE: &[HostError] =
    &[UnknownSlice, SliceOutOfRange, UnknownRegister, RegisterWidth, TooManyDirtyPages];
const SLICE_INT: &[HostError] = &[UnknownSlice, SliceTooWide];
const SLICE_INT_WRITE: &[HostError] = &[UnknownSlice, SliceTooWide, TooManyDirtyPages];
use PageAccess::{None as NoPage, Read, Write};
const REG: &[HostError] = &[UnknownRegister];
const REG_MEM: &[HostError] = &[UnknownRegister, NoMemory, MemoryOutOfBounds];
const NONE: &[HostError] = &[];

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
