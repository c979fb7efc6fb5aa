;; A library whose one function, "big", answers an array of 400,000
;; integers: 1.6 MB of guest memory, but far more as host values. For the
;; reply bound of script-max-memory.
(module
  (import "polyfn" "register_function"
    (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 32 32)
  (data (i32.const 0) "*400000\r\n")
  (data (i32.const 16) "big")
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param $n i32) (result i32) (i32.const 65536))
  (func (export "polyfn_init")
    (call $register (i32.const 16) (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "polyfn_call") (param $h i32) (param $p i32) (param $n i32) (result i64)
    (local $i i32)
    (local.set $i (i32.const 9))
    (block $done
      (loop $fill
        (br_if $done (i32.ge_u (local.get $i) (i32.const 1600009)))
        (i32.store (local.get $i) (i32.const 0x0a0d313a))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fill)))
    (i64.const 1600009)))
