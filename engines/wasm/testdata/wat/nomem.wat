;; Does not export its memory.
(module
  (import "polyfn" "register_function" (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (memory 1)
  (data (i32.const 0) "f")
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "polyfn_init") (call $register (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "polyfn_call") (param i32 i32 i32) (result i64) (i64.const 0))
)
