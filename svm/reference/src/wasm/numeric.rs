//! The numeric operators on stack words: integers wrap, shifts and rotations count modulo the
//! width, division and remainder trap as the spec says, and floats follow [`super::floats`].
//!
//! An `i32` (or `f32`) word holds its 32 bits zero-extended; every `i32` result is written back that
//! way, so the upper half of a word is always zero for 32-bit types.

use super::floats::{self as fl, canonical_32, canonical_64, f32_of, f64_of, word_32};
use super::instr::{Binary, Unary};
use svm_core::outcome::TrapKind;

fn i32_of(word: u64) -> i32 {
    word as u32 as i32
}

fn u32_of(word: u64) -> u32 {
    word as u32
}

fn from_i32(x: i32) -> u64 {
    u64::from(x as u32)
}

fn from_u32(x: u32) -> u64 {
    u64::from(x)
}

fn from_bool(b: bool) -> u64 {
    u64::from(b)
}

/// Applies a one-operand operator.
pub(crate) fn unary(op: Unary, a: u64) -> Result<u64, TrapKind> {
    use Unary as U;
    Ok(match op {
        U::I32Eqz => from_bool(u32_of(a) == 0),
        U::I32Clz => from_u32(u32_of(a).leading_zeros()),
        U::I32Ctz => from_u32(u32_of(a).trailing_zeros()),
        U::I32Popcnt => from_u32(u32_of(a).count_ones()),
        U::I64Eqz => from_bool(a == 0),
        U::I64Clz => u64::from(a.leading_zeros()),
        U::I64Ctz => u64::from(a.trailing_zeros()),
        U::I64Popcnt => u64::from(a.count_ones()),
        U::I32WrapI64 => from_u32(a as u32),
        U::I64ExtendI32S => i64::from(i32_of(a)) as u64,
        U::I64ExtendI32U => u64::from(u32_of(a)),
        U::I32Extend8S => from_i32(i32::from(a as u8 as i8)),
        U::I32Extend16S => from_i32(i32::from(a as u16 as i16)),
        U::I64Extend8S => i64::from(a as u8 as i8) as u64,
        U::I64Extend16S => i64::from(a as u16 as i16) as u64,
        U::I64Extend32S => i64::from(a as u32 as i32) as u64,

        U::F32Abs => fl::abs_32(a),
        U::F32Neg => fl::neg_32(a),
        U::F32Ceil => canonical_32(f32_of(a).ceil()),
        U::F32Floor => canonical_32(f32_of(a).floor()),
        U::F32Trunc => canonical_32(f32_of(a).trunc()),
        U::F32Nearest => canonical_32(f32_of(a).round_ties_even()),
        U::F32Sqrt => canonical_32(f32_of(a).sqrt()),
        U::F64Abs => fl::abs_64(a),
        U::F64Neg => fl::neg_64(a),
        U::F64Ceil => canonical_64(f64_of(a).ceil()),
        U::F64Floor => canonical_64(f64_of(a).floor()),
        U::F64Trunc => canonical_64(f64_of(a).trunc()),
        U::F64Nearest => canonical_64(f64_of(a).round_ties_even()),
        U::F64Sqrt => canonical_64(f64_of(a).sqrt()),

        U::I32TruncF32S => fl::trunc_i32_s(f64::from(f32_of(a)))?,
        U::I32TruncF32U => fl::trunc_i32_u(f64::from(f32_of(a)))?,
        U::I32TruncF64S => fl::trunc_i32_s(f64_of(a))?,
        U::I32TruncF64U => fl::trunc_i32_u(f64_of(a))?,
        U::I64TruncF32S => fl::trunc_i64_s(f64::from(f32_of(a)))?,
        U::I64TruncF32U => fl::trunc_i64_u(f64::from(f32_of(a)))?,
        U::I64TruncF64S => fl::trunc_i64_s(f64_of(a))?,
        U::I64TruncF64U => fl::trunc_i64_u(f64_of(a))?,
        // Rust's float-to-int `as` saturates and maps NaN to 0: exactly `trunc_sat`.
        U::I32TruncSatF32S => from_i32(f32_of(a) as i32),
        U::I32TruncSatF32U => from_u32(f32_of(a) as u32),
        U::I32TruncSatF64S => from_i32(f64_of(a) as i32),
        U::I32TruncSatF64U => from_u32(f64_of(a) as u32),
        U::I64TruncSatF32S => (f32_of(a) as i64) as u64,
        U::I64TruncSatF32U => f32_of(a) as u64,
        U::I64TruncSatF64S => (f64_of(a) as i64) as u64,
        U::I64TruncSatF64U => f64_of(a) as u64,

        // Integer-to-float `as` rounds to nearest, ties to even.
        U::F32ConvertI32S => word_32(i32_of(a) as f32),
        U::F32ConvertI32U => word_32(u32_of(a) as f32),
        U::F32ConvertI64S => word_32(a as i64 as f32),
        U::F32ConvertI64U => word_32(a as f32),
        U::F32DemoteF64 => canonical_32(f64_of(a) as f32),
        U::F64ConvertI32S => f64::from(i32_of(a)).to_bits(),
        U::F64ConvertI32U => f64::from(u32_of(a)).to_bits(),
        U::F64ConvertI64S => (a as i64 as f64).to_bits(),
        U::F64ConvertI64U => (a as f64).to_bits(),
        U::F64PromoteF32 => canonical_64(f64::from(f32_of(a))),
    })
}

