//! The raw vmcalls: every host function of surface v1, imported from the `svm` module.
//!
//! The signatures are exactly those of `docs/vmcalls.md`: `u32` and pointers are wasm `i32`, `u64` is wasm
//! `i64`, and the VM reads every `i32` as unsigned. A bad argument never corrupts memory: the VM checks it
//! and fails the call with a `host:<error>` outcome. The safe wrappers in the other modules are the usual way
//! in; these are for what they do not cover.

#[link(wasm_import_module = "svm")]
extern "C" {
    /// Copies `len` bytes of the slice, from `offset`, into memory at `mem_ptr`.
    pub fn storage_read_to_mem(slice: u32, offset: u32, len: u32, mem_ptr: *mut u8);
    /// Copies `len` bytes from memory at `mem_ptr` into the slice, at `offset`.
    pub fn storage_write_from_mem(slice: u32, offset: u32, len: u32, mem_ptr: *const u8);
    /// Copies `len` bytes of the slice, from `offset`, into a register, zero-filling the rest.
    pub fn storage_read_to_reg(slice: u32, offset: u32, len: u32, bits: u32, reg: u32);
    /// Copies the first `len` bytes of a register into the slice, at `offset`.
    pub fn storage_write_from_reg(slice: u32, offset: u32, len: u32, bits: u32, reg: u32);
    /// The slice (at most 4 bytes) as a little-endian unsigned integer.
    pub fn storage_read_i32(slice: u32) -> u32;
    /// The slice (at most 8 bytes) as a little-endian unsigned integer.
    pub fn storage_read_i64(slice: u32) -> u64;
    /// Stores the low bytes of `value`, little-endian, filling the slice (at most 4 bytes).
    pub fn storage_write_i32(slice: u32, value: u32);
    /// Stores the low bytes of `value`, little-endian, filling the slice (at most 8 bytes).
    pub fn storage_write_i64(slice: u32, value: u64);
    /// The slice's length in bytes.
    pub fn storage_slice_len(slice: u32) -> u32;
    /// Loads the register's width in bytes from memory at `mem_ptr`.
    pub fn reg_set_from_mem(bits: u32, reg: u32, mem_ptr: *const u8);
    /// Stores the register's bytes into memory at `mem_ptr`.
    pub fn reg_get_to_mem(bits: u32, reg: u32, mem_ptr: *mut u8);
    /// Stores `value` little-endian in the register's low bytes, zero-filling the rest.
    pub fn reg_set_i64(bits: u32, reg: u32, value: u64);
    /// The register's low 8 bytes (4 for 32-bit registers) as a little-endian integer.
    pub fn reg_get_i64(bits: u32, reg: u32) -> u64;
    /// Copies register `src` into register `dst` of the same class.
    pub fn reg_copy(bits: u32, src: u32, dst: u32);
    /// Compares two registers of a class as unsigned little-endian integers: -1, 0 or 1.
    pub fn reg_cmp(bits: u32, a: u32, b: u32) -> i32;
    /// The calldata's length in bytes.
    pub fn calldata_len() -> u32;
    /// Copies `len` bytes of calldata, from `offset`, into memory at `mem_ptr`.
    pub fn calldata_copy(offset: u32, len: u32, mem_ptr: *mut u8);
    /// Sets the execution's returndata to `len` bytes of memory at `mem_ptr`.
    pub fn returndata_set(mem_ptr: *const u8, len: u32);
    /// Stores the transaction's sender in 160-bit register `reg`.
    pub fn host_sender_to_reg(reg: u32);
    /// Stores the running contract's address in 160-bit register `reg`.
    pub fn host_contract_to_reg(reg: u32);
    /// The layer (block height) the transaction runs in.
    pub fn host_layer() -> u64;
    /// The balance the transaction moved to the contract.
    pub fn host_value() -> u64;
    /// The balance of the account whose address is in the register (`bits` must be 160).
    pub fn get_balance_from_reg(bits: u32, reg: u32) -> u64;
    /// Appends `len` bytes of memory at `mem_ptr` to the receipt's logs.
    pub fn log(mem_ptr: *const u8, len: u32);
}
