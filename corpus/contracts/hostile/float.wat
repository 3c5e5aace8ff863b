;; hostile: a float operator. Expected: deploy rejected by rule `float`.
;; svm-layout: pages=0 slices=
(module
  (func (export "half") (param i32) (result i32)
    (i32.trunc_f32_s (f32.div (f32.convert_i32_s (local.get 0)) (f32.const 2)))))
