;; svm-layout: pages=1 slices=0:0:8 0:8:0
;; lists: a map of 8-byte keys to lists of 8-byte values in collection slot 1 (after an 8-byte slice).
;; push(key, value) appends value to the list at key, creating it if absent.
(module
  (import "svm" "collection_open" (func $open (param i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_open_nested" (func $nested (param i32 i32 i32 i32 i32) (result i32)))
  (import "svm" "collection_push" (func $push (param i32 i32 i32) (result i64)))
  (memory (export "memory") 1)
  (func (export "push") (param $key i64) (param $value i64)
    (i64.store (i32.const 0) (local.get $key))
    (i64.store (i32.const 8) (local.get $value))
    (drop (call $push
      (call $nested (call $open (i32.const 1) (i32.const 1) (i32.const 8) (i32.const 1))
        (i32.const 0) (i32.const 4) (i32.const 8) (i32.const 0))
      (i32.const 8) (i32.const 8)))))
