;; Registers a function from inside a call, which only polyfn_init may do.
(module
  (import "polyfn" "register_function" (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "late")
  (data (i32.const 8) "other")
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "polyfn_init") (call $register (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "polyfn_call") (param i32 i32 i32) (result i64)
    (call $register (i32.const 8) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1))
    (i64.const 0))
)
