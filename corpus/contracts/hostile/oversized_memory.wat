;; hostile: declares 4 GiB of memory. Expected: deploy rejected by rule `memory-too-large`.
;; svm-layout: pages=0 slices=
(module
  (memory (export "memory") 65536)
  (func (export "nothing")))
