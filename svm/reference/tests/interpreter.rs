//! The reference interpreter against docs/consensus.md: the conformance vectors' gas arithmetic
//! (gas above the intrinsic is what the meter consumed), every trap kind, the stack budget to the
//! frame, the memory cap, canonical NaNs, multi-value control flow, segments, and frame weights
//! cross-checked with deploy validation's.

use std::collections::{BTreeMap, BTreeSet};
use svm_core::Limits;
use svm_core::outcome::TrapKind;
use svm_core::validation::validate;
use svm_core::vmcalls::HostError;
use svm_core::{Value, ValueType};
use svm_reference::host::{Host, Meter, Stop};
use svm_reference::wasm::{Module, invoke};

/// A stand-in for the chain's vmcalls with the documented prices of the few the vectors use:
/// `host_layer` (2), `storage_read_i64` (40 + page load) and `storage_write_i64` (100 + page gas),
/// on a layout of 8-byte slices, slice i on page i. Also records every call.
struct MockHost {
    /// ⌈log2(page_count)⌉.
    depth: u64,
    slices: u32,
    storage: BTreeMap<u32, i64>,
    loaded: BTreeSet<u32>,
    dirty: BTreeSet<u32>,
    calls: Vec<(String, Vec<Value>, Option<usize>)>,
}

impl MockHost {
    fn new(depth: u64, slices: u32) -> MockHost {
        MockHost {
            depth,
            slices,
            storage: BTreeMap::new(),
            loaded: BTreeSet::new(),
            dirty: BTreeSet::new(),
            calls: Vec::new(),
        }
    }

    /// A new execution: pages are charged afresh, storage stays.
    fn next_execution(&mut self) {
        self.loaded.clear();
        self.dirty.clear();
    }

    fn slice(&self, args: &[Value]) -> Result<u32, Stop> {
        match args.first() {
            Some(Value::I32(s)) if (*s as u32) < self.slices => Ok(*s as u32),
            _ => Err(Stop::Host(HostError::UnknownSlice)),
        }
    }

    fn load(&mut self, page: u32, meter: &mut Meter) -> Result<(), Stop> {
        if self.loaded.insert(page) {
            meter.charge(500 + 125 * self.depth)?;
        }
        Ok(())
    }
}

impl Host for MockHost {
    fn vmcall(
        &mut self,
        name: &str,
        args: &[Value],
        memory: Option<&mut Vec<u8>>,
        meter: &mut Meter,
    ) -> Result<Vec<Value>, Stop> {
        self.calls.push((name.to_string(), args.to_vec(), memory.as_ref().map(|m| m.len())));
        match name {
            "host_layer" => {
                meter.charge(2)?;
                Ok(vec![Value::I64(1)])
            }
            "storage_read_i64" => {
                meter.charge(40)?;
                let slice = self.slice(args)?;
                self.load(slice, meter)?;
                Ok(vec![Value::I64(self.storage.get(&slice).copied().unwrap_or(0))])
            }
            "storage_write_i64" => {
                meter.charge(100)?;
                let slice = self.slice(args)?;
                self.load(slice, meter)?;
                if self.dirty.insert(slice) {
                    meter.charge(2000 + 400 * self.depth)?;
                }
                let Some(Value::I64(v)) = args.get(1) else { panic!("bad args") };
                self.storage.insert(slice, *v);
                Ok(vec![])
            }
            "calldata_len" => match memory {
                Some(memory) => {
                    memory[0] = 0xAB;
                    Ok(vec![Value::I32(memory.len() as i32)])
                }
                None => Ok(vec![Value::I32(-1)]),
            },
            other => panic!("unexpected vmcall {other}"),
        }
    }
}

fn module(wat: &str) -> (Vec<u8>, Module) {
    let code = wat::parse_str(wat).expect("valid WAT");
    validate(&code, &Limits::default()).expect("deploy admits the module");
    let module = Module::decode(&code, &Limits::default()).expect("decodes");
    (code, module)
}

/// Runs `function` with `limit` gas; returns the outcome and the gas the meter consumed.
fn run_with(
    module: &Module,
    host: &mut MockHost,
    limits: &Limits,
    function: &str,
    args: &[Value],
    limit: u64,
) -> (Result<Vec<Value>, Stop>, u64) {
    let mut meter = Meter { remaining: limit };
    let result = invoke(module, function, args, limits, 0, host, &mut meter);
    (result, limit - meter.remaining)
}

fn run(module: &Module, function: &str, args: &[Value]) -> (Result<Vec<Value>, Stop>, u64) {
    run_with(module, &mut MockHost::new(0, 1), &Limits::default(), function, args, 1_000_000)
}

fn trap(kind: TrapKind) -> Result<Vec<Value>, Stop> {
    Err(Stop::Trap(kind))
}

// ---- conformance vectors (corpus/conformance) ----

#[test]
fn straight_line_block_and_the_boundary() {
    let (_, m) = module(r#"(module (func (export "f") (result i64) (i64.add (i64.const 1) (i64.const 2))))"#);
    assert_eq!(run(&m, "f", &[]), (Ok(vec![Value::I64(3)]), 3));
    let mut host = MockHost::new(0, 1);
    assert_eq!(run_with(&m, &mut host, &Limits::default(), "f", &[], 3), (Ok(vec![Value::I64(3)]), 3));
    let (result, _) = run_with(&m, &mut host, &Limits::default(), "f", &[], 2);
    assert_eq!(result, Err(Stop::OutOfGas));
}

#[test]
fn trap_midway_leaves_its_segment_unpaid() {
    let (_, m) = module(
        r#"(module
          (func $nop)
          (func (export "trap") (result i32) (i32.div_u (i32.const 1) (i32.const 0)))
          (func (export "call_then_trap") (result i32)
            (drop (i64.const 7))
            (call $nop)
            (i32.div_u (i32.const 1) (i32.const 0))))"#,
    );
    assert_eq!(run(&m, "trap", &[]), (trap(TrapKind::IntegerDivisionByZero), 0));
    assert_eq!(run(&m, "call_then_trap", &[]), (trap(TrapKind::IntegerDivisionByZero), 7));
}

