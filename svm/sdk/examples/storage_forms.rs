//! storage_forms: every way the vmcalls reach storage, one small export each.
//!
//! Integer forms on 4- and 8-byte slices and on a 3-byte slice (`storage_read_i32/i64`,
//! `storage_write_i32/i64`), whole and partial slices through memory (`storage_read_to_mem`,
//! `storage_write_from_mem`), whole and partial slices through registers (`storage_read_to_reg`,
//! `storage_write_from_reg`, with `reg_set_i64`, `reg_get_i64`, `reg_copy`, `reg_cmp`, `host_sender_to_reg`),
//! `storage_slice_len`, a whole-page slice, calldata decoded into storage, and calldata echoed to returndata.
//! Arguments are not checked beyond what a buffer needs: a bad offset or length is the VM's to refuse, with its
//! `host:*` error.
//!
//! Slices: 0 `A: U32`, 1 `B: I32`, 2 `C: U64`, 3 `D: I64`, 4 `FLAG: Bool`, 5 `SMALL: Bytes<3>`,
//! 6 `NAME: Bytes<32>`, 7 `OWNER: Addr` (all on page 0, 80 bytes), 8 `BIG: Bytes<4096>` (page 1),
//! 9 `TAIL: U64` (page 2).
#![no_std]

use svm_sdk::calldata::{self, set_returndata, Calldata};
use svm_sdk::storage::{Addr, Bool, Bytes, Slice, I32, I64, U32, U64};
use svm_sdk::{context, ensure, Register};

svm_sdk::layout! {
    A: U32,
    B: I32,
    C: U64,
    D: I64,
    FLAG: Bool,
    SMALL: Bytes<3>,
    NAME: Bytes<32>,
    OWNER: Addr,
    BIG: Bytes<4096>,
    TAIL: U64,
}

/// The 64-bit register the register forms load slices into.
const WORD: Register = Register::r64(0);

/// A second 64-bit register, for `reg_copy`.
const COPY: Register = Register::r64(1);

/// Holds the sender for address comparisons.
const SENDER: Register = Register::r160(0);

/// Holds the stored owner while it is compared with the sender.
const STORED: Register = Register::r160(1);

/// The most calldata `echo` returns.
const ECHO_MAX: usize = 1024;

/// Stores `value` in slice 0 (`storage_write_i32`).
#[no_mangle]
pub extern "C" fn set_u32(value: u32) {
    A.set(value)
}

/// Slice 0 (`storage_read_i32`).
#[no_mangle]
pub extern "C" fn get_u32() -> u32 {
    A.get()
}

/// Stores `value` in slice 1 (`storage_write_i32`, two's complement).
#[no_mangle]
pub extern "C" fn set_i32(value: i32) {
    B.set(value)
}

/// Slice 1 (`storage_read_i32`).
#[no_mangle]
pub extern "C" fn get_i32() -> i32 {
    B.get()
}

/// Stores `value` in slice 2 (`storage_write_i64`).
#[no_mangle]
pub extern "C" fn set_u64(value: u64) {
    C.set(value)
}

/// Slice 2 (`storage_read_i64`).
#[no_mangle]
pub extern "C" fn get_u64() -> u64 {
    C.get()
}

/// Stores `value` in slice 3 (`storage_write_i64`, two's complement).
#[no_mangle]
pub extern "C" fn set_i64(value: i64) {
    D.set(value)
}

/// Slice 3 (`storage_read_i64`).
#[no_mangle]
pub extern "C" fn get_i64() -> i64 {
    D.get()
}

/// Stores 1 in the 1-byte slice 4 if `value` is non-zero, else 0.
#[no_mangle]
pub extern "C" fn set_flag(value: u32) {
    FLAG.set(value != 0)
}

/// Slice 4: 1 or 0.
#[no_mangle]
pub extern "C" fn get_flag() -> u32 {
    FLAG.get() as u32
}

/// Stores the low 3 bytes of `value` in the 3-byte slice 5 (`storage_write_i32` on a narrow slice).
#[no_mangle]
pub extern "C" fn set_small(value: u32) {
    SMALL.slice().write_u32(value)
}

/// Slice 5 as a 24-bit unsigned integer (`storage_read_i32` on a narrow slice).
#[no_mangle]
pub extern "C" fn get_small() -> u32 {
    SMALL.slice().read_u32()
}

/// Stores the low 3 bytes of `value` in slice 5 (`storage_write_i64` on a narrow slice).
#[no_mangle]
pub extern "C" fn set_small_wide(value: u64) {
    SMALL.slice().write_u64(value)
}

/// Slice 5 through `storage_read_i64`.
#[no_mangle]
pub extern "C" fn get_small_wide() -> u64 {
    SMALL.slice().read_u64()
}

