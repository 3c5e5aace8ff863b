//! The spec-suite runner: the shared subset's totals are pinned, and the runner really fails what
//! does not hold.

use std::path::{Path, PathBuf};
use svm_sim::conformance::{Totals, run_file};

fn suite() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasm-testsuite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_shared_subset_passes_on_both_compilers_with_pinned_totals() {
    let tallies: Vec<_> = suite().iter().map(|f| run_file(f).unwrap()).collect();
    let totals = Totals::of(&tallies);
    let failures: Vec<&String> = tallies.iter().flat_map(|t| &t.failed).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    // Pinned: a change here means the runtime or the allow-list changed what the suite sees.
    assert_eq!(
        (totals.files, totals.passed, totals.modules_accepted, totals.modules_rejected.values().sum::<usize>()),
        (30, PASSED, ACCEPTED, REJECTED),
        "{totals:#?}"
    );
    assert_eq!(totals.skipped.values().sum::<usize>(), SKIPPED, "{:#?}", totals.skipped);
}

const PASSED: usize = 2365;
const ACCEPTED: usize = 41;
const REJECTED: usize = 355;
const SKIPPED: usize = 4843;

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
        r#"(module (func (export "f") (result f32) (f32.const 1)))
           (assert_return (invoke "f") (f32.const 1))
           (module (import "spectest" "print_i32" (func (param i32))) (func (export "g")))
           (assert_return (invoke "g"))
           (register "M")
           (assert_malformed (module quote "(func (result i32) (i32.const))") "type mismatch")"#,
    );
    assert!(t.failed.is_empty(), "{:#?}", t.failed);
    assert_eq!(t.modules_rejected.get("float"), Some(&1));
    assert_eq!(t.skipped.get("module rejected: float"), Some(&1));
    assert_eq!(t.skipped.get("needs the spectest host module"), Some(&1));
    assert_eq!(t.skipped.get("register command (cross-module linking)"), Some(&1));
    assert_eq!(t.passed, 1);
}

#[test]
fn unparsable_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.wast");
    std::fs::write(&path, "(module (func").unwrap();
    assert!(run_file(&path).is_err());
    assert!(run_file(&dir.path().join("missing.wast")).is_err());
}