#[test]
fn worked_example_two_and_a_call_refused_for_gas() {
    let (_, m) = module(
        r#"(module
          (func $id (param i32) (result i32) local.get 0)
          (func (export "g") (result i32)
            i32.const 7 call $id drop i32.const 1 i32.const 0 i32.div_u))"#,
    );
    assert_eq!(run(&m, "g", &[]), (trap(TrapKind::IntegerDivisionByZero), 7));
    let mut host = MockHost::new(0, 1);
    assert_eq!(run_with(&m, &mut host, &Limits::default(), "g", &[], 5).0, Err(Stop::OutOfGas));
}

#[test]
fn loop_iterations() {
    let (_, m) = module(
        r#"(module
          (func (export "count") (param $n i64) (result i64) (local $i i64)
            (block $done
              (loop $next
                (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
                (local.set $i (i64.add (local.get $i) (i64.const 1)))
                (br $next)))
            (local.get $i)))"#,
    );
    for (n, gas) in [(0, 7), (1, 16), (10, 97)] {
        assert_eq!(run(&m, "count", &[Value::I64(n)]), (Ok(vec![Value::I64(n)]), gas));
    }
}

#[test]
fn bulk_memory_pays_its_length_first() {
    let (_, m) = module(
        r#"(module (memory 1)
          (func (export "fill") (param $len i32) (memory.fill (i32.const 0) (i32.const 7) (local.get $len))))"#,
    );
    for (len, gas) in [(0, 13), (100, 113), (65_536, 65_549)] {
        assert_eq!(run(&m, "fill", &[Value::I32(len)]), (Ok(vec![]), gas));
    }
    assert_eq!(run(&m, "fill", &[Value::I32(65_537)]), (trap(TrapKind::MemoryOutOfBounds), 65_537));
    // Not enough gas for the length: out of gas, nothing moves.
    let mut host = MockHost::new(0, 1);
    let (result, _) = run_with(&m, &mut host, &Limits::default(), "fill", &[Value::I32(100)], 99);
    assert_eq!(result, Err(Stop::OutOfGas));
}

#[test]
fn stack_exact_limit() {
    let (code, m) = module(
        r#"(module
          (func $down (export "down") (param $n i64) (result i64)
            (if (result i64) (i64.eqz (local.get $n))
              (then (i64.const 0))
              (else (i64.add (i64.const 1) (call $down (i64.sub (local.get $n) (i64.const 1))))))))"#,
    );
    assert_eq!(m.frame_weights(), vec![12]);
    assert_eq!(validate(&code, &Limits::default()).unwrap().frame_weights, vec![12]);
    let mut host = MockHost::new(0, 1);
    let limits = Limits::default();
    assert_eq!(
        run_with(&m, &mut host, &limits, "down", &[Value::I64(5460)], 100_000_000),
        (Ok(vec![Value::I64(5460)]), 70_985)
    );
    assert_eq!(
        run_with(&m, &mut host, &limits, "down", &[Value::I64(5461)], 100_000_000),
        (Err(Stop::StackExhausted), 65_532)
    );
}

#[test]
fn memory_grow_cap() {
    let (_, m) =
        module(r#"(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#);
    assert_eq!(run(&m, "grow", &[Value::I32(63)]), (Ok(vec![Value::I32(1)]), 1001));
    assert_eq!(run(&m, "grow", &[Value::I32(64)]), (Ok(vec![Value::I32(-1)]), 1001));
    assert_eq!(run(&m, "grow", &[Value::I32(-1)]), (Ok(vec![Value::I32(-1)]), 1001));

    // A declared maximum below the cap is the maximum; the cap follows `max_memory_pages`.
    let (_, m) = module(
        r#"(module (memory 1 3)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size_after") (param i32) (result i32) (drop (memory.grow (local.get 0))) (memory.size)))"#,
    );
    assert_eq!(run(&m, "grow", &[Value::I32(2)]).0, Ok(vec![Value::I32(1)]));
    assert_eq!(run(&m, "grow", &[Value::I32(3)]).0, Ok(vec![Value::I32(-1)]));
    assert_eq!(run(&m, "size_after", &[Value::I32(2)]).0, Ok(vec![Value::I32(3)]));
    let limits = Limits { max_memory_pages: 2, ..Limits::default() };
    let mut host = MockHost::new(0, 1);
    assert_eq!(run_with(&m, &mut host, &limits, "grow", &[Value::I32(2)], 10_000).0, Ok(vec![Value::I32(-1)]));
}

#[test]
fn canonical_nans_and_bits_passed_through() {
    let (_, m) = module(
        r#"(module
          (func (export "div") (result i64) (i64.reinterpret_f64 (f64.div (f64.const 0) (f64.const 0))))
          (func (export "sqrt") (result i64) (i64.reinterpret_f64 (f64.sqrt (f64.const -1))))
          (func (export "promote") (result i64) (i64.reinterpret_f64 (f64.promote_f32 (f32.reinterpret_i32 (i32.const 0x7fa00001)))))
          (func (export "demote") (result i32) (i32.reinterpret_f32 (f32.demote_f64 (f64.reinterpret_i64 (i64.const 0xfff4000000000001)))))
          (func (export "pass") (param f64) (result f64) (local.get 0))
          (func (export "pass32") (param f32) (result f32) (local.get 0)))"#,
    );
    let canonical64 = Value::I64(0x7FF8_0000_0000_0000);
    assert_eq!(run(&m, "div", &[]), (Ok(vec![canonical64]), 16));
    assert_eq!(run(&m, "sqrt", &[]), (Ok(vec![canonical64]), 14));
    assert_eq!(run(&m, "promote", &[]), (Ok(vec![canonical64]), 7));
    assert_eq!(run(&m, "demote", &[]), (Ok(vec![Value::I32(0x7FC0_0000)]), 7));
    for bits in [0x7ff8_0000_0000_0badu64, 0xfff0_0000_0000_0001] {
        assert_eq!(run(&m, "pass", &[Value::F64(bits)]), (Ok(vec![Value::F64(bits)]), 1));
    }
    assert_eq!(run(&m, "pass32", &[Value::F32(0x7f80_0001)]), (Ok(vec![Value::F32(0x7f80_0001)]), 1));
}