/// Sets `len` bytes (at most 32) of slice 6, from `offset`, to the low byte of `byte` (`storage_write_from_mem`).
#[no_mangle]
pub extern "C" fn name_fill(offset: u32, len: u32, byte: u32) {
    ensure!(len <= 32);
    NAME.write_at(offset, &[byte as u8; 32][..len as usize])
}

/// `len` bytes (at most 8) of slice 6, from `offset`, as a little-endian integer (`storage_read_to_mem`).
#[no_mangle]
pub extern "C" fn name_read(offset: u32, len: u32) -> u64 {
    ensure!(len <= 8);
    let mut word = [0; 8];
    NAME.read_at(offset, &mut word[..len as usize]);
    u64::from_le_bytes(word)
}

/// `len` bytes of slice 6, from `offset`, through a 64-bit register, zero-filled (`storage_read_to_reg`; a
/// `len` over 8 is the VM's `host:register-width`).
#[no_mangle]
pub extern "C" fn name_read_reg(offset: u32, len: u32) -> u64 {
    NAME.read_to_reg(offset, len, WORD);
    WORD.get_u64()
}

/// Stores the low `len` bytes of `value` in slice 6 at `offset`, through a 64-bit register
/// (`reg_set_i64`, then `storage_write_from_reg`).
#[no_mangle]
pub extern "C" fn name_write_reg(offset: u32, len: u32, value: u64) {
    WORD.set_u64(value);
    NAME.write_from_reg(offset, len, WORD)
}

/// Writes calldata into slice 6: a u32 LE offset, then the bytes to write there (at most 32); returns how many
/// bytes it wrote.
#[no_mangle]
pub extern "C" fn name_from_calldata() -> u32 {
    let mut input = Calldata::new();
    let offset = input.u32();
    let len = input.remaining();
    ensure!(len <= 32);
    let mut bytes = [0; 32];
    let bytes = &mut bytes[..len as usize];
    input.read_into(bytes);
    input.finish();
    NAME.write_at(offset, bytes);
    len
}

/// The 32 bytes of slice 6 as returndata; returns 32.
#[no_mangle]
pub extern "C" fn name() -> u32 {
    set_returndata(&NAME.get());
    32
}

/// Stores the sender in slice 7, register to storage (`host_sender_to_reg`, `storage_write_from_reg`).
#[no_mangle]
pub extern "C" fn claim() {
    context::sender_to_reg(SENDER);
    OWNER.store_from_reg(SENDER)
}

/// 1 if slice 7 holds the sender, else 0, compared in registers (`storage_read_to_reg`, `reg_cmp`).
#[no_mangle]
pub extern "C" fn is_owner() -> u32 {
    context::sender_to_reg(SENDER);
    OWNER.matches_reg(SENDER, STORED) as u32
}

/// The 20 bytes of slice 7 as returndata, through memory; returns 20.
#[no_mangle]
pub extern "C" fn owner() -> u32 {
    set_returndata(&OWNER.get().0);
    20
}

/// The length of slice `slice` as the VM knows it (`storage_slice_len`; an unknown slice is
/// `host:unknown-slice`).
#[no_mangle]
pub extern "C" fn slice_len(slice: u32) -> u32 {
    Slice::new(slice).len()
}

/// Sets `len` bytes (at most 4096) of the whole-page slice 8, from `offset`, to the low byte of `byte`.
#[no_mangle]
pub extern "C" fn big_fill(offset: u32, len: u32, byte: u32) {
    ensure!(len <= 4096);
    BIG.write_at(offset, &[byte as u8; 4096][..len as usize])
}

/// The sum of `len` bytes (at most 4096) of slice 8, from `offset`.
#[no_mangle]
pub extern "C" fn big_sum(offset: u32, len: u32) -> u64 {
    ensure!(len <= 4096);
    let mut bytes = [0; 4096];
    let bytes = &mut bytes[..len as usize];
    BIG.read_at(offset, bytes);
    bytes.iter().map(|&b| b as u64).sum()
}

/// Copies slice 2 to slice 9 (page 2) through two registers (`storage_read_to_reg`, `reg_copy`,
/// `storage_write_from_reg`); returns the copied value.
#[no_mangle]
pub extern "C" fn copy_to_tail() -> u64 {
    C.slice().read_to_reg(0, 8, WORD);
    WORD.copy_to(COPY);
    TAIL.slice().write_from_reg(0, 8, COPY);
    TAIL.get()
}

/// Slice 9.
#[no_mangle]
pub extern "C" fn get_tail() -> u64 {
    TAIL.get()
}

/// Returns the calldata (at most 1024 bytes; more aborts) as returndata; returns its length.
#[no_mangle]
pub extern "C" fn echo() -> u32 {
    let len = calldata::len();
    ensure!(len as usize <= ECHO_MAX);
    let mut buffer = [0; ECHO_MAX];
    let bytes = &mut buffer[..len as usize];
    calldata::copy(0, bytes);
    set_returndata(bytes);
    len
}
