;; hostile: grows memory one page at a time until refused. Expected: success; `grow` returns the
;; svm-layout: pages=0 slices=
;; number of pages it managed to add (the VM's cap minus the initial page), because memory.grow
;; past the cap returns -1 on every engine.
(module
  (memory (export "memory") 1)
  (func (export "grow") (result i32)
    (local $added i32)
    (block $refused
      (loop $more
        (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $added (i32.add (local.get $added) (i32.const 1)))
        (br $more)))
    (local.get $added))
  ;; Asks for 2^16 pages at once: refused with -1.
  (func (export "grow_huge") (result i32)
    (memory.grow (i32.const 65536))))