#[test]
fn every_trap_kind() {
    let (_, m) = module(
        r#"(module (memory 1)
          (type $v (func))
          (table 2 funcref) (elem (i32.const 0) $nop)
          (func $nop)
          (func (export "unreachable") unreachable)
          (func (export "oob") (drop (i32.load (i32.const 65535))))
          (func (export "table") (call_indirect (type $v) (i32.const 5)))
          (func (export "null") (call_indirect (type $v) (i32.const 1)))
          (func (export "signature") (drop (call_indirect (result i32) (i32.const 0))))
          (func (export "overflow") (drop (i32.div_s (i32.const -2147483648) (i32.const -1))))
          (func (export "division") (drop (i64.rem_u (i64.const 1) (i64.const 0))))
          (func (export "nan_to_int") (drop (i32.trunc_f32_s (f32.const nan))))
          (func (export "too_big_to_int") (drop (i32.trunc_f64_u (f64.const 1e10))))
          (func (export "ok") (call_indirect (type $v) (i32.const 0))))"#,
    );
    let cases = [
        ("unreachable", TrapKind::Unreachable, 0),
        ("oob", TrapKind::MemoryOutOfBounds, 0),
        ("table", TrapKind::TableOutOfBounds, 11),
        ("null", TrapKind::IndirectCallToNull, 11),
        ("signature", TrapKind::BadSignature, 11),
        ("overflow", TrapKind::IntegerOverflow, 0),
        ("division", TrapKind::IntegerDivisionByZero, 0),
        ("nan_to_int", TrapKind::InvalidConversionToInteger, 0),
        ("too_big_to_int", TrapKind::IntegerOverflow, 0),
    ];
    for (function, kind, gas) in cases {
        assert_eq!(run(&m, function, &[]), (trap(kind), gas), "{function}");
    }
    // i32.const 0 (1) + call_indirect (10), then $nop's end (0), then end (0).
    assert_eq!(run(&m, "ok", &[]), (Ok(vec![]), 11));
}

#[test]
fn exported_vmcalls_run_alone() {
    let (_, m) = module(
        r#"(module
          (import "svm" "host_layer" (func $layer (result i64)))
          (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
          (export "layer" (func $layer))
          (export "read" (func $read)))"#,
    );
    let signatures = m.exported_functions();
    assert_eq!(signatures.len(), 2);
    assert_eq!(signatures["read"].params, vec![ValueType::I32]);
    assert_eq!(signatures["read"].results, vec![ValueType::I64]);
    let mut host = MockHost::new(0, 1);
    let limits = Limits::default();
    assert_eq!(run_with(&m, &mut host, &limits, "layer", &[], 1_000_000), (Ok(vec![Value::I64(1)]), 2));
    assert_eq!(run_with(&m, &mut host, &limits, "read", &[Value::I32(0)], 1_000_000), (Ok(vec![Value::I64(0)]), 540));
    host.next_execution();
    assert_eq!(
        run_with(&m, &mut host, &limits, "read", &[Value::I32(5)], 1_000_000),
        (Err(Stop::Host(HostError::UnknownSlice)), 40)
    );
    // No stack is reserved: even a budget of 0 runs it.
    let tiny = Limits { stack_budget: 0, ..Limits::default() };
    assert_eq!(run_with(&m, &mut host, &tiny, "layer", &[], 1_000_000).0, Ok(vec![Value::I64(1)]));
}

const COUNTER: &str = r#"(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (func (export "inc") (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (i32.const 0)) (i64.const 1)))
    (call $write (i32.const 0) (local.get $n))
    (local.get $n))
  (func (export "add") (param $delta i64) (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (i32.const 0)) (local.get $delta)))
    (call $write (i32.const 0) (local.get $n))
    (local.get $n))
  (func (export "get") (result i64)
    (call $read (i32.const 0))))"#;

#[test]
fn walkthrough_counter_increment() {
    let (_, m) = module(COUNTER);
    let mut host = MockHost::new(0, 1);
    let limits = Limits::default();
    for expected in 1..=2 {
        host.next_execution();
        assert_eq!(run_with(&m, &mut host, &limits, "inc", &[], 1_000_000), (Ok(vec![Value::I64(expected)]), 2657));
    }
    assert_eq!(host.calls[0], ("storage_read_i64".into(), vec![Value::I32(0)], None));
    assert_eq!(host.calls[1], ("storage_write_i64".into(), vec![Value::I32(0), Value::I64(1)], None));
}

#[test]
fn page_gas_through_the_interpreter() {
    let source = r#"(module
      (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
      (import "svm" "storage_write_i64" (func $write (param i32 i64)))
      (func (export "read") (result i64) (drop (call $read (i32.const 0))) (call $read (i32.const 0)))
      (func (export "write") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 0) (i64.const 2)))
      (func (export "both") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 1) (i64.const 2))))"#;
    let (_, m) = module(source);
    for (depth, expected) in [(1, [718, 3239, 6264]), (16, [2593, 11114, 22014])] {
        let mut host = MockHost::new(depth, 2);
        for (function, gas) in ["read", "write", "both"].into_iter().zip(expected) {
            host.next_execution();
            let (result, used) = run_with(&m, &mut host, &Limits::default(), function, &[], 1_000_000);
            assert!(result.is_ok(), "{function}");
            assert_eq!(used, gas, "{function} at depth {depth}");
        }
    }
}

// ---- metering details ----

#[test]
fn metering_by_blocks_details() {
    let (_, m) = module(
        r#"(module
          (func (export "if_false") (param i32) (result i32)
            (if (result i32) (local.get 0)
              (then (i32.const 1) (i32.const 2) (i32.add))
              (else (i32.const 3))))
          (func (export "early_return") (param i32) (result i32)
            (block (br_if 0 (local.get 0)) (return (i32.const 5)))
            (i32.const 6))
          (func (export "table") (param i32) (result i32)
            (block (block (block (br_table 0 1 2 (local.get 0))) (return (i32.const 10))) (return (i32.const 11)))
            (i32.const 12))
          (func (export "grow") (result i32) (memory.grow (i32.const 0)))
          (memory 1))"#,
    );
    // local.get + if = 2; then-arm: 3 consts/add + else = 4; end 0.
    assert_eq!(run(&m, "if_false", &[Value::I32(1)]), (Ok(vec![Value::I32(3)]), 6));
    // local.get + if = 2; else-arm: i32.const (1) + end (0) = 1.
    assert_eq!(run(&m, "if_false", &[Value::I32(0)]), (Ok(vec![Value::I32(3)]), 3));
    // block + local.get + br_if = 3 (taken): lands after the block's end; i32.const + end = 1.
    assert_eq!(run(&m, "early_return", &[Value::I32(1)]), (Ok(vec![Value::I32(6)]), 4));
    // br_if's segment (3), not taken; i32.const + return = 2.
    assert_eq!(run(&m, "early_return", &[Value::I32(0)]), (Ok(vec![Value::I32(5)]), 5));
    // three blocks + local.get + br_table = 7; then i32.const + return = 2, or i32.const + end = 1.
    assert_eq!(run(&m, "table", &[Value::I32(0)]), (Ok(vec![Value::I32(10)]), 9));
    assert_eq!(run(&m, "table", &[Value::I32(1)]), (Ok(vec![Value::I32(11)]), 9));
    assert_eq!(run(&m, "table", &[Value::I32(2)]), (Ok(vec![Value::I32(12)]), 8));
    assert_eq!(run(&m, "table", &[Value::I32(99)]), (Ok(vec![Value::I32(12)]), 8));
    assert_eq!(run(&m, "grow", &[]), (Ok(vec![Value::I32(1)]), 1001));
}

