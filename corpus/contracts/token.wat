;; token: balances of 8 holders in page slices, a total supply, and a transfer log.
;; svm-layout: pages=2 slices=0:0:8 0:8:8 0:16:8 0:24:8 0:32:8 0:40:8 0:48:8 0:56:8 1:0:8
(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  (import "svm" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  ;; Traps (unreachable) unless `holder` is one of the 8 holders.
  (func $check (param $holder i32)
    (if (i32.ge_u (local.get $holder) (i32.const 8)) (then unreachable)))
  ;; Creates `amount` new tokens for `holder`.
  (func (export "mint") (param $holder i32) (param $amount i64)
    (call $check (local.get $holder))
    (call $write (local.get $holder) (i64.add (call $read (local.get $holder)) (local.get $amount)))
    (call $write (i32.const 8) (i64.add (call $read (i32.const 8)) (local.get $amount))))
  ;; Moves `amount` from `from` to `to`; returns 1, or 0 (and changes nothing) when `from` has too little.
  (func (export "transfer") (param $from i32) (param $to i32) (param $amount i64) (result i32)
    (local $balance i64)
    (call $check (local.get $from))
    (call $check (local.get $to))
    (local.set $balance (call $read (local.get $from)))
    (if (i64.lt_u (local.get $balance) (local.get $amount)) (then (return (i32.const 0))))
    (call $write (local.get $from) (i64.sub (local.get $balance) (local.get $amount)))
    (call $write (local.get $to) (i64.add (call $read (local.get $to)) (local.get $amount)))
    ;; Log (from, to, amount) as 16 bytes.
    (i32.store (i32.const 0) (local.get $from))
    (i32.store (i32.const 4) (local.get $to))
    (i64.store (i32.const 8) (local.get $amount))
    (call $log (i32.const 0) (i32.const 16))
    (i32.const 1))
  ;; The balance of `holder`.
  (func (export "balance") (param $holder i32) (result i64)
    (call $read (local.get $holder)))
  ;; The total supply.
  (func (export "supply") (result i64)
    (call $read (i32.const 8))))
