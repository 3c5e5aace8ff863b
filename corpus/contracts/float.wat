;; float: float arithmetic. Refused at deploy under the `refused` float rule (`code-rejected:float`); under
;; `canonicalized`, the default, it runs with every NaN canonical, bit-identical on every compiler.
;; svm-layout: pages=1 slices=0:0:8
(module
  (import "svm" "storage_read_i64" (func $read (param i32) (result i64)))
  (import "svm" "storage_write_i64" (func $write (param i32 i64)))
  ;; Half of `x`, rounded toward zero.
  (func (export "half") (param $x i32) (result i32)
    (i32.trunc_f32_s (f32.div (f32.convert_i32_s (local.get $x)) (f32.const 2))))
  ;; Stores sqrt(x) as f64 bits in slice 0 and returns them (NaN for negative x: the canonical NaN).
  (func (export "sqrt_bits") (param $x f64) (result i64)
    (local $bits i64)
    (local.set $bits (i64.reinterpret_f64 (f64.sqrt (local.get $x))))
    (call $write (i32.const 0) (local.get $bits))
    (local.get $bits))
  ;; The f64 whose bits slice 0 holds, times `y`.
  (func (export "scale") (param $y f64) (result f64)
    (f64.mul (f64.reinterpret_i64 (call $read (i32.const 0))) (local.get $y))))
