//! The deploy allow-list: each rule rejects what it names, and what is allowed passes.

use svm_core::Limits;
use svm_core::limits::FloatRule;
use svm_core::validation::{Rule, validate};

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn rejects(rule: Rule, text: &str) {
    rejects_under(&Limits::default(), rule, text);
}

fn rejects_under(limits: &Limits, rule: Rule, text: &str) {
    let code = wat(text);
    match validate(&code, limits) {
        Err(e) => assert_eq!(e.rule, rule, "{text}\nrejected by {} instead: {}", e.rule, e.detail),
        Ok(_) => panic!("accepted, expected {rule}:\n{text}"),
    }
}

fn repeat(n: usize, f: impl Fn(usize) -> String) -> String {
    (0..n).map(f).collect::<Vec<_>>().join("\n")
}

/// Modules that use floats, each in another way.
const FLOAT_MODULES: [&str; 7] = [
    r#"(module (func (result f32) (f32.add (f32.const 1) (f32.const 2))))"#,
    r#"(module (func (param f64)))"#,
    r#"(module (func (local f32)))"#,
    r#"(module (global f64 (f64.const 0)))"#,
    r#"(module (func (param i32) (result i32) (i32.trunc_sat_f32_s (f32.const 0))))"#,
    r#"(module (memory 1) (func (result f64) (f64.load (i32.const 0))))"#,
    r#"(module (func (result i32) (block (result f32) (f32.const 1)) (drop) (i32.const 0)))"#,
];

#[test]
fn floats_follow_the_float_rule() {
    let refused = Limits { floats: FloatRule::Refused, ..Limits::default() };
    for text in FLOAT_MODULES {
        rejects_under(&refused, Rule::Float, text);
        assert!(
            validate(&wat(text), &Limits { floats: FloatRule::Canonicalized, ..Limits::default() }).is_ok(),
            "{text}"
        );
    }
    assert_eq!(Limits::default().floats, FloatRule::Canonicalized);
}

#[test]
fn what_current_compilers_emit_by_default_is_admitted() {
    let admitted = [
        // Bulk memory, its passive segments, and data.drop.
        r#"(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))"#,
        r#"(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 8) (i32.const 4))))"#,
        r#"(module (memory 1) (data "passive") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 4)) (data.drop 0)))"#,
        // Multi-value functions and blocks with parameters.
        r#"(module (func (result i32 i64) (i32.const 1) (i64.const 2)))"#,
        r#"(module (func (result i32) (i32.const 1) (block (param i32) (result i32) (i32.const 2) (i32.add))))"#,
        // Sign extension.
        r#"(module (func (result i64) (i64.extend32_s (i64.const 5))))"#,
    ];
    for text in admitted {
        assert!(validate(&wat(text), &Limits::default()).is_ok(), "{text}");
    }
    // The over-long table-index encoding of call_indirect current LLVM emits (table 0 as 5 LEB bytes).
    let short = wat(r#"(module (type $t (func)) (table 1 funcref) (func (call_indirect (type $t) (i32.const 0))))"#);
    let pattern = [0x11, 0x00, 0x00]; // call_indirect, type 0, table 0
    let at = short.windows(3).position(|w| w == pattern).expect("call_indirect in the binary");
    let mut long = short[..at + 2].to_vec();
    long.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x00]);
    long.extend_from_slice(&short[at + 3..]);
    // The code section's and the body's sizes grew by four bytes.
    let code = long.iter().rposition(|&b| b == 0x0a).expect("code section id");
    long[code + 1] += 4;
    long[code + 3] += 4;
    assert!(validate(&long, &Limits::default()).is_ok(), "over-long call_indirect table index");
}

