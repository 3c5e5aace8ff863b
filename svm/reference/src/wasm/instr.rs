//! The interpreter's instruction set: a function body flattened into a vector, with every branch
//! resolved to an instruction index, every metered segment's cost attached to a [`Instr::Charge`]
//! placed just before its accounting operator, and operators that do nothing at run time (`nop`,
//! `block`, `reinterpret`) left out.
//!
//! Values on the operand stack are untyped 64-bit words (validation fixed every type): an `i32` or
//! `f32` is its 32 bits zero-extended, an `i64` or `f64` its 64 bits.

/// Where a taken branch goes and what it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Branch {
    /// The instruction to continue at.
    pub pc: u32,
    /// The operand-stack height (above the frame's locals) of the target label.
    pub height: u32,
    /// How many values the branch carries: a block's results, a loop's parameters.
    pub keep: u32,
}

/// How a load reads memory and extends what it read to a stack word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Load {
    /// 1 byte, zero-extended (`i32.load8_u`, `i64.load8_u`).
    U8,
    /// 1 byte, sign-extended to 32 bits (`i32.load8_s`).
    S8To32,
    /// 1 byte, sign-extended to 64 bits (`i64.load8_s`).
    S8To64,
    /// 2 bytes, zero-extended.
    U16,
    /// 2 bytes, sign-extended to 32 bits.
    S16To32,
    /// 2 bytes, sign-extended to 64 bits.
    S16To64,
    /// 4 bytes, zero-extended (`i32.load`, `f32.load`, `i64.load32_u`).
    U32,
    /// 4 bytes, sign-extended to 64 bits (`i64.load32_s`).
    S32To64,
    /// 8 bytes (`i64.load`, `f64.load`).
    U64,
}

/// Operators of one operand that cannot trap or may trap (the float-to-int truncations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Unary {
    I32Eqz,
    I32Clz,
    I32Ctz,
    I32Popcnt,
    I64Eqz,
    I64Clz,
    I64Ctz,
    I64Popcnt,
    I32WrapI64,
    I64ExtendI32S,
    I64ExtendI32U,
    I32Extend8S,
    I32Extend16S,
    I64Extend8S,
    I64Extend16S,
    I64Extend32S,
    F32Abs,
    F32Neg,
    F32Ceil,
    F32Floor,
    F32Trunc,
    F32Nearest,
    F32Sqrt,
    F64Abs,
    F64Neg,
    F64Ceil,
    F64Floor,
    F64Trunc,
    F64Nearest,
    F64Sqrt,
    I32TruncF32S,
    I32TruncF32U,
    I32TruncF64S,
    I32TruncF64U,
    I64TruncF32S,
    I64TruncF32U,
    I64TruncF64S,
    I64TruncF64U,
    I32TruncSatF32S,
    I32TruncSatF32U,
    I32TruncSatF64S,
    I32TruncSatF64U,
    I64TruncSatF32S,
    I64TruncSatF32U,
    I64TruncSatF64S,
    I64TruncSatF64U,
    F32ConvertI32S,
    F32ConvertI32U,
    F32ConvertI64S,
    F32ConvertI64U,
    F32DemoteF64,
    F64ConvertI32S,
    F64ConvertI32U,
    F64ConvertI64S,
    F64ConvertI64U,
    F64PromoteF32,
}

/// Operators of two operands (comparisons included); division and remainder may trap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub(crate) enum Binary {
    I32Eq,
    I32Ne,
    I32LtS,
    I32LtU,
    I32GtS,
    I32GtU,
    I32LeS,
    I32LeU,
    I32GeS,
    I32GeU,
    I64Eq,
    I64Ne,
    I64LtS,
    I64LtU,
    I64GtS,
    I64GtU,
    I64LeS,
    I64LeU,
    I64GeS,
    I64GeU,
    F32Eq,
    F32Ne,
    F32Lt,
    F32Gt,
    F32Le,
    F32Ge,
    F64Eq,
    F64Ne,
    F64Lt,
    F64Gt,
    F64Le,
    F64Ge,
    I32Add,
    I32Sub,
    I32Mul,
    I32DivS,
    I32DivU,
    I32RemS,
    I32RemU,
    I32And,
    I32Or,
    I32Xor,
    I32Shl,
    I32ShrS,
    I32ShrU,
    I32Rotl,
    I32Rotr,
    I64Add,
    I64Sub,
    I64Mul,
    I64DivS,
    I64DivU,
    I64RemS,
    I64RemU,
    I64And,
    I64Or,
    I64Xor,
    I64Shl,
    I64ShrS,
    I64ShrU,
    I64Rotl,
    I64Rotr,
    F32Add,
    F32Sub,
    F32Mul,
    F32Div,
    F32Min,
    F32Max,
    F32Copysign,
    F64Add,
    F64Sub,
    F64Mul,
    F64Div,
    F64Min,
    F64Max,
    F64Copysign,
}

/// One instruction of a compiled body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Instr {
    /// Pay a metered segment's cost (out of gas if the meter holds less). Placed immediately
    /// before the segment's accounting operator; no branch ever lands on it.
    Charge(u64),
    /// `unreachable`: trap.
    Unreachable,
    /// `br`, also `br` to the function's label (which lands on the final [`Instr::Return`]).
    Br(Branch),
    /// `br_if`: pop a condition and branch when it is not zero.
    BrIf(Branch),
    /// `br_table`: pop an index into the function's branch table `[first, first + len)`, whose
    /// last entry is the default.
    BrTable { first: u32, len: u32 },
    /// `if`: pop a condition; when it is zero continue at `else_pc` (after the `else`, or after
    /// the `end` when there is none).
    If { else_pc: u32 },
    /// `else` reached from the then-arm: continue after the `end`.
    Jump(u32),
    /// `return` and the function's final `end`: the results go back to the caller.
    Return,
    /// `call` of a function (defined or imported) by index.
    Call(u32),
    /// `call_indirect` with the expected type index (table 0).
    CallIndirect(u32),
    /// `drop`.
    Drop,
    /// `select` (untyped or typed).
    Select,
    /// `local.get`.
    LocalGet(u32),
    /// `local.set`.
    LocalSet(u32),
    /// `local.tee`.
    LocalTee(u32),
    /// `global.get`.
    GlobalGet(u32),
    /// `global.set`.
    GlobalSet(u32),
    /// A load with its static offset.
    Load(Load, u32),
    /// A store of the low `width` bytes (1, 2, 4 or 8) with its static offset.
    Store(u8, u32),
    /// `memory.size`.
    MemorySize,
    /// `memory.grow`.
    MemoryGrow,
    /// `memory.fill`.
    MemoryFill,
    /// `memory.copy`.
    MemoryCopy,
    /// `memory.init` of a data segment.
    MemoryInit(u32),
    /// `data.drop` of a data segment.
    DataDrop(u32),
    /// A constant (`i32/i64/f32/f64.const`) as a stack word.
    Const(u64),
    /// An operator of one operand.
    Unary(Unary),
    /// An operator of two operands.
    Binary(Binary),
}
