;; Runs a command (PING) from polyfn_init, which only may register and log.
(module
  (import "polyfn" "register_function" (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (import "polyfn" "call" (func $call (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")
  ;; the list ["PING"]
  (data (i32.const 16) "\01\00\00\00\04\00\00\00PING")
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "polyfn_init")
    (call $register (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))
    (drop (call $call (i32.const 16) (i32.const 12) (i32.const 512) (i32.const 512))))
  (func (export "polyfn_call") (param i32 i32 i32) (result i64) (i64.const 0))
)
