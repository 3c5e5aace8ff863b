//! The model of `counter` (and of the C counters built from the same specification): one u64 in
//! slice 0; `inc` and `add(delta)` add (wrapping) and return the new count, `get` returns it.

use super::{Balances, CallEffects, ContractModel, ModelCall, le_integer};
use svm::{Value, ValueType};

/// `counter`.
pub struct Counter;

impl ContractModel for Counter {
    fn params(&self, function: &str) -> Option<Vec<ValueType>> {
        match function {
            "inc" | "get" => Some(vec![]),
            "add" => Some(vec![ValueType::I64]),
            _ => None,
        }
    }

    fn call(&self, slices: &[Vec<u8>], call: &ModelCall<'_>, _: &dyn Balances) -> CallEffects {
        let count = le_integer(&slices[0]);
        let delta = match (call.function, call.args) {
            ("inc", _) => 1,
            ("add", [Value::I64(delta)]) => *delta as u64,
            _ => {
                return CallEffects {
                    slices: [(0, slices[0].clone())].into(),
                    ..CallEffects::success(vec![Value::I64(count as i64)])
                };
            }
        };
        let new = count.wrapping_add(delta);
        CallEffects {
            slices: [(0, new.to_le_bytes().to_vec())].into(),
            ..CallEffects::success(vec![Value::I64(new as i64)])
        }
    }
}
