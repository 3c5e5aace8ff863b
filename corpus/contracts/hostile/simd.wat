;; hostile: a SIMD operator. Expected: deploy refused by rule `simd` (vector semantics are not checked the
;; same on every compiler, and nothing a contract needs requires them).
;; svm-layout: pages=0 slices=
(module
  (func (export "splat") (result i32)
    (i32x4.extract_lane 0 (i32x4.splat (i32.const 7)))))
