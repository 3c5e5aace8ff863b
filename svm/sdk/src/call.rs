//! Calls to other contracts: [`call`] runs an exported function of another contract in a frame of its own and
//! tells how it ended. A callee that fails leaves nothing behind and the caller goes on; the status says why
//! (`class × 256 + detail` of the outcome codes in `docs/consensus.md`). No contract can be re-entered: a call
//! to a contract already running in the transaction is refused with [`REENTRY`].

use crate::address::Address;
use crate::vmcalls;

/// An argument, as the callee's export declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An `i32` (also `u32`).
    I32(i32),
    /// An `i64` (also `u64`).
    I64(i64),
}

/// Bytes of one argument or return slot.
pub const SLOT: usize = 9;
/// The most arguments [`call`] passes.
pub const MAX_ARGS: usize = 8;
/// Status: the callee ran out of the gas it was given.
pub const OUT_OF_GAS: i32 = 2 << 8;
/// Status: the callee is already running in this transaction.
pub const REENTRY: i32 = 6 << 8 | 5;
/// Status: no contract at the callee address.
pub const NO_SUCH_CONTRACT: i32 = 6 << 8 | 3;
/// Status: the call is past the depth limit.
pub const CALL_DEPTH: i32 = 6 << 8 | 4;
/// Status: the callee exports no such function.
pub const NO_SUCH_FUNCTION: i32 = 6 << 8;

/// Calls `function(args)` on `callee` with `calldata`, moving `value` from this contract's balance and giving it at
/// most `gas` (0: all that may be given). `Ok` holds the callee's first return value (0 when it returns none);
/// `Err` the failure's status. More than [`MAX_ARGS`] arguments are cut.
pub fn call(callee: &Address, function: &str, args: &[Arg], calldata: &[u8], value: u64, gas: u64) -> Result<i64, i32> {
    let mut slots = [0u8; SLOT * MAX_ARGS];
    let count = encode_args(args, &mut slots);
    let status = unsafe {
        vmcalls::contract_call(
            callee.0.as_ptr(),
            function.as_ptr(),
            function.len() as u32,
            slots.as_ptr(),
            count as u32,
            calldata.as_ptr(),
            calldata.len() as u32,
            value as i64,
            gas as i64,
        )
    };
    if status != 0 {
        return Err(status);
    }
    let mut head = [0u8; 1 + SLOT];
    let total = result(0, &mut head);
    if total as usize >= head.len() && head[0] > 0 {
        let mut bits = [0u8; 8];
        bits.copy_from_slice(&head[2..]);
        Ok(i64::from_le_bytes(bits))
    } else {
        Ok(0)
    }
}

/// Writes `args` (at most [`MAX_ARGS`]) into `slots` as `contract_call` reads them — `u8 type` (0 i32, 1 i64) then
/// the value's bits as a little-endian u64, i32 zero-extended — and returns how many it wrote.
pub fn encode_args(args: &[Arg], slots: &mut [u8; SLOT * MAX_ARGS]) -> usize {
    let count = if args.len() < MAX_ARGS { args.len() } else { MAX_ARGS };
    for (i, arg) in args[..count].iter().enumerate() {
        let (ty, bits) = match *arg {
            Arg::I32(v) => (0u8, v as u32 as u64),
            Arg::I64(v) => (1u8, v as u64),
        };
        slots[i * SLOT] = ty;
        slots[i * SLOT + 1..(i + 1) * SLOT].copy_from_slice(&bits.to_le_bytes());
    }
    count
}

/// Copies the last call's result (`u8 n`, `n` return slots, then the callee's returndata) from `offset` into
/// `out`, as far as it goes; returns the result's whole length.
pub fn result(offset: u32, out: &mut [u8]) -> u32 {
    unsafe { vmcalls::call_result(out.as_mut_ptr(), offset, out.len() as u32) as u32 }
}

/// The last successful call's returndata, copied into `out` as far as it goes; returns its whole length.
pub fn returndata(out: &mut [u8]) -> u32 {
    let mut count = [0u8; 1];
    let total = result(0, &mut count);
    if total == 0 {
        return 0;
    }
    let start = 1 + SLOT as u32 * count[0] as u32;
    result(start, out);
    total - start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_nine_byte_slots_with_i32_zero_extended() {
        let mut slots = [0xAAu8; SLOT * MAX_ARGS];
        assert_eq!(encode_args(&[Arg::I32(-1), Arg::I64(-2)], &mut slots), 2);
        assert_eq!(&slots[..9], &[0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
        assert_eq!(&slots[9..18], &[1, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(encode_args(&[Arg::I32(0); 12], &mut slots), MAX_ARGS, "more than MAX_ARGS are cut");
    }

    #[test]
    fn statuses_are_class_times_256_plus_detail() {
        assert_eq!((OUT_OF_GAS, REENTRY, NO_SUCH_CONTRACT, CALL_DEPTH, NO_SUCH_FUNCTION), (512, 1541, 1539, 1540, 1536));
    }
}
