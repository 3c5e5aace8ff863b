//! Storage is priced by page: the first access to a page in an execution and the first write to it
//! cost what `svm_core::gas::storage_prices` says, once each, whatever the page cache does; an
//! execution may make at most `Limits::max_dirty_pages` pages dirty.

mod common;

use common::*;
use svm::Value;
use svm::gas::storage_prices::{page_dirty, page_load};
use svm::outcome::Outcome;
use svm::runtime::RuntimeConfig;
use svm::vmcalls::HostError;

/// Four 8-byte slices: two on page 0, one on page 1, one on page 2. Pairs of functions differ only in
/// the slice a second access names, so that their wasm operators cost the same.
const PAIRS: &str = r#"(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (func (export "read_same_page") (drop (call $read (i32.const 0))) (drop (call $read (i32.const 1))))
  (func (export "read_other_page") (drop (call $read (i32.const 0))) (drop (call $read (i32.const 2))))
  (func (export "write_same_page") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 1) (i64.const 1)))
  (func (export "write_other_page") (call $write (i32.const 0) (i64.const 1)) (call $write (i32.const 2) (i64.const 1)))
  (func (export "read_then_write_read_page") (drop (call $read (i32.const 2))) (call $write (i32.const 2) (i64.const 1)))
  (func (export "read_then_write_other_page") (drop (call $read (i32.const 2))) (call $write (i32.const 3) (i64.const 1)))
  (func (export "hop") (result i64)
    (i64.add (i64.add (call $read (i32.const 0)) (call $read (i32.const 2)))
             (i64.add (call $read (i32.const 3)) (i64.add (call $read (i32.const 0)) (call $read (i32.const 2)))))))"#;

fn gas_of(config: RuntimeConfig, function: &str) -> u64 {
    let mut rt = runtime(config);
    let c = deployed(&mut rt, &inline(PAIRS, 3, &[(0, 0, 8), (0, 8, 8), (1, 0, 8), (2, 0, 8)]));
    let receipt = call(&mut rt, c, function, &[]);
    assert_eq!(receipt.outcome, Outcome::Success, "{function}: {}", receipt.diagnostic);
    receipt.gas_used
}

#[test]
fn the_first_access_and_the_first_write_to_a_page_are_charged_once_each() {
    let (load, dirty) = (page_load(3), page_dirty(3));
    for config in configs() {
        let gas = |f: &str| gas_of(config.clone(), f);
        assert_eq!(gas("read_other_page") - gas("read_same_page"), load, "{config:?}");
        assert_eq!(gas("write_other_page") - gas("write_same_page"), load + dirty, "{config:?}");
        assert_eq!(gas("read_then_write_other_page") - gas("read_then_write_read_page"), load, "{config:?}");
    }
    // A deeper tree costs more per page.
    assert!(page_load(1 << 16) > page_load(3) && page_dirty(1 << 16) > page_dirty(3));
}

#[test]
fn evicted_pages_are_not_charged_again() {
    let expected = gas_of(RuntimeConfig::default(), "hop");
    for config in configs() {
        for capacity in [1, 2, 1024] {
            let config = RuntimeConfig { page_cache_capacity: capacity, ..config.clone() };
            assert_eq!(gas_of(config, "hop"), expected, "page cache of {capacity}");
        }
    }
}

#[test]
fn an_execution_may_make_at_most_the_limit_of_pages_dirty() {
    let limit = svm::Limits::default().max_dirty_pages;
    let pages = limit + 8;
    let slices: Vec<(u32, u32, u32)> = (0..pages).map(|p| (p, 0, 8)).collect();
    let source = inline(
        r#"(module
          (import "svm" "storage_write_i64" (func $write (param i32 i64)))
          (func (export "dirty") (param $pages i32) (local $i i32)
            (loop $l
              (call $write (local.get $i) (i64.const 7))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get $pages))))))"#,
        pages,
        &slices,
    );
    for config in configs() {
        let mut rt = runtime(config.clone());
        let c = deployed(&mut rt, &source);
        let at_limit = call(&mut rt, c, "dirty", &[Value::I32(limit as i32)]);
        assert_eq!(at_limit.outcome, Outcome::Success, "{config:?}: {}", at_limit.diagnostic);
        let over = call(&mut rt, c, "dirty", &[Value::I32(limit as i32 + 1)]);
        assert_eq!(over.outcome, Outcome::Host(HostError::TooManyDirtyPages), "{config:?}");
    }
}
