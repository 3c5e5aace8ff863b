;; hostile: hands a vmcall a pointer past the end of memory. Expected: host error
;; `memory-out-of-bounds`, state unchanged.
;; svm-layout: pages=1 slices=0:0:64
(module
  (import "svm" "storage_write_from_mem" (func $write (param i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "smash")
    (call $write (i32.const 0) (i32.const 0) (i32.const 64) (i32.const 65500))))