#[test]
fn a_failing_vmcall_ends_the_run_after_its_segment() {
    let (_, m) = module(
        r#"(module
          (import "svm" "host_layer" (func $layer (result i64)))
          (import "svm" "log" (func $log (param i32 i32)))
          (func (export "f") (drop (call $layer)) (call $log (i32.const 0) (i32.const 0)) unreachable))"#,
    );
    struct Failing;
    impl Host for Failing {
        fn vmcall(
            &mut self,
            name: &str,
            _: &[Value],
            _: Option<&mut Vec<u8>>,
            meter: &mut Meter,
        ) -> Result<Vec<Value>, Stop> {
            meter.charge(2)?;
            match name {
                "host_layer" => Ok(vec![Value::I64(0)]),
                _ => Err(Stop::Host(HostError::LogTooLarge)),
            }
        }
    }
    let mut meter = Meter { remaining: 1000 };
    let result = invoke(&m, "f", &[], &Limits::default(), 0, &mut Failing, &mut meter);
    assert_eq!(result, Err(Stop::Host(HostError::LogTooLarge)));
    // call (5) + vmcall (2) + drop, 2 consts, call (8) + vmcall (2).
    assert_eq!(1000 - meter.remaining, 17);
}

// ---- the stack budget ----

#[test]
fn the_budget_is_released_on_every_exit() {
    let (code, m) = module(
        r#"(module
          (func $via_br (result i32) (block (br 1 (i32.const 1))) (i32.const 2))
          (func $via_return (result i32) (block (return (i32.const 3))) (i32.const 4))
          (func $via_end (result i32) (i32.const 5))
          (func $via_table (param i32) (result i32) (br_table 0 0 (i32.const 6) (local.get 0)))
          (func (export "many") (param $n i32) (result i32) (local $sum i32)
            (loop $again
              (local.set $sum (i32.add (local.get $sum)
                (i32.add (i32.add (call $via_br) (call $via_return))
                         (i32.add (call $via_end) (call $via_table (local.get $n))))))
              (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
            (local.get $sum)))"#,
    );
    let weights = m.frame_weights();
    assert_eq!(weights, validate(&code, &Limits::default()).unwrap().frame_weights);
    // The budget holds the entry frame and the heaviest callee, nothing more.
    let budget = weights[4] + weights[..4].iter().max().unwrap();
    let limits = Limits { stack_budget: budget, ..Limits::default() };
    let mut host = MockHost::new(0, 1);
    let (result, _) = run_with(&m, &mut host, &limits, "many", &[Value::I32(100)], 1_000_000);
    assert_eq!(result, Ok(vec![Value::I32(100 * 15)]));
    let tight = Limits { stack_budget: budget - 1, ..Limits::default() };
    let (result, used) = run_with(&m, &mut host, &tight, "many", &[Value::I32(100)], 1_000_000);
    assert_eq!(result, Err(Stop::StackExhausted));
    assert!(used > 0);
    // The entry frame itself does not fit: nothing runs.
    let none = Limits { stack_budget: weights[4] - 1, ..Limits::default() };
    assert_eq!(run_with(&m, &mut host, &none, "many", &[Value::I32(1)], 1_000_000), (Err(Stop::StackExhausted), 0));
}

#[test]
fn deep_indirect_recursion_stops_at_the_budget() {
    let (_, m) = module(
        r#"(module
          (type $t (func (param i64) (result i64)))
          (table 1 funcref) (elem (i32.const 0) $rec)
          (func $rec (export "rec") (param i64) (result i64)
            (i64.add (i64.const 1) (call_indirect (type $t) (local.get 0) (i32.const 0)))))"#,
    );
    let mut host = MockHost::new(0, 1);
    let (result, used) = run_with(&m, &mut host, &Limits::default(), "rec", &[Value::I64(0)], u64::MAX / 2);
    assert_eq!(result, Err(Stop::StackExhausted));
    // Weight 8 + 1 + 0 + 3 = 12: 5461 frames fit, each paid i64.const, local.get, i32.const,
    // call_indirect (13) before calling the next.
    assert_eq!(m.frame_weights(), vec![12]);
    assert_eq!(used, 5461 * 13);
}

// ---- multi-value and control flow ----

