//! Which operators the allow-list accepts, by the proposal wasmparser files each one under.

use super::Rule;
use crate::limits::FloatRule;
use wasmparser::{BlockType, Operator, for_each_operator};

macro_rules! define_operator_tables {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal an operator belongs to and the operator's name, as wasmparser lists them.
        pub fn proposal_of(op: &Operator<'_>) -> (&'static str, &'static str) {
            match op {
                $( Operator::$op { .. } => (stringify!($proposal), stringify!($op)), )*
                #[allow(unreachable_patterns)]
                _ => ("unknown", "unknown"),
            }
        }

        /// Every operator wasmparser knows, as (proposal, name), in wasmparser's order.
        pub const OPERATORS: &[(&str, &str)] = &[$( (stringify!($proposal), stringify!($op)) ),*];
    };
}

for_each_operator!(define_operator_tables);

/// The name of an operator as wasmparser spells its variant (`I32Add`, `MemoryCopy` …).
pub fn operator_name(op: &Operator<'_>) -> &'static str {
    proposal_of(op).1
}

/// The operators of the bulk-memory proposal that are admitted: the memory half.
const ADMITTED_BULK: [&str; 4] = ["MemoryCopy", "MemoryFill", "MemoryInit", "DataDrop"];

/// `None` if an operator of this proposal and name is on the allow-list under the float rule `floats`
/// (its immediates aside), else the rule it breaks.
pub fn operator_rule(proposal: &str, name: &str, floats: FloatRule) -> Option<Rule> {
    let float = match floats {
        FloatRule::Refused => Some(Rule::Float),
        FloatRule::Canonicalized => None,
    };
    match proposal {
        "simd" | "relaxed_simd" => Some(Rule::Simd),
        "saturating_float_to_int" => float,
        _ if name.contains("F32") || name.contains("F64") => float,
        "mvp" | "sign_extension" => None,
        "bulk_memory" if ADMITTED_BULK.contains(&name) => None,
        "bulk_memory" => Some(Rule::BulkMemory),
        "threads" | "shared_everything_threads" => Some(Rule::Threads),
        "reference_types" | "function_references" | "gc" => Some(Rule::ReferenceTypes),
        "tail_call" => Some(Rule::TailCall),
        "exceptions" | "legacy_exceptions" => Some(Rule::Exceptions),
        _ => Some(Rule::OtherProposal),
    }
}

/// The names of every operator the allow-list admits under `floats`, in wasmparser's order: the
/// operators gas must price.
pub fn admitted_operators(floats: FloatRule) -> impl Iterator<Item = &'static str> {
    OPERATORS
        .iter()
        .filter(move |(proposal, name)| operator_rule(proposal, name, floats).is_none())
        .map(|(_, name)| *name)
}

/// `Ok` if the operator is on the allow-list under `floats`, else the rule it breaks and its name.
pub fn check_operator(op: &Operator<'_>, floats: FloatRule) -> Result<(), (Rule, &'static str)> {
    let (proposal, name) = proposal_of(op);
    if let Some(rule) = operator_rule(proposal, name, floats) {
        return Err((rule, name));
    }
    // Allowed operators can still reach beyond what is admitted through their immediates.
    let beyond = match op {
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => match blockty {
            BlockType::Type(ty) => super::validate::value_type_rule(*ty, floats),
            BlockType::FuncType(_) | BlockType::Empty => None,
        },
        Operator::CallIndirect { table_index, .. } if *table_index != 0 => Some(Rule::ReferenceTypes),
        Operator::MemorySize { mem } | Operator::MemoryGrow { mem } | Operator::MemoryFill { mem } if *mem != 0 => {
            Some(Rule::MultiMemory)
        }
        Operator::MemoryInit { mem, .. } if *mem != 0 => Some(Rule::MultiMemory),
        Operator::MemoryCopy { dst_mem, src_mem } if *dst_mem != 0 || *src_mem != 0 => Some(Rule::MultiMemory),
        _ => memarg_memory(op).filter(|&memory| memory != 0).map(|_| Rule::MultiMemory),
    };
    beyond.map_or(Ok(()), |rule| Err((rule, name)))
}

