//! The model of `registers`: host context, balances and registers (see its source for each export).

use super::{Balances, CallEffects, ContractModel, ModelCall};
use svm::outcome::Outcome;
use svm::vmcalls::HostError;
use svm::{Limits, Value, ValueType};

/// `registers`.
pub struct Registers;

impl ContractModel for Registers {
    fn params(&self, function: &str) -> Option<Vec<ValueType>> {
        match function {
            "my_balance" | "sender_balance" | "remember_sender" | "layer_plus_value" | "echo" => Some(vec![]),
            "roundtrip" => Some(vec![ValueType::I64]),
            _ => None,
        }
    }

    fn call(&self, slices: &[Vec<u8>], call: &ModelCall<'_>, balances: &dyn Balances) -> CallEffects {
        let i64_of = |v: u64| vec![Value::I64(v as i64)];
        match (call.function, call.args) {
            ("my_balance", _) => CallEffects::success(i64_of(balances.balance(&call.contract))),
            ("sender_balance", _) => CallEffects::success(i64_of(balances.balance(&call.sender))),
            ("remember_sender", _) => {
                let same = slices[0] == call.sender.as_bytes();
                CallEffects {
                    slices: [(0, call.sender.as_bytes().to_vec())].into(),
                    ..CallEffects::success(vec![Value::I32(same.into())])
                }
            }
            ("layer_plus_value", _) => CallEffects::success(i64_of(call.layer.wrapping_add(call.value))),
            ("roundtrip", [Value::I64(x)]) => {
                let mut stored = vec![0u8; 32];
                stored[..8].copy_from_slice(&x.to_le_bytes());
                CallEffects { slices: [(1, stored)].into(), ..CallEffects::success(vec![Value::I64(*x)]) }
            }
            _ => {
                // echo: calldata to memory (it fits: both limits are one memory page), to returndata,
                // and to the log, whose entries are smaller.
                if call.calldata.len() > Limits::default().max_log_bytes as usize {
                    return CallEffects::failed(Outcome::Host(HostError::LogTooLarge));
                }
                CallEffects {
                    returndata: call.calldata.to_vec(),
                    logs: vec![call.calldata.to_vec()],
                    ..CallEffects::success(vec![])
                }
            }
        }
    }
}