#[test]
fn multi_value_blocks_loops_and_functions() {
    let (_, m) = module(
        r#"(module
          (type $pair (func (param i32 i32) (result i32 i32)))
          (type $sum (func (param i32 i32) (result i32)))
          (func $swap (type $pair) (local.get 1) (local.get 0))
          (func (export "swap") (param i32 i32) (result i32 i32) (call $swap (local.get 0) (local.get 1)))
          (func (export "block_params") (result i32)
            (i32.const 10) (i32.const 3)
            (block (type $sum) (i32.sub)))
          (func (export "loop_params") (param $n i32) (result i32 i32) (local $acc i32) (local $k i32)
            ;; counts $n down to 0 while doubling an accumulator, both carried by the loop
            (i32.const 1) (local.get $n)
            (loop $l (type $pair)
              (local.set $k) (local.set $acc)
              (if (local.get $k)
                (then
                  (i32.mul (local.get $acc) (i32.const 2))
                  (i32.sub (local.get $k) (i32.const 1))
                  (br $l)))
              (local.get $acc) (local.get $k)))
          (func (export "br_values") (param i32) (result i32 i64)
            (block $b (result i32 i64)
              (i32.const 1) (i64.const 2) (br_if $b (local.get 0))
              (drop) (drop)
              (i32.const 3) (i64.const 4)))
          (func (export "table_values") (param i32) (result i32 i32)
            (block $a (result i32 i32)
              (block $b (result i32 i32)
                (i32.const 7) (i32.const 8) (local.get 0) (br_table $a $b))
              (i32.add) (i32.const 0)))
          (func (export "if_params") (param i32) (result i32)
            (i32.const 5) (local.get 0)
            (if (param i32) (result i32) (then (i32.const 100) (i32.add)))))"#,
    );
    assert_eq!(run(&m, "swap", &[Value::I32(1), Value::I32(2)]).0, Ok(vec![Value::I32(2), Value::I32(1)]));
    assert_eq!(run(&m, "block_params", &[]).0, Ok(vec![Value::I32(7)]));
    assert_eq!(run(&m, "loop_params", &[Value::I32(5)]).0, Ok(vec![Value::I32(32), Value::I32(0)]));
    assert_eq!(run(&m, "br_values", &[Value::I32(1)]).0, Ok(vec![Value::I32(1), Value::I64(2)]));
    assert_eq!(run(&m, "br_values", &[Value::I32(0)]).0, Ok(vec![Value::I32(3), Value::I64(4)]));
    assert_eq!(run(&m, "table_values", &[Value::I32(0)]).0, Ok(vec![Value::I32(7), Value::I32(8)]));
    assert_eq!(run(&m, "table_values", &[Value::I32(1)]).0, Ok(vec![Value::I32(15), Value::I32(0)]));
    assert_eq!(run(&m, "if_params", &[Value::I32(1)]).0, Ok(vec![Value::I32(105)]));
    assert_eq!(run(&m, "if_params", &[Value::I32(0)]).0, Ok(vec![Value::I32(5)]));
}

#[test]
fn vmcalls_get_memory_only_when_exported_as_memory() {
    let source = |export: &str| {
        format!(
            r#"(module
              (import "svm" "host_layer" (func $layer (result i64)))
              (import "svm" "calldata_len" (func $probe (result i32)))
              (memory {export} 1)
              (type $t (func (result i64)))
              (table 1 funcref) (elem (i32.const 0) $layer)
              (func (export "indirect") (result i64) (call_indirect (type $t) (i32.const 0)))
              (func (export "probe") (result i32 i32) (call $probe) (i32.load8_u (i32.const 0))))"#
        )
    };
    let (_, m) = module(&source(""));
    let mut host = MockHost::new(0, 1);
    // i32.const + call_indirect (11), the vmcall's 2, end (0).
    assert_eq!(run_with(&m, &mut host, &Limits::default(), "indirect", &[], 1000), (Ok(vec![Value::I64(1)]), 13));
    assert_eq!(
        run_with(&m, &mut host, &Limits::default(), "probe", &[], 1000).0,
        Ok(vec![Value::I32(-1), Value::I32(0)])
    );
    assert_eq!(host.calls[1].2, None);

    let (_, m) = module(&source("(export \"memory\")"));
    let mut host = MockHost::new(0, 1);
    assert_eq!(
        run_with(&m, &mut host, &Limits::default(), "probe", &[], 1000).0,
        Ok(vec![Value::I32(65_536), Value::I32(0xAB)])
    );
    assert_eq!(host.calls[0].2, Some(65_536));

    // Exported under another name, the memory stays out of the vmcalls' reach.
    let (_, m) = module(&source("(export \"mem\")"));
    let mut host = MockHost::new(0, 1);
    assert_eq!(
        run_with(&m, &mut host, &Limits::default(), "probe", &[], 1000).0,
        Ok(vec![Value::I32(-1), Value::I32(0)])
    );
}

// ---- memory, segments, globals ----

#[test]
fn loads_stores_and_bounds() {
    let (_, m) = module(
        r#"(module (memory 1)
          (data (i32.const 16) "\80\ff\01\02\03\04\05\86")
          (func (export "loads") (result i32 i32 i32 i32 i64 i64 i64 i64)
            (i32.load8_s (i32.const 16)) (i32.load8_u (i32.const 16))
            (i32.load16_s offset=16 (i32.const 0)) (i32.load (i32.const 17))
            (i64.load8_s (i32.const 16)) (i64.load32_s (i32.const 20))
            (i64.load32_u (i32.const 16)) (i64.load (i32.const 16)))
          (func (export "store") (param i32 i64) (result i64)
            (i64.store (local.get 0) (i64.const -1))
            (i64.store16 offset=2 (local.get 0) (local.get 1))
            (i64.load (local.get 0)))
          (func (export "wrap") (param i32) (result i32) (i32.load offset=1 (local.get 0)))
          (func (export "edge") (param i32) (result i32) (i32.load (local.get 0))))"#,
    );
    assert_eq!(
        run(&m, "loads", &[]).0,
        Ok(vec![
            Value::I32(-128),
            Value::I32(0x80),
            Value::I32(0xffff_ff80u32 as i32),
            Value::I32(0x0302_01ff),
            Value::I64(-128),
            Value::I64(0xffff_ffff_8605_0403u64 as i64),
            Value::I64(0x0201_ff80),
            Value::I64(0x8605_0403_0201_ff80u64 as i64),
        ])
    );
    assert_eq!(
        run(&m, "store", &[Value::I32(8), Value::I64(0x1234_5678)]).0,
        Ok(vec![Value::I64(0xffff_ffff_5678_ffffu64 as i64)])
    );
    // address + offset is computed without wrapping.
    assert_eq!(run(&m, "wrap", &[Value::I32(-1)]).0, trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(run(&m, "edge", &[Value::I32(65_532)]).0, Ok(vec![Value::I32(0)]));
    assert_eq!(run(&m, "edge", &[Value::I32(65_533)]).0, trap(TrapKind::MemoryOutOfBounds));
}

