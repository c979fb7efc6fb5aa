;; Loops forever in its start function (run at instantiation): the load
;; must still time out.
(module
  (import "polyfn" "register_function" (func $register (param i32 i32 i32 i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (func $spin (loop $l (br $l)))
  (start $spin)
  (func (export "polyfn_abi_version") (result i32) (i32.const 1))
  (func (export "polyfn_alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "polyfn_init"))
  (func (export "polyfn_call") (param i32 i32 i32) (result i64) (i64.const 0))
)