#[test]
fn each_rule_rejects_what_it_names() {
    rejects(Rule::Simd, r#"(module (func (drop (v128.const i32x4 1 2 3 4))))"#);
    rejects(Rule::Threads, r#"(module (memory 1 1 shared))"#);
    rejects(Rule::Threads, r#"(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))"#);
    rejects(
        Rule::BulkMemory,
        r#"(module (table 2 funcref) (func (table.copy (i32.const 0) (i32.const 1) (i32.const 1))))"#,
    );
    rejects(Rule::BulkMemory, r#"(module (table 1 funcref) (func $f) (elem func $f))"#);
    rejects(Rule::ReferenceTypes, r#"(module (func (drop (ref.null func))))"#);
    rejects(Rule::ReferenceTypes, r#"(module (table 1 externref))"#);
    rejects(Rule::ReferenceTypes, r#"(module (table 1 funcref) (table 1 funcref))"#);
    rejects(
        Rule::ReferenceTypes,
        r#"(module (type $t (func)) (table 1 funcref) (table 1 funcref) (func (call_indirect 1 (type $t) (i32.const 0))))"#,
    );
    rejects(
        Rule::MultiMemory,
        r#"(module (memory 1) (memory 1) (func (memory.copy 1 0 (i32.const 0) (i32.const 0) (i32.const 0))))"#,
    );
    rejects(Rule::TailCall, r#"(module (func $f (return_call $f)))"#);
    rejects(Rule::Exceptions, r#"(module (tag))"#);
    rejects(Rule::MultiMemory, r#"(module (memory 1) (memory 1))"#);
    rejects(Rule::Memory64, r#"(module (memory i64 1))"#);
    rejects(Rule::OtherProposal, r#"(module (global i32 (i32.add (i32.const 1) (i32.const 2))))"#);
    rejects(
        Rule::OtherProposal,
        r#"(module (func (param i64 i64 i64 i64) (drop (drop (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))))"#,
    );
    rejects(Rule::OtherProposal, r#"(module (memory 1 (pagesize 1)))"#);
    rejects(Rule::MemoryTooLarge, r#"(module (memory 65))"#);
    rejects(Rule::MemoryTooLarge, r#"(module (memory 1 100))"#);
    rejects(Rule::TableTooLarge, r#"(module (table 5000 funcref))"#);
    rejects(Rule::TableTooLarge, r#"(module (table 1 5000 funcref))"#);
    rejects(
        Rule::TooManyTypes,
        &format!(
            "(module {})",
            repeat(257, |i| format!("(type (func (param {})))", " i32".repeat(i % 30 + 1) + &" i64".repeat(i / 30)))
        ),
    );
    rejects(Rule::TooManyFunctions, &format!("(module {})", repeat(4097, |_| "(func)".into())));
    rejects(
        Rule::TooManyImports,
        &format!("(module {})", repeat(65, |_| r#"(import "svm" "host_layer" (func (result i64)))"#.into())),
    );
    rejects(
        Rule::TooManyExports,
        &format!("(module (func $f) {})", repeat(257, |i| format!("(export \"e{i}\" (func $f))"))),
    );
    rejects(Rule::TooManyGlobals, &format!("(module {})", repeat(257, |_| "(global i32 (i32.const 0))".into())));
    rejects(Rule::TooManyParams, &format!("(module (func (param{})))", " i32".repeat(129)));
    rejects(Rule::TooManyParams, &format!("(module (func (result{}) unreachable))", " i32".repeat(129)));
    rejects(Rule::TooManyLocals, &format!("(module (func (param i32) (local{})))", " i64".repeat(1024)));
    rejects(
        Rule::FrameTooLarge,
        &format!("(module (func {} {}))", "(i32.const 1)".repeat(4090), "(drop)".repeat(4090)),
    );
    rejects(Rule::ImportOutsideSvm, r#"(module (import "env" "abort" (func)))"#);
    rejects(Rule::UnknownVmcall, r#"(module (import "svm" "self_destruct" (func)))"#);
    rejects(Rule::VmcallSignature, r#"(module (import "svm" "host_layer" (func (result i32))))"#);
    rejects(Rule::NonFunctionImport, r#"(module (import "svm" "memory" (memory 1)))"#);
    rejects(Rule::StartFunction, r#"(module (func $f) (start $f))"#);
    rejects(Rule::ReservedExport, r#"(module (func $f) (export "__svm_stack_used" (func $f)))"#);
    rejects(
        Rule::ReservedExport,
        r#"(module (global i64 (i64.const 0)) (export "wasmer_metering_remaining_points" (global 0)))"#,
    );
}

#[test]
fn raw_bytes_and_size_limits() {
    let limits = Limits::default();
    assert_eq!(validate(b"not wasm at all", &limits).unwrap_err().rule, Rule::Malformed);
    assert_eq!(validate(&[], &limits).unwrap_err().rule, Rule::Malformed);
    let mut truncated = wat(r#"(module (func (export "f") (result i32) (i32.const 1)))"#);
    truncated.pop();
    assert_eq!(validate(&truncated, &limits).unwrap_err().rule, Rule::Malformed);
    // A component is not a module.
    assert_eq!(validate(&wat("(component)"), &limits).unwrap_err().rule, Rule::Malformed);
    let big = wat(&format!(r#"(module (memory 8) (data (i32.const 0) "{}"))"#, "x".repeat(300 * 1024)));
    assert_eq!(validate(&big, &limits).unwrap_err().rule, Rule::CodeTooLarge);
}

#[test]
fn the_allowed_subset_passes_and_reports_frame_weights() {
    let accepted = wat(r#"(module
          (import "svm" "host_layer" (func $layer (result i64)))
          (type $t (func (param i32) (result i32)))
          (table 2 funcref)
          (elem (i32.const 0) $sign $sign)
          (memory (export "memory") 1 64)
          (global $g (export "g") (mut i64) (i64.const 0))
          (data (i32.const 8) "abc")
          (func $sign (type $t) (i32.extend8_s (local.get 0)))
          (func (export "run") (param i64) (result i64) (local i32 i32)
            (global.set $g (i64.extend32_s (local.get 0)))
            (drop (call_indirect (type $t) (i32.const 5) (i32.const 1)))
            (i64.add (call $layer) (i64.load (i32.const 8)))))"#);
    let validated = validate(&accepted, &Limits::default()).unwrap();
    // Frame weight = 8 overhead + params and locals + deepest operand stack.
    assert_eq!(validated.frame_weights, vec![8 + 1 + 1, 8 + 3 + 2]);
}

#[test]
fn limits_are_the_configured_ones() {
    let limits = Limits { max_memory_pages: 2, ..Limits::default() };
    let three = wat("(module (memory 3))");
    assert_eq!(validate(&three, &limits).unwrap_err().rule, Rule::MemoryTooLarge);
    assert!(validate(&three, &Limits::default()).is_ok());
}
