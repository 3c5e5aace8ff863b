//! Float semantics (docs/consensus.md, *Floats*): IEEE 754 with round-to-nearest-even, WebAssembly's
//! `min`/`max`, and the canonical NaN rule: when one of the 24 listed operators (add, sub, mul,
//! div, sqrt, min, max, ceil, floor, trunc, nearest of both widths, `f32.demote_f64`,
//! `f64.promote_f32`) produces a NaN, the result is the positive canonical quiet NaN. Every other
//! float operator moves bits exactly (`abs`, `neg` and `copysign` are sign-bit operations).
//!
//! Rust's `f32`/`f64` arithmetic, `sqrt`, `as` conversions and `round_ties_even` are IEEE 754
//! round-to-nearest-even; only NaN results need replacing.

use svm_core::outcome::TrapKind;

/// The canonical f32 NaN.
pub(crate) const CANONICAL_NAN_32: u32 = 0x7FC0_0000;
/// The canonical f64 NaN.
pub(crate) const CANONICAL_NAN_64: u64 = 0x7FF8_0000_0000_0000;

const SIGN_32: u32 = 0x8000_0000;
const SIGN_64: u64 = 0x8000_0000_0000_0000;

/// The f32 in a stack word.
pub(crate) fn f32_of(word: u64) -> f32 {
    f32::from_bits(word as u32)
}

/// The f64 in a stack word.
pub(crate) fn f64_of(word: u64) -> f64 {
    f64::from_bits(word)
}

/// The stack word of an f32 result of a canonicalizing operator.
pub(crate) fn canonical_32(x: f32) -> u64 {
    if x.is_nan() { u64::from(CANONICAL_NAN_32) } else { u64::from(x.to_bits()) }
}

/// The stack word of an f64 result of a canonicalizing operator.
pub(crate) fn canonical_64(x: f64) -> u64 {
    if x.is_nan() { CANONICAL_NAN_64 } else { x.to_bits() }
}

/// The stack word of an f32 result that is never NaN or keeps its bits (conversions from integers).
pub(crate) fn word_32(x: f32) -> u64 {
    u64::from(x.to_bits())
}

/// `f32.abs`: clears the sign bit.
pub(crate) fn abs_32(word: u64) -> u64 {
    word & u64::from(!SIGN_32)
}

/// `f32.neg`: flips the sign bit.
pub(crate) fn neg_32(word: u64) -> u64 {
    word ^ u64::from(SIGN_32)
}

/// `f32.copysign`: the magnitude of `a` with the sign of `b`.
pub(crate) fn copysign_32(a: u64, b: u64) -> u64 {
    (a & u64::from(!SIGN_32)) | (b & u64::from(SIGN_32))
}

/// `f64.abs`.
pub(crate) fn abs_64(word: u64) -> u64 {
    word & !SIGN_64
}

/// `f64.neg`.
pub(crate) fn neg_64(word: u64) -> u64 {
    word ^ SIGN_64
}

/// `f64.copysign`.
pub(crate) fn copysign_64(a: u64, b: u64) -> u64 {
    (a & !SIGN_64) | (b & SIGN_64)
}

/// WebAssembly `min` of two f32: NaN if either is NaN, -0 below +0, else the smaller.
pub(crate) fn min_32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return u64::from(CANONICAL_NAN_32);
    }
    let r = if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else if a < b {
        a
    } else {
        b
    };
    word_32(r)
}

/// WebAssembly `max` of two f32: NaN if either is NaN, +0 above -0, else the larger.
pub(crate) fn max_32(a: f32, b: f32) -> u64 {
    if a.is_nan() || b.is_nan() {
        return u64::from(CANONICAL_NAN_32);
    }
    let r = if a == 0.0 && b == 0.0 {
        if a.is_sign_positive() { a } else { b }
    } else if a > b {
        a
    } else {
        b
    };
    word_32(r)
}

/// WebAssembly `min` of two f64.
pub(crate) fn min_64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return CANONICAL_NAN_64;
    }
    let r = if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() { a } else { b }
    } else if a < b {
        a
    } else {
        b
    };
    r.to_bits()
}

/// WebAssembly `max` of two f64.
pub(crate) fn max_64(a: f64, b: f64) -> u64 {
    if a.is_nan() || b.is_nan() {
        return CANONICAL_NAN_64;
    }
    let r = if a == 0.0 && b == 0.0 {
        if a.is_sign_positive() { a } else { b }
    } else if a > b {
        a
    } else {
        b
    };
    r.to_bits()
}

