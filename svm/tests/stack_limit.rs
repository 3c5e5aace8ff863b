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
