//! The per-operator gas cost table, as plain data over operator names. Changing a cost is a
//! consensus change: bump [`GAS_SCHEDULE_VERSION`] and the pinned fingerprint in [`super::schedule`].

use crate::validation::operators::operator_name;
use wasmparser::Operator;

/// The version of the whole gas schedule (operators, vmcalls, storage, intrinsics).
pub const GAS_SCHEDULE_VERSION: u32 = 6;

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
/// | `MemoryCopy`, `MemoryFill`, `MemoryInit` | 10, and [`BULK_MEMORY_PER_BYTE`] per byte of their run-time length, charged before they run |
/// | float loads and stores | 3 |
/// | `F32Div`, `F64Div`, `F32Sqrt`, `F64Sqrt` | 10 |
/// | every other float operator (arithmetic, comparisons, conversions; NaN-canonicalized) | 2 |
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
        "MemoryCopy" | "MemoryFill" | "MemoryInit" => 10,
        _ if is_load_or_store(name) => 3,
        "F32Div" | "F64Div" | "F32Sqrt" | "F64Sqrt" => 10,
        _ if name.contains("F32") || name.contains("F64") => 2,
        _ => 1,
    }
}

/// Gas per byte a bulk memory operator (`memory.copy`, `memory.fill`, `memory.init`) moves, from its
/// run-time length, charged before it runs: a huge fill runs out of gas instead of running.
pub const BULK_MEMORY_PER_BYTE: u64 = 1;

/// Whether `name` is a load or store of linear memory.
fn is_load_or_store(name: &str) -> bool {
    let typed = ["I32", "I64", "F32", "F64"].iter().any(|t| name.starts_with(t));
    typed && (name[3..].starts_with("Load") || name[3..].starts_with("Store"))
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
        assert_eq!(cost_of("F64Load"), 3);
        assert_eq!(cost_of("F32Sqrt"), 10);
        assert_eq!(cost_of("I32TruncSatF64U"), 2);
        assert_eq!(cost_of("MemoryFill"), 10);
    }
}