/// The trapping truncation of `x` (an f32 widened exactly, or an f64) to an integer whose range
/// is `[min, max_exclusive)`, as an f64 interval: NaN → `invalid-conversion-to-integer`, a
/// truncated value outside the range (infinities included) → `integer-overflow`.
fn checked_trunc(x: f64, min: f64, max_exclusive: f64) -> Result<f64, TrapKind> {
    if x.is_nan() {
        return Err(TrapKind::InvalidConversionToInteger);
    }
    let t = x.trunc();
    if t >= min && t < max_exclusive { Ok(t) } else { Err(TrapKind::IntegerOverflow) }
}

/// `i32.trunc_f*_s` of `x`.
pub(crate) fn trunc_i32_s(x: f64) -> Result<u64, TrapKind> {
    let t = checked_trunc(x, -2_147_483_648.0, 2_147_483_648.0)?;
    Ok(u64::from(t as i32 as u32))
}

/// `i32.trunc_f*_u` of `x`. (-1, 0] truncates to 0: -0 is in range.
pub(crate) fn trunc_i32_u(x: f64) -> Result<u64, TrapKind> {
    let t = checked_trunc(x, 0.0, 4_294_967_296.0)?;
    Ok(u64::from(t as u32))
}

/// `i64.trunc_f*_s` of `x`.
pub(crate) fn trunc_i64_s(x: f64) -> Result<u64, TrapKind> {
    let t = checked_trunc(x, -9_223_372_036_854_775_808.0, 9_223_372_036_854_775_808.0)?;
    Ok(t as i64 as u64)
}

/// `i64.trunc_f*_u` of `x`.
pub(crate) fn trunc_i64_u(x: f64) -> Result<u64, TrapKind> {
    let t = checked_trunc(x, 0.0, 18_446_744_073_709_551_616.0)?;
    Ok(t as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_and_max_order_zeros_and_propagate_nan() {
        assert_eq!(min_32(-0.0, 0.0), u64::from((-0.0f32).to_bits()));
        assert_eq!(min_32(0.0, -0.0), u64::from((-0.0f32).to_bits()));
        assert_eq!(max_32(-0.0, 0.0), 0);
        assert_eq!(max_32(0.0, -0.0), 0);
        assert_eq!(min_64(f64::NAN, 1.0), CANONICAL_NAN_64);
        assert_eq!(max_64(1.0, -f64::NAN), CANONICAL_NAN_64);
        assert_eq!(min_64(-0.0, 0.0), (-0.0f64).to_bits());
        assert_eq!(max_64(-0.0, 0.0), 0);
        assert_eq!(max_64(-1.0, -2.0), (-1.0f64).to_bits());
    }

    #[test]
    fn truncations_trap_at_the_exact_bounds() {
        assert_eq!(trunc_i32_s(2_147_483_647.9), Ok(0x7FFF_FFFF));
        assert_eq!(trunc_i32_s(2_147_483_648.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(trunc_i32_s(-2_147_483_648.9), Ok(0x8000_0000));
        assert_eq!(trunc_i32_s(-2_147_483_649.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(trunc_i32_u(-0.9), Ok(0));
        assert_eq!(trunc_i32_u(-1.0), Err(TrapKind::IntegerOverflow));
        assert_eq!(trunc_i32_u(4_294_967_295.5), Ok(0xFFFF_FFFF));
        assert_eq!(trunc_i64_u(f64::INFINITY), Err(TrapKind::IntegerOverflow));
        assert_eq!(trunc_i64_s(f64::NAN), Err(TrapKind::InvalidConversionToInteger));
        assert_eq!(trunc_i64_s(-9_223_372_036_854_775_808.0), Ok(0x8000_0000_0000_0000));
        assert_eq!(trunc_i64_s(9_223_372_036_854_775_808.0), Err(TrapKind::IntegerOverflow));
    }

    #[test]
    fn sign_operations_keep_nan_payloads() {
        let nan = 0x7FA0_0001u64;
        assert_eq!(neg_32(nan), 0xFFA0_0001);
        assert_eq!(abs_32(0xFFA0_0001), nan);
        assert_eq!(copysign_32(nan, u64::from(SIGN_32)), 0xFFA0_0001);
        assert_eq!(neg_64(1), SIGN_64 | 1);
    }
}
