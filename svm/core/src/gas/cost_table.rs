//! The per-operator gas cost table, as plain data over operator names. Changing a cost is a
//! consensus change: bump [`GAS_SCHEDULE_VERSION`] and the pinned fingerprint in [`super::schedule`].

use crate::validation::operators::operator_name;
use wasmparser::Operator;

/// The version of the whole gas schedule (operators, vmcalls, storage, intrinsics).
pub const GAS_SCHEDULE_VERSION: u32 = 2;

/// The gas one execution of the operator named `name` (as wasmparser spells it) costs.
///
/// | operators | cost |
/// |---|---|
/// | `End` | 0 |
/// | `Call` | 5 |
/// | `CallIndirect` | 10 |
/// | `BrTable` | 3 |
/// | loads and stores (`I32Load` … `I64Store32`) | 3 |
/// | `I32Mul`, `I64Mul` | 3 |
/// | `div` and `rem`, signed and unsigned | 10 |
/// | `MemoryGrow` | 1000 |
/// | every other admitted operator (constants, locals, globals, arithmetic, comparisons, control) | 1 |
pub fn cost_of(name: &str) -> u64 {
    match name {
        "End" => 0,
        "Call" => 5,
        "CallIndirect" => 10,
        "BrTable" => 3,
        "I32Mul" | "I64Mul" => 3,
        "I32DivS" | "I32DivU" | "I32RemS" | "I32RemU" | "I64DivS" | "I64DivU" | "I64RemS" | "I64RemU" => 10,
        "MemoryGrow" => 1000,
        _ if is_load_or_store(name) => 3,
        _ => 1,
    }
}

/// Whether `name` is an integer load or store of linear memory.
fn is_load_or_store(name: &str) -> bool {
    (name.starts_with("I32") || name.starts_with("I64"))
        && (name[3..].starts_with("Load") || name[3..].starts_with("Store"))
}

/// The gas one execution of `op` costs (see [`cost_of`]).
pub fn operator_cost(op: &Operator<'_>) -> u64 {
    cost_of(operator_name(op))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_cover_what_the_table_says() {
        assert_eq!(cost_of("I64Store32"), 3);
        assert_eq!(cost_of("I32Load8U"), 3);
        assert_eq!(cost_of("I32Add"), 1);
        assert_eq!(cost_of("I64RemU"), 10);
        assert_eq!(cost_of("LocalGet"), 1);
        assert_eq!(operator_cost(&Operator::MemoryGrow { mem: 0 }), 1000);
    }
}
