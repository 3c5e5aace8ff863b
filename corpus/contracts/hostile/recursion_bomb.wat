;; hostile: unbounded recursion. Expected: stack exhausted at the VM's own budget, the same call and
;; svm-layout: pages=0 slices=
;; gas on every compiler (never the native guard page).
(module
  (func $down (export "down") (param $n i64) (result i64)
    (i64.add (call $down (i64.add (local.get $n) (i64.const 1))) (i64.const 1))))