/// Applies a two-operand operator to `a` (pushed first) and `b`.
pub(crate) fn binary(op: Binary, a: u64, b: u64) -> Result<u64, TrapKind> {
    use Binary as B;
    let (a32, b32) = (u32_of(a), u32_of(b));
    let (s32a, s32b) = (i32_of(a), i32_of(b));
    let (s64a, s64b) = (a as i64, b as i64);
    Ok(match op {
        B::I32Eq => from_bool(a32 == b32),
        B::I32Ne => from_bool(a32 != b32),
        B::I32LtS => from_bool(s32a < s32b),
        B::I32LtU => from_bool(a32 < b32),
        B::I32GtS => from_bool(s32a > s32b),
        B::I32GtU => from_bool(a32 > b32),
        B::I32LeS => from_bool(s32a <= s32b),
        B::I32LeU => from_bool(a32 <= b32),
        B::I32GeS => from_bool(s32a >= s32b),
        B::I32GeU => from_bool(a32 >= b32),
        B::I64Eq => from_bool(a == b),
        B::I64Ne => from_bool(a != b),
        B::I64LtS => from_bool(s64a < s64b),
        B::I64LtU => from_bool(a < b),
        B::I64GtS => from_bool(s64a > s64b),
        B::I64GtU => from_bool(a > b),
        B::I64LeS => from_bool(s64a <= s64b),
        B::I64LeU => from_bool(a <= b),
        B::I64GeS => from_bool(s64a >= s64b),
        B::I64GeU => from_bool(a >= b),

        B::F32Eq => from_bool(f32_of(a) == f32_of(b)),
        B::F32Ne => from_bool(f32_of(a) != f32_of(b)),
        B::F32Lt => from_bool(f32_of(a) < f32_of(b)),
        B::F32Gt => from_bool(f32_of(a) > f32_of(b)),
        B::F32Le => from_bool(f32_of(a) <= f32_of(b)),
        B::F32Ge => from_bool(f32_of(a) >= f32_of(b)),
        B::F64Eq => from_bool(f64_of(a) == f64_of(b)),
        B::F64Ne => from_bool(f64_of(a) != f64_of(b)),
        B::F64Lt => from_bool(f64_of(a) < f64_of(b)),
        B::F64Gt => from_bool(f64_of(a) > f64_of(b)),
        B::F64Le => from_bool(f64_of(a) <= f64_of(b)),
        B::F64Ge => from_bool(f64_of(a) >= f64_of(b)),

        B::I32Add => from_u32(a32.wrapping_add(b32)),
        B::I32Sub => from_u32(a32.wrapping_sub(b32)),
        B::I32Mul => from_u32(a32.wrapping_mul(b32)),
        B::I32DivS => {
            if s32b == 0 {
                return Err(TrapKind::IntegerDivisionByZero);
            }
            if s32a == i32::MIN && s32b == -1 {
                return Err(TrapKind::IntegerOverflow);
            }
            from_i32(s32a / s32b)
        }
        B::I32DivU => from_u32(a32.checked_div(b32).ok_or(TrapKind::IntegerDivisionByZero)?),
        B::I32RemS => {
            if s32b == 0 {
                return Err(TrapKind::IntegerDivisionByZero);
            }
            from_i32(s32a.wrapping_rem(s32b))
        }
        B::I32RemU => from_u32(a32.checked_rem(b32).ok_or(TrapKind::IntegerDivisionByZero)?),
        B::I32And => from_u32(a32 & b32),
        B::I32Or => from_u32(a32 | b32),
        B::I32Xor => from_u32(a32 ^ b32),
        B::I32Shl => from_u32(a32.wrapping_shl(b32)),
        B::I32ShrS => from_i32(s32a.wrapping_shr(b32)),
        B::I32ShrU => from_u32(a32.wrapping_shr(b32)),
        B::I32Rotl => from_u32(a32.rotate_left(b32 % 32)),
        B::I32Rotr => from_u32(a32.rotate_right(b32 % 32)),

        B::I64Add => a.wrapping_add(b),
        B::I64Sub => a.wrapping_sub(b),
        B::I64Mul => a.wrapping_mul(b),
        B::I64DivS => {
            if s64b == 0 {
                return Err(TrapKind::IntegerDivisionByZero);
            }
            if s64a == i64::MIN && s64b == -1 {
                return Err(TrapKind::IntegerOverflow);
            }
            (s64a / s64b) as u64
        }
        B::I64DivU => a.checked_div(b).ok_or(TrapKind::IntegerDivisionByZero)?,
        B::I64RemS => {
            if s64b == 0 {
                return Err(TrapKind::IntegerDivisionByZero);
            }
            s64a.wrapping_rem(s64b) as u64
        }
        B::I64RemU => a.checked_rem(b).ok_or(TrapKind::IntegerDivisionByZero)?,
        B::I64And => a & b,
        B::I64Or => a | b,
        B::I64Xor => a ^ b,
        B::I64Shl => a.wrapping_shl(b as u32),
        B::I64ShrS => s64a.wrapping_shr(b as u32) as u64,
        B::I64ShrU => a.wrapping_shr(b as u32),
        B::I64Rotl => a.rotate_left((b % 64) as u32),
        B::I64Rotr => a.rotate_right((b % 64) as u32),

        B::F32Add => canonical_32(f32_of(a) + f32_of(b)),
        B::F32Sub => canonical_32(f32_of(a) - f32_of(b)),
        B::F32Mul => canonical_32(f32_of(a) * f32_of(b)),
        B::F32Div => canonical_32(f32_of(a) / f32_of(b)),
        B::F32Min => fl::min_32(f32_of(a), f32_of(b)),
        B::F32Max => fl::max_32(f32_of(a), f32_of(b)),
        B::F32Copysign => fl::copysign_32(a, b),
        B::F64Add => canonical_64(f64_of(a) + f64_of(b)),
        B::F64Sub => canonical_64(f64_of(a) - f64_of(b)),
        B::F64Mul => canonical_64(f64_of(a) * f64_of(b)),
        B::F64Div => canonical_64(f64_of(a) / f64_of(b)),
        B::F64Min => fl::min_64(f64_of(a), f64_of(b)),
        B::F64Max => fl::max_64(f64_of(a), f64_of(b)),
        B::F64Copysign => fl::copysign_64(a, b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_edge_cases() {
        let min32 = from_i32(i32::MIN);
        let m1 = from_i32(-1);
        assert_eq!(binary(Binary::I32DivS, min32, m1), Err(TrapKind::IntegerOverflow));
        assert_eq!(binary(Binary::I32RemS, min32, m1), Ok(0));
        assert_eq!(binary(Binary::I64RemS, i64::MIN as u64, u64::MAX), Ok(0));
        assert_eq!(binary(Binary::I64DivU, 1, 0), Err(TrapKind::IntegerDivisionByZero));
        assert_eq!(binary(Binary::I32Shl, 1, 33), Ok(2));
        assert_eq!(binary(Binary::I32ShrS, m1, 31), Ok(0xFFFF_FFFF));
        assert_eq!(binary(Binary::I32Rotl, 0x8000_0001, 1), Ok(3));
        assert_eq!(binary(Binary::I64Rotr, 1, 65), Ok(0x8000_0000_0000_0000));
        assert_eq!(binary(Binary::I32Add, 0xFFFF_FFFF, 1), Ok(0));
        assert_eq!(binary(Binary::I32LtS, m1, 0), Ok(1));
        assert_eq!(binary(Binary::I32LtU, m1, 0), Ok(0));
        assert_eq!(unary(Unary::I32Clz, 0), Ok(32));
        assert_eq!(unary(Unary::I64Ctz, 0), Ok(64));
        assert_eq!(unary(Unary::I32Extend8S, 0x80), Ok(0xFFFF_FF80));
        assert_eq!(unary(Unary::I64Extend32S, 0x8000_0000), Ok(0xFFFF_FFFF_8000_0000));
        assert_eq!(unary(Unary::I64ExtendI32S, m1), Ok(u64::MAX));
        assert_eq!(unary(Unary::I32WrapI64, u64::MAX), Ok(0xFFFF_FFFF));
    }

    #[test]
    fn float_results_are_canonical_or_exact() {
        let nan_with_payload = 0x7FA0_0001u64;
        assert_eq!(unary(Unary::F64PromoteF32, nan_with_payload), Ok(fl::CANONICAL_NAN_64));
        assert_eq!(unary(Unary::F32DemoteF64, 0xFFF4_0000_0000_0001), Ok(0x7FC0_0000));
        assert_eq!(binary(Binary::F32Add, nan_with_payload, 0), Ok(0x7FC0_0000));
        assert_eq!(unary(Unary::F32Neg, nan_with_payload), Ok(0xFFA0_0001));
        assert_eq!(unary(Unary::F64Nearest, 2.5f64.to_bits()), Ok(2.0f64.to_bits()));
        assert_eq!(unary(Unary::F64Nearest, (-0.5f64).to_bits()), Ok((-0.0f64).to_bits()));
        assert_eq!(unary(Unary::F32Ceil, u64::from((-0.5f32).to_bits())), Ok(u64::from((-0.0f32).to_bits())));
        assert_eq!(unary(Unary::I32TruncSatF32S, 0x7FC0_0000), Ok(0));
        assert_eq!(unary(Unary::I32TruncSatF64U, (-5.0f64).to_bits()), Ok(0));
        assert_eq!(unary(Unary::I64TruncSatF64S, 1e300f64.to_bits()), Ok(i64::MAX as u64));
        // 2^24 + 1 rounds to even.
        assert_eq!(unary(Unary::F32ConvertI32S, 16_777_217), Ok(u64::from(16_777_216f32.to_bits())));
        assert_eq!(unary(Unary::F32ConvertI64U, u64::MAX), Ok(u64::from(18_446_744_073_709_551_616f32.to_bits())));
    }
}
