//! The spec-suite runner: the shared subset's totals are pinned, and the runner really fails what
//! does not hold.

use std::path::{Path, PathBuf};
use svm_sim::conformance::run_file;
use svm_sim::conformance::tally::pin_text;

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasm-testsuite")
}

fn suite() -> Vec<PathBuf> {
    let dir = suite_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_shared_subset_passes_on_both_compilers_with_pinned_per_file_totals() {
    let tallies: Vec<_> = suite().iter().map(|f| run_file(f).unwrap()).collect();
    let failures: Vec<&String> = tallies.iter().flat_map(|t| &t.failed).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    // Pinned per file: a change means the runtime or the allow-list changed what the suite sees.
    // Regenerate with `svm-sim wast corpus/wasm-testsuite --pin corpus/wasm-testsuite/pinned-totals.tsv`.
    let pinned = std::fs::read_to_string(suite_dir().join("pinned-totals.tsv")).unwrap();
    let now = pin_text(&tallies);
    for (pin, line) in pinned.lines().zip(now.lines()) {
        assert_eq!(line, pin, "per-file totals changed");
    }
    assert_eq!(pinned.lines().count(), now.lines().count(), "files added or removed:\n{now}");
    // The promise: at least 90% of the assertions on modules that use only admitted features (and need
    // neither spectest nor linking) execute through the VM.
    let (executed, eligible) = tallies.iter().fold((0, 0), |(x, e), t| (x + t.executed(), e + t.eligible()));
    assert!(executed * 10 >= eligible * 9, "{executed} of {eligible} eligible assertions executed");
}

fn run_text(dir: &Path, text: &str) -> svm_sim::conformance::FileTally {
    let path = dir.join("t.wast");
    std::fs::write(&path, text).unwrap();
    run_file(&path).unwrap()
}

#[test]
fn wrong_assertions_fail() {
    let dir = tempfile::tempdir().unwrap();
    let t = run_text(
        dir.path(),
        r#"(module
             (func (export "one") (result i32) (i32.const 1))
             (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
             (func $rec (export "rec") (result i32) (call $rec)))
           (assert_return (invoke "one") (i32.const 2))
           (assert_trap (invoke "div" (i32.const 0)) "integer overflow")
           (assert_trap (invoke "one") "unreachable")
           (assert_exhaustion (invoke "one") "call stack exhausted")
           (assert_invalid (module (func (export "ok"))) "type mismatch")
           (assert_return (invoke "one") (i32.const 1))
           (assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
           (assert_exhaustion (invoke "rec") "call stack exhausted")"#,
    );
    assert_eq!(t.failed.len(), 5, "{:#?}", t.failed);
    assert_eq!(t.passed, 3);
    assert!(t.failed[0].starts_with("line 5:"), "{}", t.failed[0]);
}

#[test]
fn rejected_modules_and_host_modules_are_skipped_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let t = run_text(
        dir.path(),
        r#"(module (func (export "f") (result i32) (drop (v128.const i32x4 1 2 3 4)) (i32.const 1)))
           (assert_return (invoke "f") (i32.const 1))
           (module (import "spectest" "print_i32" (func (param i32))) (func (export "g")))
           (assert_return (invoke "g"))
           (register "M")
           (assert_malformed (module quote "(func (result i32) (i32.const))") "type mismatch")"#,
    );
    assert!(t.failed.is_empty(), "{:#?}", t.failed);
    assert_eq!(t.modules_rejected.get("simd"), Some(&1));
    assert_eq!(t.skipped.get("module rejected: simd"), Some(&1));
    assert_eq!(t.skipped.get("needs the spectest host module"), Some(&1));
    assert_eq!(t.skipped.get("register command (cross-module linking)"), Some(&1));
    assert_eq!(t.passed, 1);
    // Every skip here is outside the promise: nothing eligible, nothing executed.
    assert_eq!((t.executed(), t.eligible()), (0, 0));
}

#[test]
fn floats_run_with_nan_patterns_and_a_state_kept_between_invokes_counts_against_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let t = run_text(
        dir.path(),
        r#"(module (memory 1)
             (func (export "div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
             (func (export "store") (i32.store (i32.const 0) (i32.const 9)))
             (func (export "load") (result i32) (i32.load (i32.const 0))))
           (assert_return (invoke "div" (f32.const 1) (f32.const 4)) (f32.const 0.25))
           (assert_return (invoke "div" (f32.const 0) (f32.const 0)) (f32.const nan:canonical))
           (assert_return (invoke "div" (f32.const nan:0x200000) (f32.const 1)) (f32.const nan:arithmetic))
           (invoke "store")
           (assert_return (invoke "load") (i32.const 9))"#,
    );
    assert!(t.failed.is_empty(), "{:#?}", t.failed);
    // The three float assertions and the bare invoke executed; the load relies on the store's state.
    assert_eq!((t.executed(), t.skipped_within_promise(), t.eligible()), (4, 1, 5));
}

#[test]
fn unparsable_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.wast");
    std::fs::write(&path, "(module (func").unwrap();
    assert!(run_file(&path).is_err());
    assert!(run_file(&dir.path().join("missing.wast")).is_err());
}
