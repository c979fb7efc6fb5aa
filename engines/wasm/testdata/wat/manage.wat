;; The "manage" library of the engine suite (manage.txt): m_two returns
;; 2; flags no-writes, description "second".
(module
  (import "polyfn" "register_function" (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "m_two")
  (data (i32.const 8) "no-writes")
  (data (i32.const 24) "second")
  (data (i32.const 32) ":2\0d\0a")
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "polyfn_init")
    (call $register (i32.const 0) (i32.const 5) (i32.const 8) (i32.const 9) (i32.const 24) (i32.const 6) (i32.const 0)))
  (func (export "polyfn_call") (param i32 i32 i32) (result i64) (i64.const 0x0000002000000004))
)
