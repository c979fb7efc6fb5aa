package js

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/stretchr/testify/require"
)

// functionShape's verdicts, one source at a time.
func TestFunctionShape(t *testing.T) {
	reuse := func(arity int, max0, max1 int) shape {
		s := shape{arity: arity, maxIndex: [argsAll]int{max0, max1}}
		for i := 0; i < arity; i++ {
			s.need[i], s.reuse[i] = true, true
		}
		return s
	}
	fresh := func(arity int) shape {
		s := shape{arity: arity, maxIndex: [argsAll]int{-1, -1}}
		for i := 0; i < arity; i++ {
			s.need[i] = true
		}
		return s
	}
	big := "(keys) => { " + strings.Repeat("keys[0];", maxShapeSource/8) + " }"
	for _, c := range []struct {
		src  string
		want shape
	}{
		{"() => 1", shape{maxIndex: [argsAll]int{-1, -1}}},
		{"(keys, args) => { redis.call('SET', keys[0], args[0]); return redis.call('GET', keys[0]); }", reuse(2, 0, 0)},
		{"(keys, args) => keys[3] + args.length", reuse(2, 3, -1)},
		{"(keys) => keys.length ? keys[1] : null", reuse(1, 1, -1)},
		{"(keys, args) => args[0]", shape{arity: 2, need: [argsAll]bool{false, true}, reuse: [argsAll]bool{false, true}, maxIndex: [argsAll]int{-1, 0}}},
		{"function (keys) { return keys[0]; }", reuse(1, 0, -1)},
		{"(keys) => ({k: keys[0], [keys[1]]: typeof keys[2]})", reuse(1, 2, -1)},
		{"(keys) => keys", fresh(1)},
		{"(keys) => keys[0]()", fresh(1)},
		{"(keys) => keys.at(0)", fresh(1)},
		{"(keys) => keys['0']", fresh(1)},
		{"(keys) => keys[1.5]", fresh(1)},
		{"(keys) => keys[0]`t`", fresh(1)},
		{"(keys) => { keys[0] = 1; }", fresh(1)},
		{"(keys) => { keys[0]++; }", fresh(1)},
		{"(keys) => { delete keys[0]; }", fresh(1)},
		{"(keys) => { keys.length = 0; }", fresh(1)},
		{"(keys) => { [keys[0]] = [1]; }", fresh(1)},
		{"(keys) => { ({a: keys[0]} = {}); }", fresh(1)},
		{"(keys) => [...keys]", fresh(1)},
		{"(keys) => keys?.[0]", fresh(1)},
		{"(keys) => () => keys[0]", fresh(1)},
		{"async (keys) => keys[0]", fresh(1)},
		{"function* (keys) { yield keys[0]; }", fresh(1)},
		{"(keys) => { { let keys = 1; } return keys[0]; }", fresh(1)},
		{"(keys = []) => keys[0]", fresh(1)},
		{"([k]) => k", fresh(1)},
		{"(...a) => a", fullShape},
		{"function () { return arguments; }", fullShape},
		{"function (keys) { return keys[0] + arguments.length; }", fullShape},
		{"() => arguments", shape{maxIndex: [argsAll]int{-1, -1}}},
		{"(keys) => eval('1') + keys[0]", fullShape},
		{"function (keys) { with ({}) { return keys[0]; } }", fullShape},
		{"(k, a) => argum\\u0065nts", shape{maxIndex: [argsAll]int{-1, -1}}},
		{"function (k, a) { return argum\\u0065nts; }", fullShape},
		{"(k\\u0065ys) => keys", fresh(1)},
		{big, fullShape},
	} {
		prg, err := goja.Parse("", "("+c.src+"\n)")
		require.NoError(t, err, c.src)
		got := functionShape(prg.Body[0].(*ast.ExpressionStatement).Expression)
		require.Equal(t, c.want, got, c.src)
	}
}
