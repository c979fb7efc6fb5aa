package js

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
)

// How many of (keys, args) a function can see. Building the two arrays
// is most of the cost of calling a small function (goja spends about
// five allocations and 500 bytes on an array), so a function that
// cannot see them is not given them: a callback that declares no
// parameters, `() => 1`, gets none; one that declares only `keys` gets
// only keys. Leaving out what no code can reach changes nothing a script
// can observe. Whenever the answer is not certain, the function gets
// both.

// argsAll is the count of a function that gets both arrays.
const argsAll = 2

// callbackArity returns how many of (keys, args) the library callback
// fn can see, from its source (Function.prototype.toString as the realm
// was created, toString, which the library cannot replace):
//
//   - an arrow function sees as many as it declares parameters (a rest
//     parameter or a second one: both); it has no `arguments` of its
//     own, and an `arguments` in it is an enclosing function's;
//   - a function expression or declaration likewise, unless its source
//     says "arguments" anywhere;
//   - anything else (a native or bound function, a Proxy, a class, a
//     method, source that does not parse alone) sees both.
//
// Source containing a Unicode escape (`argum\u0065nts`) sees both.
func callbackArity(toString goja.Callable, fn goja.Value) int {
	if toString == nil {
		return argsAll
	}
	v, err := toString(fn)
	if err != nil || !goja.IsString(v) {
		return argsAll
	}
	src := v.String()
	if codeTooDeep(src) || strings.Contains(src, `\u`) || strings.Contains(src, "[native code]") {
		return argsAll
	}
	prg, err := goja.Parse("", "("+src+"\n)", parserOptions...)
	if err != nil || len(prg.Body) != 1 {
		return argsAll
	}
	es, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return argsAll
	}
	var params *ast.ParameterList
	switch f := es.Expression.(type) {
	case *ast.ArrowFunctionLiteral:
		params = f.ParameterList
	case *ast.FunctionLiteral:
		if strings.Contains(src, "arguments") {
			return argsAll
		}
		params = f.ParameterList
	default:
		return argsAll
	}
	if params == nil || params.Rest != nil {
		return argsAll
	}
	return min(len(params.List), argsAll)
}

// scriptArity returns how many of (KEYS, ARGV) an EVAL script body can
// see: the wrapper function's parameters are reachable only by those
// names or through `arguments` (eval is always indirect, and runs in the
// global scope), so a body that spells none of them gets neither array,
// one that spells only KEYS gets KEYS only. Any Unicode escape or "eval"
// in the body, and any mention of ARGV or arguments, gives both.
func scriptArity(code string) int {
	for _, s := range []string{"ARGV", "arguments", "eval", `\u`} {
		if strings.Contains(code, s) {
			return argsAll
		}
	}
	if strings.Contains(code, "KEYS") {
		return 1
	}
	return 0
}