#[test]
fn passive_segments_copy_and_drop() {
    let (_, m) = module(
        r#"(module (memory 1)
          (data $p "hello")
          (data $a (i32.const 100) "xy")
          (func (export "init") (param i32 i32 i32) (result i64)
            (memory.init $p (local.get 0) (local.get 1) (local.get 2))
            (i64.load (i32.const 0)))
          (func (export "init_after_drop") (param i32)
            (data.drop $p)
            (memory.init $p (i32.const 0) (i32.const 0) (local.get 0)))
          (func (export "init_active") (param i32 i32)
            (memory.init $a (i32.const 0) (local.get 0) (local.get 1)))
          (func (export "copy") (result i64)
            (memory.copy (i32.const 101) (i32.const 100) (i32.const 2))
            (i64.load (i32.const 96)))
          (func (export "copy_oob") (memory.copy (i32.const 65535) (i32.const 0) (i32.const 2))))"#,
    );
    assert_eq!(
        run(&m, "init", &[Value::I32(1), Value::I32(1), Value::I32(4)]),
        (Ok(vec![Value::I64(0x006f_6c6c_6500)]), 3 + 10 + 1 + 3 + 4)
    );
    assert_eq!(run(&m, "init", &[Value::I32(0), Value::I32(2), Value::I32(4)]).0, trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(run(&m, "init_after_drop", &[Value::I32(0)]).0, Ok(vec![]));
    assert_eq!(run(&m, "init_after_drop", &[Value::I32(1)]), (trap(TrapKind::MemoryOutOfBounds), 1));
    // An active segment is dropped once applied.
    assert_eq!(run(&m, "init_active", &[Value::I32(0), Value::I32(0)]).0, Ok(vec![]));
    assert_eq!(run(&m, "init_active", &[Value::I32(0), Value::I32(1)]).0, trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(run(&m, "init_active", &[Value::I32(1), Value::I32(0)]).0, trap(TrapKind::MemoryOutOfBounds));
    assert_eq!(run(&m, "copy", &[]).0, Ok(vec![Value::I64(i64::from_le_bytes([0, 0, 0, 0, b'x', b'x', b'y', 0]))]));
    assert_eq!(run(&m, "copy_oob", &[]), (trap(TrapKind::MemoryOutOfBounds), 2));
}

#[test]
fn segments_out_of_bounds_trap_at_instantiation() {
    let (_, m) = module(r#"(module (memory 1) (data (i32.const 65535) "ab") (func (export "f")))"#);
    assert_eq!(run(&m, "f", &[]), (trap(TrapKind::MemoryOutOfBounds), 0));
    let (_, m) = module(r#"(module (table 1 funcref) (elem (i32.const 1) $f) (func $f (export "f")))"#);
    assert_eq!(run(&m, "f", &[]), (trap(TrapKind::TableOutOfBounds), 0));
    // The element segment goes first.
    let (_, m) = module(
        r#"(module (memory 1) (data (i32.const 65536) "a") (table 1 funcref) (elem (i32.const 2) $f) (func $f (export "f")))"#,
    );
    assert_eq!(run(&m, "f", &[]).0, trap(TrapKind::TableOutOfBounds));
    // Later segments overwrite earlier ones; empty segments at the end fit.
    let (_, m) = module(
        r#"(module (memory 1) (data (i32.const 0) "abc") (data (i32.const 1) "Z") (data (i32.const 65536) "")
          (func (export "f") (result i32) (i32.load (i32.const 0))))"#,
    );
    assert_eq!(run(&m, "f", &[]).0, Ok(vec![Value::I32(i32::from_le_bytes(*b"aZc\0"))]));
}

#[test]
fn every_execution_starts_from_a_fresh_instance() {
    let (_, m) = module(
        r#"(module (memory 1)
          (global $g (mut i64) (i64.const 40))
          (global $h f32 (f32.const -0.0))
          (func (export "bump") (result i64 i32 f32)
            (global.set $g (i64.add (global.get $g) (i64.const 2)))
            (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
            (global.get $g) (i32.load (i32.const 0)) (global.get $h)))"#,
    );
    for _ in 0..2 {
        assert_eq!(run(&m, "bump", &[]).0, Ok(vec![Value::I64(42), Value::I32(1), Value::F32(0x8000_0000)]));
    }
}

#[test]
fn floats_follow_the_spec() {
    let (_, m) = module(
        r#"(module
          (func (export "min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
          (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
          (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
          (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0)))
          (func (export "copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
          (func (export "add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
          (func (export "sat") (param f64) (result i32 i64) (i32.trunc_sat_f64_u (local.get 0)) (i64.trunc_sat_f64_s (local.get 0)))
          (func (export "trunc") (param f32) (result i64) (i64.trunc_f32_u (local.get 0))))"#,
    );
    let f32v = |x: f32| Value::F32(x.to_bits());
    let f64v = |x: f64| Value::F64(x.to_bits());
    assert_eq!(run(&m, "min", &[f32v(0.0), f32v(-0.0)]).0, Ok(vec![f32v(-0.0)]));
    assert_eq!(run(&m, "min", &[Value::F32(0xffa0_0000), f32v(1.0)]).0, Ok(vec![Value::F32(0x7fc0_0000)]));
    assert_eq!(run(&m, "max", &[f64v(-0.0), f64v(0.0)]).0, Ok(vec![f64v(0.0)]));
    assert_eq!(run(&m, "nearest", &[f64v(-3.5)]).0, Ok(vec![f64v(-4.0)]));
    assert_eq!(run(&m, "nearest", &[f64v(4.5)]).0, Ok(vec![f64v(4.0)]));
    assert_eq!(run(&m, "neg", &[Value::F64(0x7ff4_0000_0000_0001)]).0, Ok(vec![Value::F64(0xfff4_0000_0000_0001)]));
    assert_eq!(run(&m, "copysign", &[Value::F32(0x7fa0_0001), f32v(-1.0)]).0, Ok(vec![Value::F32(0xffa0_0001)]));
    assert_eq!(run(&m, "add", &[f32v(f32::INFINITY), f32v(f32::NEG_INFINITY)]).0, Ok(vec![Value::F32(0x7fc0_0000)]));
    assert_eq!(run(&m, "add", &[f32v(16_777_216.0), f32v(1.0)]).0, Ok(vec![f32v(16_777_216.0)]));
    assert_eq!(run(&m, "sat", &[f64v(-1e300)]).0, Ok(vec![Value::I32(0), Value::I64(i64::MIN)]));
    assert_eq!(run(&m, "sat", &[Value::F64(0x7ff8_0000_0000_0000)]).0, Ok(vec![Value::I32(0), Value::I64(0)]));
    assert_eq!(run(&m, "trunc", &[f32v(-0.75)]).0, Ok(vec![Value::I64(0)]));
    assert_eq!(run(&m, "trunc", &[f32v(-1.0)]).0, trap(TrapKind::IntegerOverflow));
    assert_eq!(run(&m, "trunc", &[f32v(18_446_742_974_197_923_840.0)]).0, Ok(vec![Value::I64(-1_099_511_627_776)]));
}

// ---- frame weights against deploy validation ----

#[test]
fn frame_weights_agree_with_deploy_validation() {
    let sources = [
        COUNTER,
        r#"(module (func (param i32 i64) (local f32 f64 i32)))"#,
        r#"(module (func (result i32 i32 i32) unreachable))"#,
        r#"(module (func (result i32) unreachable i32.add))"#,
        r#"(module (func unreachable i32.add i32.add i32.add drop))"#,
        r#"(module (func (result i32) (block (result i32) unreachable i32.const 1 i32.const 2 i32.const 3 drop drop)))"#,
        r#"(module (func (result i64) i64.const 1 i64.const 2 i64.const 3 br 0))"#,
        r#"(module (func i32.const 1 i32.const 2 (block (br 0) i64.const 1 i64.const 2 i64.const 3 i64.const 4 drop drop drop drop) drop drop))"#,
        r#"(module (func (result i32) (block (result i32) i32.const 1 i32.const 2 br_if 0 i32.const 4 i32.add)))"#,
        r#"(module (func (result i32) (block (result i32) unreachable br_if 0)))"#,
        r#"(module (func (result i32) (block (result i32) unreachable br_if 0 i32.const 1 i32.const 2 drop drop)))"#,
        r#"(module (func (param i32) (result i32) (block (block (br_table 0 1 (local.get 0)) i32.const 7 i32.const 8 drop drop)) i32.const 9))"#,
        r#"(module (func (result i32) i32.const 1 return i32.const 2 i32.const 3 i32.const 4 drop drop))"#,
        r#"(module (type $t (func (param i32 i32) (result i32 i32 i32)))
            (func (result i32 i32 i32) i32.const 1 i32.const 2 (block (type $t) i32.const 3) ))"#,
        r#"(module (type $t (func (param i32 i32) (result i32 i32)))
            (func (result i32 i32) i32.const 1 i32.const 2 (loop (type $t) unreachable) ))"#,
        r#"(module (type $t (func (param i32) (result i32)))
            (func (param i32) (result i32) (local.get 0) (local.get 0)
              (if (type $t) (then i32.const 1 i32.add) (else unreachable i32.const 5 i32.const 6 drop))))"#,
        r#"(module (func (param i32) (result i32)
              (if (result i32) (local.get 0) (then unreachable) (else i32.const 1 i32.const 2 i32.const 3 drop drop))))"#,
        r#"(module (func unreachable (block (param i32 i32) drop drop) unreachable (loop (result i32 i64) unreachable) drop drop))"#,
        r#"(module (func unreachable (if (result i32 i32) (then i32.const 1 i32.const 2) (else unreachable)) drop drop))"#,
        r#"(module (memory 1) (func (result i32) i32.const 0 i32.const 0 i32.const 0 memory.fill unreachable select))"#,
        r#"(module (func (result f64) f64.const 1 f64.const 2 f64.const 3 f64.const 4 f64.add f64.add f64.add))"#,
        r#"(module (func $f (param i32 i32 i32 i32) (result i32) unreachable)
            (func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.const 4 call $f i32.const 5 i32.const 6 drop drop))"#,
        r#"(module (type $t (func (param i32 i32) (result i32)))
            (table 1 funcref)
            (func (result i32) i32.const 1 i32.const 2 i32.const 0 call_indirect (type $t)))"#,
        r#"(module (func (result i32) (loop (result i32) i32.const 1 i32.const 2 br_if 0 drop br 0)))"#,
        r#"(module (func (result i32) (block (result i32) (block (result i32) unreachable br 1) unreachable) ))"#,
        r#"(module (func (param i64) (result i64) (block (result i64) local.get 0 local.get 0 local.get 0 i32.const 0 br_table 0 0 drop drop)))"#,
    ];
    for source in sources {
        let (code, m) = module(source);
        let expected = validate(&code, &Limits::default()).unwrap().frame_weights;
        assert_eq!(m.frame_weights(), expected, "{source}");
        assert_eq!(m.exported_functions(), validate(&code, &Limits::default()).unwrap().exports, "{source}");
    }
}

