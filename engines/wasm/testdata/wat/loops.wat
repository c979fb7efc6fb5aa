;; Loop shapes for the instrumentation test (instrument_test.go): each
;; function gives the same results before and after instrumentation.
(module
  (memory (export "memory") 1)
  (type $pair (func (param i32) (result i32 i32)))
  ;; sum of 1..n, a loop with a result value
  (func (export "sum") (param $n i32) (result i32)
    (local $s i32)
    (loop $l (result i32)
      (local.set $s (i32.add (local.get $s) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))
      (local.get $s)))
  ;; nested loops leaving both at once (br to the outer block), and a
  ;; br_table whose targets are the inner loop, the outer loop and the block
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    (block $out
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $out (i32.ge_s (local.get $c) (i32.const 100000)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_table $inner $outer $out
            (select (i32.const 0)
              (select (i32.const 1) (i32.const 2) (i32.lt_s (local.get $i) (local.get $n)))
              (i32.lt_s (local.get $j) (i32.const 7))))
          )
        ;; not reached: the br_table always branches
        (unreachable)))
    (i32.add (i32.mul (local.get $c) (i32.const 1000)) (local.get $j)))
  ;; a return from inside a loop, in an if
  (func (export "find") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (if (i32.eq (i32.mul (local.get $i) (local.get $i)) (local.get $n))
        (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
    (i32.const -1))
  ;; a loop with a parameter (keeps the inline check) and two results
  (func (export "params") (param $n i32) (result i32)
    (local $a i32)
    (local.get $n)
    (loop $l (param i32) (result i32)
      (local.set $a (i32.add (local.get $a) (i32.const 3)))
      (i32.sub (i32.const 1))
      (local.tee $n)
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0)))
      (local.get $n)
      (drop))
    (i32.add (local.get $a)))
  (func $two (type $pair)
    (local $k i32)
    (loop $l (result i32 i32)
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br_if $l (i32.lt_s (local.get $k) (local.get 0)))
      (local.get $k) (i32.mul (local.get $k) (i32.const 10))))
  (func (export "multi") (param $n i32) (result i32)
    (call $two (local.get $n))
    (i32.add))
  ;; a branch to the function's own label, with its value, from inside a
  ;; loop
  (func (export "brout") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.ge_s (local.get $i) (local.get $n))
        (then (br 2 (i32.mul (local.get $i) (i32.const 3)))))
      (br $l))
    (i32.const -1))
  ;; spins until killed
  (func (export "spin")
    (loop $l (br $l)))

  ;; For the count across functions: every loop body adds one to its
  ;; own cell (bytes 0, 4, 8, 12). $leaf calls nothing (its countdown is
  ;; a local) and leaves by a return from its loop; $mixed calls only outside its loop (a local too, stored
  ;; around the calls); the spinners call from inside their loops (the
  ;; global).
  (func $bump (param $at i32)
    (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1))))
  (func $leaf (param $k i32) (result i32)
    (local $i i32)
    (loop $l
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.ge_u (local.get $i) (local.get $k))
        (then (return (local.get $i))))
      (br $l))
    (unreachable))
  (func $mixed (param $k i32) (result i32)
    (local $i i32)
    (drop (call $leaf (local.get $k)))
    (loop $l
      (i32.store (i32.const 4) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $k))))
    (drop (call $leaf (local.get $k)))
    (local.get $i))
  (func (export "spin_leaf") (param $k i32)
    (loop $l
      (call $bump (i32.const 8))
      (drop (call $leaf (local.get $k)))
      (br $l)))
  (func (export "spin_mixed") (param $k i32)
    (loop $l
      (call $bump (i32.const 12))
      (drop (call $mixed (local.get $k)))
      (br $l)))
)
