//! The vmcall surface v1: every host function a contract may import, in one list.
//!
//! Deploy validation, the import binding, the fuzzers' module generator and `docs/vmcalls.md` all
//! derive from [`VMCALLS`]; tests check that they never drift apart.

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
    /// What it does.
    pub summary: &'static str,
}

const fn spec(
    name: &'static str,
    params: &'static [ValueType],
    results: &'static [ValueType],
    base: u64,
    per_byte: u64,
    summary: &'static str,
) -> VmcallSpec {
    VmcallSpec { name, params, results, price: Price { base, per_byte }, summary }
}

/// Every vmcall, in documentation order.
pub const VMCALLS: &[VmcallSpec] = &[
    spec(
        "storage_read_to_mem",
        &[I32, I32, I32, I32],
        &[],
        40,
        1,
        "(slice, offset, len, mem_ptr): copies len bytes of the slice, from offset, into memory",
    ),
    spec(
        "storage_write_from_mem",
        &[I32, I32, I32, I32],
        &[],
        100,
        3,
        "(slice, offset, len, mem_ptr): copies len bytes from memory into the slice, at offset",
    ),
    spec(
        "storage_read_to_reg",
        &[I32, I32, I32, I32, I32],
        &[],
        40,
        1,
        "(slice, offset, len, bits, reg): copies len bytes of the slice into a register, zero-filling the rest",
    ),
    spec(
        "storage_write_from_reg",
        &[I32, I32, I32, I32, I32],
        &[],
        100,
        3,
        "(slice, offset, len, bits, reg): copies the first len bytes of a register into the slice",
    ),
    spec(
        "storage_read_i32",
        &[I32],
        &[I32],
        40,
        0,
        "(slice) -> value: the slice (at most 4 bytes) as a little-endian unsigned integer",
    ),
    spec(
        "storage_read_i64",
        &[I32],
        &[I64],
        40,
        0,
        "(slice) -> value: the slice (at most 8 bytes) as a little-endian unsigned integer",
    ),
    spec(
        "storage_write_i32",
        &[I32, I32],
        &[],
        100,
        0,
        "(slice, value): stores the low bytes of value, little-endian, filling the slice (at most 4 bytes)",
    ),
    spec(
        "storage_write_i64",
        &[I32, I64],
        &[],
        100,
        0,
        "(slice, value): stores the low bytes of value, little-endian, filling the slice (at most 8 bytes)",
    ),
    spec("storage_slice_len", &[I32], &[I32], 5, 0, "(slice) -> len: the slice's length in bytes"),
    spec(
        "reg_set_from_mem",
        &[I32, I32, I32],
        &[],
        5,
        1,
        "(bits, reg, mem_ptr): loads the register's width in bytes from memory",
    ),
    spec(
        "reg_get_to_mem",
        &[I32, I32, I32],
        &[],
        5,
        1,
        "(bits, reg, mem_ptr): stores the register's bytes into memory",
    ),
    spec(
        "reg_set_i64",
        &[I32, I32, I64],
        &[],
        5,
        0,
        "(bits, reg, value): stores value little-endian in the register's low bytes (all of it if the register is wider), zero-filling the rest",
    ),
    spec(
        "reg_get_i64",
        &[I32, I32],
        &[I64],
        5,
        0,
        "(bits, reg) -> value: the register's low 8 bytes (4 for 32-bit registers) as a little-endian integer",
    ),
    spec(
        "reg_copy",
        &[I32, I32, I32],
        &[],
        5,
        1,
        "(bits, src, dst): copies one register into another of the same class",
    ),
    spec(
        "reg_cmp",
        &[I32, I32, I32],
        &[I32],
        5,
        1,
        "(bits, a, b) -> -1|0|1: compares two registers of a class as unsigned little-endian integers",
    ),
    spec("calldata_len", &[], &[I32], 2, 0, "() -> len: the calldata's length in bytes"),
    spec(
        "calldata_copy",
        &[I32, I32, I32],
        &[],
        10,
        1,
        "(offset, len, mem_ptr): copies len bytes of calldata, from offset, into memory",
    ),
    spec(
        "returndata_set",
        &[I32, I32],
        &[],
        10,
        1,
        "(mem_ptr, len): sets the execution's returndata to len bytes of memory",
    ),
    spec("host_sender_to_reg", &[I32], &[], 5, 0, "(reg): stores the transaction's sender in a 160-bit register"),
    spec(
        "host_contract_to_reg",
        &[I32],
        &[],
        5,
        0,
        "(reg): stores the running contract's address in a 160-bit register",
    ),
    spec("host_layer", &[], &[I64], 2, 0, "() -> layer: the layer (block height) the transaction runs in"),
    spec("host_value", &[], &[I64], 2, 0, "() -> value: the balance the transaction moved to the contract"),
    spec(
        "get_balance_from_reg",
        &[I32, I32],
        &[I64],
        100,
        0,
        "(bits, reg) -> balance: the balance of the account whose address is in the register (bits must be 160)",
    ),
    spec("log", &[I32, I32], &[], 50, 2, "(mem_ptr, len): appends len bytes of memory to the receipt's logs"),
];

/// The vmcall called `name`, if there is one.
pub fn vmcall(name: &str) -> Option<&'static VmcallSpec> {
    VMCALLS.iter().find(|spec| spec.name == name)
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
