//! What current compilers emit by default runs, identically on every compiler and cache mode: bulk
//! memory (gas per byte, charged before the work), multi-value, floats under the `canonicalized` rule
//! (NaN bit patterns included), and every trap those features can raise as its own kind.

mod common;

use common::*;
use svm::Value;
use svm::gas::cost_table::BULK_MEMORY_PER_BYTE;
use svm::outcome::{Outcome, TrapKind};
use svm::receipt::Receipt;
use svm_fuzzing::contract_source::ContractSource;
use svm_fuzzing::oracles::execution::apply_checked;

/// Calls `function(args)` on `source` freshly deployed on every configuration; the receipt they all
/// agree on (every invariant checked on each).
fn everywhere(source: &ContractSource, function: &str, args: &[Value], gas: u64) -> Receipt {
    let mut seen: Vec<Receipt> = Vec::new();
    for config in configs() {
        let mut rt = runtime(config.clone());
        let c = deployed(&mut rt, source);
        let tx = call_tx(&rt, c, account(2), function, args, gas);
        let receipt = apply_checked(&mut rt, &tx, &Default::default());
        if let Some(first) = seen.first() {
            assert_eq!(receipt.hash(), first.hash(), "{function} on {config:?}: {receipt:?} vs {first:?}");
        }
        seen.push(receipt);
    }
    seen.remove(0)
}

const BULK: &str = r#"(module
  (memory (export "memory") 1)
  (data $greeting "hello, bulk memory")
  (func (export "fill_then_sum") (param $len i32) (result i64) (local $i i32) (local $sum i64)
    (memory.fill (i32.const 100) (i32.const 7) (local.get $len))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (local.set $sum (i64.add (local.get $sum) (i64.load8_u offset=100 (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $sum))
  (func (export "fill") (param $len i32) (memory.fill (i32.const 0) (i32.const 1) (local.get $len)))
  (func (export "copy_init") (result i64)
    (memory.init $greeting (i32.const 0) (i32.const 0) (i32.const 18))
    (memory.copy (i32.const 1000) (i32.const 7) (i32.const 4))
    (data.drop $greeting)
    (i64.load (i32.const 1000)))
  (func (export "init_after_drop")
    (data.drop $greeting)
    (memory.init $greeting (i32.const 0) (i32.const 0) (i32.const 1))))"#;

#[test]
fn bulk_memory_runs_and_pays_per_byte_before_it_moves_anything() {
    let source = inline(BULK, 0, &[]);
    let small = everywhere(&source, "fill_then_sum", &[Value::I32(10)], GAS);
    assert_eq!((small.outcome, small.returns.clone()), (Outcome::Success, vec![Value::I64(70)]));
    // Filling twice as many bytes costs per-byte gas for the extra bytes plus the summing loop's.
    let fill = |len: i32| everywhere(&source, "fill", &[Value::I32(len)], GAS).gas_used;
    assert_eq!(fill(1000) - fill(10), 990 * BULK_MEMORY_PER_BYTE);

    let copied = everywhere(&source, "copy_init", &[], GAS);
    assert_eq!(copied.returns, vec![Value::I64(i64::from_le_bytes(*b"bulk\0\0\0\0"))]);

    // A huge fill is priced before it runs: out of gas, the whole limit used, on every compiler.
    let huge = everywhere(&source, "fill", &[Value::I32(-1)], 500_000);
    assert_eq!((huge.outcome, huge.gas_used), (Outcome::OutOfGas, 500_000));
    // Within gas but beyond memory: a deterministic trap, with the same gas everywhere.
    let oob = everywhere(&source, "fill", &[Value::I32(70_000)], GAS);
    assert_eq!(oob.outcome, Outcome::Trap(TrapKind::MemoryOutOfBounds));
    let dropped = everywhere(&source, "init_after_drop", &[], GAS);
    assert_eq!(dropped.outcome, Outcome::Trap(TrapKind::MemoryOutOfBounds));
}

const MULTI_VALUE: &str = r#"(module
  (func $pair (param i64) (result i64 i32) (local.get 0) (i32.wrap_i64 (local.get 0)))
  (func $early (param i32) (result i32 i64)
    (if (local.get 0) (then (return (i32.const 1) (i64.const 2))))
    (i32.const 3) (i64.const 4))
  (func $branch (param i32) (result i32 i32)
    (block $out (result i32 i32)
      (br_if $out (i32.const 5) (i32.const 6) (local.get 0))
      (drop) (drop)
      (i32.const 7) (i32.const 8)))
  (func (export "pair") (param i64) (result i64 i32) (call $pair (local.get 0)))
  (func (export "early") (param i32) (result i32 i64) (call $early (local.get 0)))
  (func (export "branch") (param i32) (result i32 i32) (call $branch (local.get 0)))
  (func (export "swap") (param i32 i64) (result i64 i32)
    (local.get 0) (local.get 1)
    (block (param i32 i64) (result i64 i32) (local.set 1) (local.set 0) (local.get 1) (local.get 0))))"#;

#[test]
fn multi_value_functions_and_blocks_run() {
    let source = inline(MULTI_VALUE, 0, &[]);
    let call = |f: &str, args: &[Value]| everywhere(&source, f, args, GAS).returns;
    assert_eq!(call("pair", &[Value::I64(1 << 33 | 9)]), vec![Value::I64(1 << 33 | 9), Value::I32(9)]);
    assert_eq!(call("early", &[Value::I32(1)]), vec![Value::I32(1), Value::I64(2)]);
    assert_eq!(call("early", &[Value::I32(0)]), vec![Value::I32(3), Value::I64(4)]);
    assert_eq!(call("branch", &[Value::I32(1)]), vec![Value::I32(5), Value::I32(6)]);
    assert_eq!(call("branch", &[Value::I32(0)]), vec![Value::I32(7), Value::I32(8)]);
    assert_eq!(call("swap", &[Value::I32(3), Value::I64(4)]), vec![Value::I64(4), Value::I32(3)]);
}

const FLOATS: &str = r#"(module
  (func (export "div") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "sqrt32") (param f32) (result f32) (f32.sqrt (local.get 0)))
  (func (export "add32") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
  (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "to_f32") (param i64) (result f32) (f32.convert_i64_s (local.get 0))))"#;