/// The memory index a load or store addresses.
fn memarg_memory(op: &Operator<'_>) -> Option<u32> {
    use Operator::*;
    match op {
        I32Load { memarg }
        | I64Load { memarg }
        | I32Load8S { memarg }
        | I32Load8U { memarg }
        | I32Load16S { memarg }
        | I32Load16U { memarg }
        | I64Load8S { memarg }
        | I64Load8U { memarg }
        | I64Load16S { memarg }
        | I64Load16U { memarg }
        | I64Load32S { memarg }
        | I64Load32U { memarg }
        | I32Store { memarg }
        | I64Store { memarg }
        | I32Store8 { memarg }
        | I32Store16 { memarg }
        | I64Store8 { memarg }
        | I64Store16 { memarg }
        | I64Store32 { memarg }
        | F32Load { memarg }
        | F64Load { memarg }
        | F32Store { memarg }
        | F64Store { memarg } => Some(memarg.memory),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmparser::{Ieee32, MemArg};

    #[test]
    fn admitted_operators_pass_and_others_name_their_rule() {
        use FloatRule::{Canonicalized, Refused};
        let memarg = MemArg { align: 2, max_align: 2, offset: 0, memory: 0 };
        let f32_const = Operator::F32Const { value: Ieee32::from(0.0f32) };
        for floats in [Refused, Canonicalized] {
            assert_eq!(check_operator(&Operator::I32Add, floats), Ok(()));
            assert_eq!(check_operator(&Operator::I64Extend32S, floats), Ok(()));
            assert_eq!(check_operator(&Operator::I32Load { memarg }, floats), Ok(()));
            assert_eq!(check_operator(&Operator::MemoryFill { mem: 0 }, floats), Ok(()));
            assert_eq!(check_operator(&Operator::MemoryCopy { dst_mem: 0, src_mem: 0 }, floats), Ok(()));
            assert_eq!(check_operator(&Operator::DataDrop { data_index: 0 }, floats), Ok(()));
            assert_eq!(check_operator(&Operator::Block { blockty: BlockType::FuncType(0) }, floats), Ok(()));
            assert_eq!(
                check_operator(&Operator::TableCopy { dst_table: 0, src_table: 0 }, floats),
                Err((Rule::BulkMemory, "TableCopy"))
            );
            assert_eq!(check_operator(&Operator::RefIsNull, floats), Err((Rule::ReferenceTypes, "RefIsNull")));
            assert_eq!(
                check_operator(&Operator::ReturnCall { function_index: 0 }, floats),
                Err((Rule::TailCall, "ReturnCall"))
            );
            assert_eq!(check_operator(&Operator::AtomicFence, floats), Err((Rule::Threads, "AtomicFence")));
            assert_eq!(check_operator(&Operator::I64Add128, floats), Err((Rule::OtherProposal, "I64Add128")));
            let other_memory = MemArg { memory: 1, ..memarg };
            assert_eq!(
                check_operator(&Operator::I32Load { memarg: other_memory }, floats),
                Err((Rule::MultiMemory, "I32Load"))
            );
            assert_eq!(
                check_operator(&Operator::MemoryCopy { dst_mem: 1, src_mem: 0 }, floats),
                Err((Rule::MultiMemory, "MemoryCopy"))
            );
        }
        assert_eq!(check_operator(&f32_const, Refused), Err((Rule::Float, "F32Const")));
        assert_eq!(check_operator(&Operator::I32TruncF32S, Refused), Err((Rule::Float, "I32TruncF32S")));
        assert_eq!(check_operator(&Operator::I32TruncSatF64U, Refused), Err((Rule::Float, "I32TruncSatF64U")));
        assert_eq!(check_operator(&f32_const, Canonicalized), Ok(()));
        assert_eq!(check_operator(&Operator::I32TruncSatF64U, Canonicalized), Ok(()));
        assert_eq!(check_operator(&Operator::F64Sqrt, Canonicalized), Ok(()));
    }
}
