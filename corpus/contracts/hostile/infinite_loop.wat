;; hostile: an infinite loop. Expected: out of gas, the whole limit used.
;; svm-layout: pages=0 slices=
(module
  (func (export "spin") (loop $forever (br $forever))))
