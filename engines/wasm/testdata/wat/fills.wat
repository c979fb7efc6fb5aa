;; memory.fill in every shape the instrumentation's fill function takes
;; over or hands back (instrument_test.go compares the module with its
;; instrumented self).
(module
  (memory (export "memory") 1 3)
  (func (export "fill") (param i32 i32 i32)
    local.get 0
    local.get 1
    local.get 2
    memory.fill)
  (func (export "grow") (result i32)
    i32.const 1
    memory.grow))
