//! The raw vmcalls: every host function of the surface, imported from the `svm` module.
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
    /// Emits an event: `topic_count` 32-byte topics at `topics_ptr`, `data_len` bytes at `data_ptr`,
    /// live for `expiry` more layers.
    pub fn event_emit(topics_ptr: *const u8, topic_count: u32, data_ptr: *const u8, data_len: u32, expiry: u32);
    /// Opens the collection in collection slot `slot` (an empty one of this shape if the slot is zero).
    pub fn collection_open(slot: u32, kind: u32, key_width: u32, value_kind: u32) -> u32;
    /// Opens the child collection at the key at `key_ptr`, creating it empty if absent.
    pub fn collection_open_nested(handle: u32, key_ptr: *const u8, kind: u32, key_width: u32, value_kind: u32) -> u32;
    /// Copies up to `value_cap` bytes of the key's value to `value_ptr`: its length, or -1 if absent.
    pub fn collection_get(handle: u32, key_ptr: *const u8, value_ptr: *mut u8, value_cap: u32) -> i32;
    /// Stores `value_len` bytes at `value_ptr` under the key: 1 if it replaced a value, 0 if new.
    pub fn collection_insert(handle: u32, key_ptr: *const u8, value_ptr: *const u8, value_len: u32) -> i32;
    /// Removes the key (not from a list): 1 if it was there, 0 if not.
    pub fn collection_remove(handle: u32, key_ptr: *const u8) -> i32;
    /// Appends a value to a list: its index.
    pub fn collection_push(handle: u32, value_ptr: *const u8, value_len: u32) -> u64;
    /// Removes a list's last value, copying up to `value_cap` bytes: its length, or -1 if empty.
    pub fn collection_pop(handle: u32, value_ptr: *mut u8, value_cap: u32) -> i32;
    /// The collection's number of entries.
    pub fn collection_len(handle: u32) -> u64;
    /// The next key after the one at `after_ptr` (none: -1) and below the one at `bound_ptr` (none: -1),
    /// written at `key_out_ptr`: 1, or 0 if there is none.
    pub fn collection_next(handle: u32, after_ptr: *const u8, bound_ptr: *const u8, key_out_ptr: *mut u8) -> i32;
    /// Calls `func_len` bytes of function name at `func_ptr` on the contract whose address is at `callee_ptr`,
    /// with `args_count` 9-byte argument slots, `data_len` bytes of calldata, `value` moved and at most `gas`
    /// forwarded; returns the callee's status (0: success).
    pub fn contract_call(
        callee_ptr: *const u8,
        func_ptr: *const u8,
        func_len: u32,
        args_ptr: *const u8,
        args_count: u32,
        data_ptr: *const u8,
        data_len: u32,
        value: i64,
        gas: i64,
    ) -> i32;
    /// Copies up to `len` bytes of the last call's result, from `offset`, to `ptr`; returns its whole length.
    pub fn call_result(ptr: *mut u8, offset: u32, len: u32) -> i32;
}
