//! The model of `token`: eight holders' balances in slices 0–7 and the supply in slice 8. `mint` and
//! `transfer` trap (`unreachable`) on a holder past 7; a transfer of more than the balance returns 0
//! and changes nothing; a transfer logs (from, to, amount) as 16 bytes.

use super::{Balances, CallEffects, ContractModel, ModelCall, le_integer};
use std::collections::BTreeMap;
use svm::outcome::{Outcome, TrapKind};
use svm::{Value, ValueType};

/// `token`.
pub struct Token;

const SUPPLY: u32 = 8;

impl ContractModel for Token {
    fn params(&self, function: &str) -> Option<Vec<ValueType>> {
        use ValueType::{I32, I64};
        Some(match function {
            "mint" => vec![I32, I64],
            "transfer" => vec![I32, I32, I64],
            "balance" => vec![I32],
            "supply" => vec![],
            _ => return None,
        })
    }

    fn call(&self, slices: &[Vec<u8>], call: &ModelCall<'_>, _: &dyn Balances) -> CallEffects {
        let read = |slice: u32| le_integer(&slices[slice as usize]);
        let mut after: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
        let mut write = |slice: u32, value: u64| {
            after.insert(slice, value.to_le_bytes().to_vec());
        };
        let unreachable = CallEffects::failed(Outcome::Trap(TrapKind::Unreachable));
        let holder = |h: i32| (h as u32) < 8;
        match (call.function, call.args) {
            ("mint", [Value::I32(h), Value::I64(amount)]) => {
                if !holder(*h) {
                    return unreachable;
                }
                write(*h as u32, read(*h as u32).wrapping_add(*amount as u64));
                write(SUPPLY, read(SUPPLY).wrapping_add(*amount as u64));
                CallEffects { slices: after, ..CallEffects::success(vec![]) }
            }
            ("transfer", [Value::I32(from), Value::I32(to), Value::I64(amount)]) => {
                if !holder(*from) || !holder(*to) {
                    return unreachable;
                }
                let (from, to, amount) = (*from as u32, *to as u32, *amount as u64);
                let balance = read(from);
                if balance < amount {
                    return CallEffects {
                        slices: [(from, slices[from as usize].clone())].into(),
                        ..CallEffects::success(vec![Value::I32(0)])
                    };
                }
                write(from, balance - amount);
                // Read after the first write: a transfer to oneself adds back what it took.
                let to_before = if to == from { balance - amount } else { read(to) };
                write(to, to_before.wrapping_add(amount));
                let mut entry = Vec::with_capacity(16);
                entry.extend_from_slice(&from.to_le_bytes());
                entry.extend_from_slice(&to.to_le_bytes());
                entry.extend_from_slice(&amount.to_le_bytes());
                CallEffects { slices: after, logs: vec![entry], ..CallEffects::success(vec![Value::I32(1)]) }
            }
            ("balance", [Value::I32(h)]) => {
                // Any index names a slice; past 8 there is none.
                match slices.get(*h as u32 as usize) {
                    Some(bytes) => CallEffects::success(vec![Value::I64(le_integer(bytes) as i64)]),
                    None => CallEffects::failed(Outcome::Host(svm::vmcalls::HostError::UnknownSlice)),
                }
            }
            _ => CallEffects::success(vec![Value::I64(read(SUPPLY) as i64)]),
        }
    }
}
