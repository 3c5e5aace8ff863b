;; hostile: imports a vmcall that does not exist. Expected: deploy rejected by rule `unknown-vmcall`.
;; svm-layout: pages=0 slices=
(module
  (import "svm" "launch_missiles" (func $launch (param i32)))
  (func (export "go") (call $launch (i32.const 1))))
