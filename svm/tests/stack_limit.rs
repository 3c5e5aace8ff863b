//! The VM's stack budget, not the native stack, stops every recursion: same outcome and gas on every
//! compiler, whatever the shape of the frames.

mod common;

use common::*;
use svm::Value;
use svm::outcome::Outcome;

/// A recursive function `go` whose frames have the given shape.
fn bomb(params: usize, locals: usize, operands: usize) -> String {
    let param_list = " i64".repeat(params);
    let push_args = "(local.get 0)".repeat(params);
    let pushes = "(i64.const 7)".repeat(operands);
    let drops = "(drop)".repeat(operands);
    format!(
        r#"(module
          (func $rec (param{param_list}) (result i64) (local{locals})
            {pushes}
            (drop (call $rec {push_args}))
            {drops}
            (i64.const 0))
          (func (export "go") (result i64)
            (call $rec {args})))"#,
        locals = if locals == 0 { String::new() } else { " i64".repeat(locals) },
        args = "(i64.const 1)".repeat(params),
    )
}

#[test]
fn every_frame_shape_stops_at_the_budget_on_every_compiler() {
    let shapes = [(0, 0, 0), (1, 0, 0), (32, 0, 0), (0, 1000, 0), (0, 0, 900), (16, 500, 400)];
    for (params, locals, operands) in shapes {
        let source = inline(&bomb(params, locals, operands), 0, &[]);
        let mut seen = Vec::new();
        for config in configs() {
            let mut rt = runtime(config.clone());
            let address = deployed(&mut rt, &source);
            let receipt = call(&mut rt, address, "go", &[]);
            seen.push((config.compiler, receipt.outcome, receipt.gas_used));
        }
        let shape = format!("{params} params, {locals} locals, {operands} operands");
        for (compiler, outcome, gas) in &seen {
            assert_eq!(*outcome, Outcome::StackExhausted, "{shape} on {compiler:?}");
            assert_eq!(*gas, seen[0].2, "{shape}: gas differs on {compiler:?}");
        }
    }
}

#[test]
fn recursion_within_the_budget_completes() {
    let source = inline(
        r#"(module
          (func $depth (param $n i64) (result i64)
            (if (result i64) (i64.eqz (local.get $n))
              (then (i64.const 0))
              (else (i64.add (i64.const 1) (call $depth (i64.sub (local.get $n) (i64.const 1)))))))
          (func (export "go") (param i64) (result i64) (call $depth (local.get 0))))"#,
        0,
        &[],
    );
    for config in configs() {
        let mut rt = runtime(config);
        let address = deployed(&mut rt, &source);
        // Returning frames release their weight: a thousand calls in a row never accumulate.
        for _ in 0..3 {
            let receipt = call(&mut rt, address, "go", &[Value::I64(1000)]);
            assert_eq!(receipt.returns, vec![Value::I64(1000)], "{receipt:?}");
        }
    }
}

#[test]
fn branches_out_of_the_function_body_release_the_frame() {
    // `br 0` at the top level of a body leaves the function; if that skipped the release, a loop of
    // such calls would exhaust the budget.
    let source = inline(
        r#"(module
          (func $leave (result i32) (br 0 (i32.const 1)))
          (func $leave_if (param i32) (result i32) (br_if 0 (i32.const 2) (local.get 0)) (drop) (i32.const 3))
          (func $leave_table (param i32) (result i32) (br_table 0 0 (i32.const 4) (local.get 0)))
          (func $early (result i32) (return (i32.const 5)))
          (func (export "go") (result i32)
            (local $i i32) (local $sum i32)
            (loop $again
              (local.set $sum (i32.add (local.get $sum)
                (i32.add (i32.add (call $leave) (call $leave_if (i32.const 1)))
                         (i32.add (call $leave_table (local.get $i)) (call $early)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $again (i32.lt_u (local.get $i) (i32.const 20000))))
            (local.get $sum)))"#,
        0,
        &[],
    );
    for config in configs() {
        let mut rt = runtime(config);
        let address = deployed(&mut rt, &source);
        let receipt = call(&mut rt, address, "go", &[]);
        assert_eq!(receipt.outcome, Outcome::Success, "{receipt:?}");
        assert_eq!(receipt.returns, vec![Value::I32(20000 * (1 + 2 + 4 + 5))]);
    }
}

/// A recursion whose every frame calls host code (a storage write, a log and a register copy) before
/// recursing, so that the deepest frame runs host code with the least native stack left.
const HOST_AT_EVERY_LEVEL: &str = r#"(module
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (import "svm" "log" (func $log (param i32 i32)))
  (import "svm" "reg_copy" (func $copy (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func $rec (param $n i64) (result i64)
    (call $write (i32.const 0) (local.get $n))
    (call $copy (i32.const 512) (i32.const 0) (i32.const 1))
    (if (i64.lt_u (local.get $n) (i64.const 60)) (then (call $log (i32.const 0) (i32.const 16))))
    (drop (call $rec (i64.add (local.get $n) (i64.const 1))))
    (i64.const 0))
  (func (export "go") (result i64) (call $rec (i64.const 0))))"#;

#[test]
fn the_worst_frame_shapes_stop_at_the_budget_on_the_smallest_promised_native_stack() {
    // The deepest chains (the lightest frames), the heaviest frames, and host code at every level: on
    // both compilers and every cache mode, with the native stack at the smallest size the VM promises,
    // each stops with `stack-exhausted` and the same gas as on the default stack. Were the native guard
    // reached first, the runtime would report a node fault and `apply` would fail.
    let shapes = [(0, 0, 0), (0, 0, 1), (1, 0, 0), (32, 0, 0), (0, 1000, 0), (0, 0, 900), (16, 500, 400)];
    let mut sources: Vec<(String, svm_fuzzing::contract_source::ContractSource)> = shapes
        .iter()
        .map(|&(p, l, o)| (format!("{p} params, {l} locals, {o} operands"), inline(&bomb(p, l, o), 0, &[])))
        .collect();
    sources.push(("host code at every level".into(), inline(HOST_AT_EVERY_LEVEL, 1, &[(0, 0, 8)])));
    for (shape, source) in &sources {
        let mut seen = Vec::new();
        for stack in [svm::limits::MIN_NATIVE_STACK_BYTES, svm::limits::NATIVE_STACK_BYTES] {
            for config in configs() {
                let config = svm::runtime::RuntimeConfig { native_stack_bytes: stack, ..config };
                let mut rt = runtime(config.clone());
                let address = deployed(&mut rt, source);
                let receipt = call(&mut rt, address, "go", &[]);
                assert_eq!(receipt.outcome, Outcome::StackExhausted, "{shape} on {config:?}: {}", receipt.diagnostic);
                seen.push(receipt.gas_used);
            }
        }
        assert!(seen.iter().all(|gas| *gas == seen[0]), "{shape}: gas differs: {seen:?}");
    }
}
