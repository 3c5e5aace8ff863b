//! The per-operator gas cost table. Changing a cost is a consensus change: bump
//! [`GAS_SCHEDULE_VERSION`] and the pinned fingerprint in the test below.

use crate::Hash;
use wasmparser::Operator;

/// The version of the cost table and vmcall prices; part of every module-cache key.
pub const GAS_SCHEDULE_VERSION: u32 = 1;

/// The gas one execution of `op` costs. Only operators the deploy allow-list accepts ever reach the
/// meter; anything else costs the default of 1.
///
/// | operators | cost |
/// |---|---|
/// | `call` | 5 |
/// | `call_indirect` | 10 |
/// | `br_table` | 3 |
/// | loads and stores | 3 |
/// | `i32.mul`, `i64.mul` | 3 |
/// | `div` and `rem`, signed and unsigned | 10 |
/// | `memory.grow` | 1000 |
/// | `end` | 0 |
/// | everything else (constants, locals, globals, arithmetic, comparisons, control) | 1 |
pub fn operator_cost(op: &Operator<'_>) -> u64 {
    use Operator::*;
    match op {
        End => 0,
        Call { .. } => 5,
        CallIndirect { .. } => 10,
        BrTable { .. } => 3,
        I32Load { .. }
        | I64Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. }
        | I32Store { .. }
        | I64Store { .. }
        | I32Store8 { .. }
        | I32Store16 { .. }
        | I64Store8 { .. }
        | I64Store16 { .. }
        | I64Store32 { .. } => 3,
        I32Mul | I64Mul => 3,
        I32DivS | I32DivU | I32RemS | I32RemU | I64DivS | I64DivU | I64RemS | I64RemU => 10,
        MemoryGrow { .. } => 1000,
        _ => 1,
    }
}

/// A digest of the cost table (over one operator of every cost class), the vmcall prices and the
/// intrinsic costs; computed once.
pub fn schedule_fingerprint() -> Hash {
    static FINGERPRINT: std::sync::LazyLock<Hash> = std::sync::LazyLock::new(compute_fingerprint);
    *FINGERPRINT
}

fn compute_fingerprint() -> Hash {
    use wasmparser::{BlockType, MemArg};
    let memarg = MemArg { align: 0, max_align: 0, offset: 0, memory: 0 };
    let samples = [
        End,
        Call { function_index: 0 },
        CallIndirect { type_index: 0, table_index: 0 },
        I32Load { memarg },
        I64Store32 { memarg },
        I64Mul,
        I32RemU,
        I64DivS,
        MemoryGrow { mem: 0 },
        MemorySize { mem: 0 },
        I32Add,
        I64Const { value: 0 },
        LocalGet { local_index: 0 },
        GlobalSet { global_index: 0 },
        Block { blockty: BlockType::Empty },
        Loop { blockty: BlockType::Empty },
        Br { relative_depth: 0 },
        BrIf { relative_depth: 0 },
        Unreachable,
        Select,
        I64Extend32S,
    ];
    use Operator::*;
    let mut hasher = blake3::Hasher::new();
    hasher.update(&GAS_SCHEDULE_VERSION.to_le_bytes());
    for op in &samples {
        hasher.update(&operator_cost(op).to_le_bytes());
    }
    for spec in crate::vmcalls::registry::VMCALLS {
        hasher.update(spec.name.as_bytes());
        hasher.update(&spec.price.base.to_le_bytes());
        hasher.update(&spec.price.per_byte.to_le_bytes());
    }
    for (name, cost) in super::intrinsic::INTRINSIC_COSTS {
        hasher.update(name.as_bytes());
        hasher.update(&cost.to_le_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_pinned() {
        // A changed cost, price or intrinsic lands here: it is a consensus change. Bump
        // GAS_SCHEDULE_VERSION and update the pin deliberately.
        assert_eq!(GAS_SCHEDULE_VERSION, 1);
        assert_eq!(
            schedule_fingerprint().to_string(),
            "bc9a14e5466cc1d2fe46c43a8b6e141de757bb50ac58c3a844d2985caadbf98e"
        );
    }
}
