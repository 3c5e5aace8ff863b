//! Contract-to-contract calls: the constants of `contract_call`, the 9-byte value slots arguments and results
//! travel in, the status a caller gets back, and the call record a receipt lists (`docs/consensus.md`, Calls).

use crate::codec::{CodecError, Reader, Writer, bounds};
use crate::outcome::Outcome;
use crate::{Address, Value, ValueType};

/// Frames on the call stack at most, the transaction's own included (also [`crate::Limits::max_call_depth`]).
pub const MAX_CALL_DEPTH: u32 = 16;
/// Calls one transaction may make at most, in all its frames (the next is the caller's `too-many-calls`).
pub const MAX_CALLS: u32 = 256;
/// Bytes of one argument or result slot: `u8 type ‖ u64le bits`.
pub const VALUE_SLOT_BYTES: usize = 9;
/// The caller keeps at least `1 / FORWARD_RESERVE_DIVISOR` of its gas across a call.
pub const FORWARD_RESERVE_DIVISOR: u64 = 64;

/// The gas a call forwards: `gas` (0 = as much as allowed) capped at `avail − ⌊avail / 64⌋`.
pub fn forwarded_gas(avail: u64, gas: u64) -> u64 {
    let cap = avail - avail / FORWARD_RESERVE_DIVISOR;
    if gas == 0 { cap } else { gas.min(cap) }
}

/// The bytes `contract_call` is priced on: `func_len + 9 × args_count + data_len` (saturating).
pub fn priced_bytes(func_len: u32, args_count: u32, data_len: u32) -> u64 {
    u64::from(func_len)
        .saturating_add((VALUE_SLOT_BYTES as u64).saturating_mul(args_count.into()))
        .saturating_add(data_len.into())
}

/// The status `contract_call` returns for a callee's `outcome`: `class × 256 + detail` (0 = success).
pub fn status(outcome: Outcome) -> i32 {
    let (class, detail) = outcome.codes();
    i32::from(class) << 8 | i32::from(detail)
}

/// A value type's code in a slot: 0 i32, 1 i64, 2 f32, 3 f64.
pub fn slot_type(ty: ValueType) -> u8 {
    match ty {
        ValueType::I32 => 0,
        ValueType::I64 => 1,
        ValueType::F32 => 2,
        ValueType::F64 => 3,
    }
}

/// A value in its 9-byte slot (i32 and f32 zero-extended).
pub fn value_slot(value: Value) -> [u8; VALUE_SLOT_BYTES] {
    let bits = match value {
        Value::I32(v) => u64::from(v as u32),
        Value::I64(v) => v as u64,
        Value::F32(bits) => bits.into(),
        Value::F64(bits) => bits,
    };
    let mut slot = [0; VALUE_SLOT_BYTES];
    slot[0] = slot_type(value.ty());
    slot[1..].copy_from_slice(&bits.to_le_bytes());
    slot
}

/// The value in a 9-byte slot; `None` for an unknown type code or an i32/f32 with upper bytes set.
pub fn slot_value(slot: &[u8]) -> Option<Value> {
    let (&code, bits) = slot.split_first()?;
    let bits = u64::from_le_bytes(bits.try_into().ok()?);
    let low = u32::try_from(bits).ok();
    Some(match code {
        0 => Value::I32(low? as i32),
        1 => Value::I64(bits as i64),
        2 => Value::F32(low?),
        3 => Value::F64(bits),
        _ => return None,
    })
}

/// The call result a caller reads with `call_result` after a successful call:
/// `u8 n ‖ n × slot ‖ returndata`.
pub fn call_result(returns: &[Value], returndata: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(1 + VALUE_SLOT_BYTES * returns.len() + returndata.len());
    bytes.push(returns.len() as u8);
    for value in returns {
        bytes.extend_from_slice(&value_slot(*value));
    }
    bytes.extend_from_slice(returndata);
    bytes
}

/// One call a transaction made, as its receipt lists it (consensus data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The callee frame's depth (2 for a call made by the transaction's own frame).
    pub depth: u8,
    /// The calling contract.
    pub caller: Address,
    /// The called contract.
    pub callee: Address,
    /// The function called.
    pub function: String,
    /// The callee's outcome.
    pub outcome: Outcome,
    /// Gas the callee used.
    pub gas_used: u64,
    /// The value the call moved (kept only when the callee succeeded).
    pub value: u64,
}

impl CallRecord {
    /// The canonical encoding: `u8 depth ‖ caller ‖ callee ‖ str function ‖ u8 class ‖ u8 detail ‖ u64le gas_used
    /// ‖ u64le value`.
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.depth);
        w.address(&self.caller);
        w.address(&self.callee);
        w.str(&self.function);
        let (class, detail) = self.outcome.codes();
        w.u8(class);
        w.u8(detail);
        w.u64(self.gas_used);
        w.u64(self.value);
    }

    /// Reads one call record.
    pub fn decode(r: &mut Reader<'_>) -> Result<CallRecord, CodecError> {
        let depth = r.u8("call depth")?;
        let caller = r.address("caller")?;
        let callee = r.address("callee")?;
        let function = r.str(bounds::MAX_FUNCTION_NAME_BYTES, "called function")?;
        let (class, detail) = (r.u8("call outcome class")?, r.u8("call outcome detail")?);
        let outcome =
            Outcome::from_codes(class, detail).ok_or(CodecError::UnknownTag { what: "call outcome", tag: class })?;
        let gas_used = r.u64("call gas used")?;
        let value = r.u64("call value")?;
        Ok(CallRecord { depth, caller, callee, function, outcome, gas_used, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_and_refuse_dirty_upper_bytes_and_unknown_types() {
        for value in [Value::I32(-1), Value::I64(i64::MIN), Value::F32(0x7fc0_0001), Value::F64(u64::MAX)] {
            assert_eq!(slot_value(&value_slot(value)), Some(value));
        }
        let mut slot = value_slot(Value::I32(7));
        slot[5] = 1;
        assert_eq!(slot_value(&slot), None);
        slot = value_slot(Value::I64(7));
        assert_eq!(slot[0], 1, "slot type codes are 0 i32, 1 i64, 2 f32, 3 f64");
        slot[0] = 4;
        assert_eq!(slot_value(&slot), None);
    }

    #[test]
    fn forwarding_keeps_a_sixty_fourth_and_honours_a_smaller_request() {
        assert_eq!(forwarded_gas(6_400, 0), 6_300);
        assert_eq!(forwarded_gas(6_400, 100), 100);
        assert_eq!(forwarded_gas(6_400, 10_000), 6_300);
        assert_eq!(forwarded_gas(63, 0), 63);
        assert_eq!(status(Outcome::Success), 0);
        assert_eq!(status(Outcome::OutOfGas), 2 << 8);
    }

    #[test]
    fn a_record_round_trips() {
        let record = CallRecord {
            depth: 3,
            caller: Address([1; 20]),
            callee: Address([2; 20]),
            function: "inc".into(),
            outcome: Outcome::Refused(crate::outcome::Refusal::Reentry),
            gas_used: 0,
            value: 9,
        };
        let mut w = Writer::new();
        record.encode(&mut w);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes);
        assert_eq!(CallRecord::decode(&mut r).unwrap(), record);
        r.finish().unwrap();
    }
}