/// Every contract binary in the corpus streams and builds decodes, and its frame weights and
/// exports match deploy validation's.
#[test]
fn frame_weights_of_the_corpus_contracts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut binaries: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in ["contracts/sdk", "contracts/c"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                binaries.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    for dir in ["contracts", "contracts/hostile"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wat") {
                binaries.push((path.display().to_string(), wat::parse_file(&path).unwrap()));
            }
        }
    }
    for entry in std::fs::read_dir(root.join("streams")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, chunk) in text.split("\"wasm\":").skip(1).enumerate() {
                let hex = chunk.trim_start().trim_start_matches('"');
                let hex = &hex[..hex.find('"').unwrap()];
                let bytes =
                    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
                binaries.push((format!("{} #{i}", path.display()), bytes));
            }
        }
    }
    let mut admitted = 0;
    for (name, code) in &binaries {
        let Ok(validated) = validate(code, &Limits::default()) else { continue };
        admitted += 1;
        let m = Module::decode(code, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(m.frame_weights(), validated.frame_weights, "{name}");
        assert_eq!(m.exported_functions(), validated.exports, "{name}");
    }
    assert!(admitted >= 10, "only {admitted} admitted contracts found");
}

/// A tiny deterministic generator of valid function bodies over i32, with nested typed blocks,
/// every branch form and plenty of unreachable code, to cross-check D with deploy validation and
/// to run the result under a small gas limit (it must end in an outcome, never a fault).
struct BodyGen {
    state: u64,
    out: Vec<String>,
    /// Open frames: (kind, params, results, entry height, unreachable, else seen).
    frames: Vec<(&'static str, u32, u32, u32, bool)>,
    height: u32,
}

impl BodyGen {
    fn next(&mut self, n: u64) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state % n
    }

    fn top(&self) -> (&'static str, u32, u32, u32, bool) {
        *self.frames.last().unwrap()
    }

    fn emit(&mut self, text: String) {
        self.out.push(text);
    }

    /// Pops `n`, first pushing constants when reachable code lacks them.
    fn pop(&mut self, n: u32) {
        let (_, _, _, base, unreachable) = self.top();
        let available = self.height - base;
        if available < n && !unreachable {
            for _ in available..n {
                let k = self.next(100);
                self.emit(format!("i32.const {k}"));
                self.height += 1;
            }
        }
        self.height = if self.height - base >= n { self.height - n } else { base };
    }

