//! The models of the hostile contracts the allow-list admits: each call ends one way whatever the
//! state (as each contract's header comment says).

use super::{Balances, CallEffects, ContractModel, ModelCall};
use svm::outcome::Outcome;
use svm::vmcalls::HostError;
use svm::{Limits, Value, ValueType};

/// One of the hostile corpus contracts.
pub struct Hostile {
    name: String,
}

impl Hostile {
    /// The model of hostile contract `name`.
    pub fn new(name: &str) -> Hostile {
        Hostile { name: name.to_string() }
    }
}

impl ContractModel for Hostile {
    fn params(&self, function: &str) -> Option<Vec<ValueType>> {
        match (self.name.as_str(), function) {
            ("hostile/recursion_bomb", "down") => Some(vec![ValueType::I64]),
            ("hostile/infinite_loop", "spin")
            | ("hostile/memory_grow_bomb", "grow" | "grow_huge")
            | ("hostile/oob_pointer", "smash") => Some(vec![]),
            _ => None,
        }
    }

    fn call(&self, _: &[Vec<u8>], call: &ModelCall<'_>, _: &dyn Balances) -> CallEffects {
        match call.function {
            "down" => CallEffects::failed(Outcome::StackExhausted),
            "spin" => CallEffects::failed(Outcome::OutOfGas),
            // One page to start, grown one at a time to the cap.
            "grow" => CallEffects::success(vec![Value::I32(Limits::default().max_memory_pages as i32 - 1)]),
            "grow_huge" => CallEffects::success(vec![Value::I32(-1)]),
            _ => CallEffects::failed(Outcome::Host(HostError::MemoryOutOfBounds)),
        }
    }
}
