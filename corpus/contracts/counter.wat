;; counter: one 8-byte slice (slice 0) holding a little-endian u64.
;; svm-layout: pages=1 slices=0:0:8
(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  ;; Adds one and returns the new count.
  (func (export "inc") (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (i32.const 0)) (i64.const 1)))
    (call $write (i32.const 0) (local.get $n))
    (local.get $n))
  ;; Adds `delta` and returns the new count.
  (func (export "add") (param $delta i64) (result i64)
    (local $n i64)
    (local.set $n (i64.add (call $read (i32.const 0)) (local.get $delta)))
    (call $write (i32.const 0) (local.get $n))
    (local.get $n))
  ;; The current count.
  (func (export "get") (result i64)
    (call $read (i32.const 0))))