    fn push(&mut self, n: u32) {
        self.height += n;
    }

    /// Leaves exactly `results` values above the frame (dropping or pushing as needed).
    fn settle(&mut self, results: u32) {
        let (_, _, _, base, unreachable) = self.top();
        while self.height > base + results {
            self.emit("drop".into());
            self.height -= 1;
        }
        if !unreachable {
            while self.height < base + results {
                self.emit("i32.const 3".into());
                self.height += 1;
            }
        }
    }

    fn unreachable(&mut self) {
        let frame = self.frames.last_mut().unwrap();
        frame.4 = true;
        self.height = frame.3;
    }

    fn arity(&self, depth: usize) -> u32 {
        let (kind, params, results, _, _) = self.frames[self.frames.len() - 1 - depth];
        if kind == "loop" { params } else { results }
    }

    fn close(&mut self) {
        let (kind, params, results, _, _) = self.top();
        if kind == "if" && self.next(2) == 0 {
            self.settle(results);
            self.emit("else".into());
            let frame = self.frames.last_mut().unwrap();
            frame.0 = "else";
            frame.4 = false;
            self.height = frame.3 + params;
            return;
        }
        if kind == "if" && params != results {
            // An if without else must have params = results.
            self.settle(results);
            self.emit("else".into());
            let frame = self.frames.last_mut().unwrap();
            frame.0 = "else";
            frame.4 = false;
            self.height = frame.3 + params;
        }
        self.settle(results);
        self.emit("end".into());
        let (_, _, results, base, _) = self.frames.pop().unwrap();
        self.height = base + results;
    }

    fn body(seed: u64) -> String {
        let mut g = BodyGen { state: seed | 1, out: Vec::new(), frames: vec![("func", 0, 1, 0, false)], height: 0 };
        for _ in 0..8 {
            g.next(2);
        }
        let length = 10 + g.next(60);
        for _ in 0..length {
            let depth = g.frames.len();
            match g.next(22) {
                0..=2 => {
                    let k = g.next(5);
                    g.emit(format!("i32.const {k}"));
                    g.push(1);
                }
                3 => {
                    g.emit("local.get 0".into());
                    g.push(1);
                }
                4 => {
                    g.pop(1);
                    g.emit("local.tee 0".into());
                    g.push(1);
                }
                5 => {
                    g.pop(2);
                    let op = ["i32.add", "i32.div_u", "i32.mul", "i32.sub"][g.next(4) as usize];
                    g.emit(op.into());
                    g.push(1);
                }
                6 => {
                    g.pop(1);
                    g.emit("drop".into());
                }
                7 => {
                    g.pop(3);
                    g.emit("select".into());
                    g.push(1);
                }
                8..=10 if depth < 6 => {
                    let kind = ["block", "loop", "if"][g.next(3) as usize];
                    let (params, results) = (g.next(3) as u32, g.next(3) as u32);
                    if kind == "if" {
                        g.pop(1);
                    }
                    g.pop(params);
                    g.emit(format!("{kind} (type $b{params}{results})"));
                    let base = g.height;
                    g.frames.push((kind, params, results, base, false));
                    g.push(params);
                }
                11..=12 if depth > 1 => g.close(),
                13 => {
                    let d = g.next(depth as u64) as usize;
                    let arity = g.arity(d);
                    g.pop(arity);
                    g.emit(format!("br {d}"));
                    g.unreachable();
                }
                14 => {
                    let d = g.next(depth as u64) as usize;
                    let arity = g.arity(d);
                    g.pop(1);
                    g.pop(arity);
                    g.emit(format!("br_if {d}"));
                    g.push(arity);
                }
                15 => {
                    let d = g.next(depth as u64) as usize;
                    let arity = g.arity(d);
                    let same: Vec<usize> = (0..depth).filter(|i| g.arity(*i) == arity).collect();
                    let mut targets = String::new();
                    for _ in 0..g.next(4) {
                        targets.push_str(&format!("{} ", same[g.next(same.len() as u64) as usize]));
                    }
                    g.pop(1);
                    g.pop(arity);
                    g.emit(format!("br_table {targets}{d}"));
                    g.unreachable();
                }
                16 => {
                    g.pop(1);
                    g.emit("return".into());
                    g.unreachable();
                }
                17 => {
                    g.emit("unreachable".into());
                    g.unreachable();
                }
                18 => {
                    g.pop(1);
                    g.emit("call $f".into());
                    g.push(1);
                }
                19 => {
                    g.pop(1);
                    g.emit("i32.eqz".into());
                    g.push(1);
                }
                _ => {
                    g.pop(1);
                    g.emit("local.set 0".into());
                }
            }
        }
        while g.frames.len() > 1 {
            g.close();
        }
        g.settle(1);
        g.out.join("\n")
    }
}

#[test]
fn generated_bodies_agree_with_validation_and_always_end_in_an_outcome() {
    let mut types = String::new();
    for p in 0..3 {
        for r in 0..3 {
            let params = " i32".repeat(p);
            let results = " i32".repeat(r);
            types.push_str(&format!("(type $b{p}{r} (func (param{params}) (result{results})))\n"));
        }
    }
    let mut outcomes = BTreeMap::new();
    for seed in 0..1500u64 {
        let body = BodyGen::body(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(12345));
        let source = format!(
            "(module {types} (func $f (export \"f\") (param i32) (result i32) {body}) (func (export \"g\") (param i32) (result i32) (call $f (local.get 0))))"
        );
        let code = wat::parse_str(&source).unwrap_or_else(|e| panic!("{e}\n{source}"));
        let validated = validate(&code, &Limits::default()).unwrap_or_else(|e| panic!("{e:?}\n{source}"));
        let m = Module::decode(&code, &Limits::default()).unwrap();
        assert_eq!(m.frame_weights(), validated.frame_weights, "{source}");
        for arg in [0, 1, 7] {
            let mut host = MockHost::new(0, 1);
            let (result, _) = run_with(&m, &mut host, &Limits::default(), "g", &[Value::I32(arg)], 300_000);
            let key = match result {
                Ok(_) => "success".to_string(),
                Err(Stop::Fault(f)) => panic!("fault {f}\n{source}"),
                Err(stop) => format!("{stop:?}"),
            };
            *outcomes.entry(key).or_insert(0) += 1;
        }
    }
    // The generator reaches every kind of ending.
    assert_eq!(outcomes.len(), 5, "{outcomes:?}");
}