#[test]
fn floats_give_bit_identical_results_with_canonical_nans() {
    let source = inline(FLOATS, 0, &[]);
    let call = |f: &str, args: &[Value]| everywhere(&source, f, args, GAS);
    let f64v = |x: f64| Value::F64(x.to_bits());
    let f32v = |x: f32| Value::F32(x.to_bits());
    assert_eq!(call("div", &[f64v(1.0), f64v(3.0)]).returns, vec![f64v(1.0 / 3.0)]);
    assert_eq!(call("to_f32", &[Value::I64(16_777_217)]).returns, vec![f32v(16_777_216.0)]);
    // Every NaN an operator produces is the canonical one, whatever the inputs' payloads.
    let payload_nan = Value::F64(0x7FF0_0000_0000_0BAD);
    assert_eq!(call("div", &[f64v(0.0), f64v(0.0)]).returns, vec![Value::F64(0x7FF8_0000_0000_0000)]);
    assert_eq!(call("div", &[payload_nan, f64v(2.0)]).returns, vec![Value::F64(0x7FF8_0000_0000_0000)]);
    assert_eq!(call("sqrt32", &[f32v(-1.0)]).returns, vec![Value::F32(0x7FC0_0000)]);
    assert_eq!(call("add32", &[Value::F32(0xFFC0_1234), f32v(1.0)]).returns, vec![Value::F32(0x7FC0_0000)]);
    // Sign operations are bit operations: they keep the payload, as the spec says.
    assert_eq!(call("neg", &[payload_nan]).returns, vec![Value::F64(0xFFF0_0000_0000_0BAD)]);
    assert_eq!(call("trunc_sat", &[f64v(f64::NAN)]).returns, vec![Value::I32(0)]);
    assert_eq!(call("trunc_sat", &[f64v(1e20)]).returns, vec![Value::I32(i32::MAX)]);
}

#[test]
fn every_trap_a_newly_admitted_feature_raises_has_its_own_kind() {
    let source = inline(FLOATS, 0, &[]);
    let trap = |args: &[Value]| everywhere(&source, "trunc", args, GAS).outcome;
    assert_eq!(trap(&[Value::F64(f64::NAN.to_bits())]), Outcome::Trap(TrapKind::InvalidConversionToInteger));
    assert_eq!(trap(&[Value::F64(3e9f64.to_bits())]), Outcome::Trap(TrapKind::IntegerOverflow));
    let bulk = inline(BULK, 0, &[]);
    assert_eq!(
        everywhere(&bulk, "fill", &[Value::I32(70_000)], GAS).outcome,
        Outcome::Trap(TrapKind::MemoryOutOfBounds)
    );
}
