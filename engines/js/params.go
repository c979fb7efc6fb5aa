package js

import (
	"reflect"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"
	"github.com/dop251/goja/unistring"
)

// What a function does with its (keys, args) arrays, read from its syntax
// tree when it is registered or compiled. Building a goja array costs
// about five allocations and 500 bytes, most of the cost of calling a
// small function, so:
//
//   - a parameter no code can reach is not given an array: `() => 1` gets
//     none, `(keys) => ...` only keys (undefined stands in for an unused
//     first parameter). Leaving out what no code can reach changes nothing
//     a script can observe.
//   - a parameter that is only ever read as name[N] (N an integer literal)
//     or name.length, in the function's own body, gets the same array on
//     every call, refilled: no reference to it can be taken (it is never
//     a callee's `this`, an argument, a value stored or returned, never
//     written, and never read past its end, where a getter on
//     Array.prototype could see it), so no code can tell. The call checks
//     the array has more than N elements, else it builds a fresh one.
//
// Whenever the answer is not certain, the function gets fresh arrays:
// sources that are not a plain function or arrow function (natives,
// bound functions, proxies, methods, classes), async functions and
// generators (their bodies outlive the call), code that names
// `arguments` (in a non-arrow function) or `eval`, or has a `with`.

// argsAll is the number of array parameters: keys and args.
const argsAll = 2

// shape is what the call needs to build for a function.
type shape struct {
	// arity is how many arguments to pass (0, 1 or 2); need[i] is false
	// for one below arity that gets undefined.
	arity int
	need  [argsAll]bool
	// reuse[i]: argument i may be the same array on every call, when it
	// has more than maxIndex[i] elements.
	reuse    [argsAll]bool
	maxIndex [argsAll]int
}

// fullShape is the shape of a function that gets fresh arrays for both.
var fullShape = shape{arity: argsAll, need: [argsAll]bool{true, true}, maxIndex: [argsAll]int{-1, -1}}

// callbackShape returns the shape of the library callback fn, from its
// source as Function.prototype.toString gives it (toString is the one
// captured when the realm was made, which the library cannot replace).
func callbackShape(toString goja.Callable, fn goja.Value) shape {
	if toString == nil {
		return fullShape
	}
	v, err := toString(fn)
	if err != nil || !goja.IsString(v) {
		return fullShape
	}
	src := v.String()
	if len(src) > maxShapeSource {
		return fullShape
	}
	// A native function's source is "function <name>() { [native code] }",
	// and its name can be set to anything.
	if codeTooDeep(src) || strings.Contains(src, "[native code]") {
		return fullShape
	}
	prg, err := goja.Parse("", "("+src+"\n)", parserOptions...)
	if err != nil || len(prg.Body) != 1 {
		return fullShape
	}
	es, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return fullShape
	}
	return functionShape(es.Expression)
}

// maxShapeSource bounds the source of a function that is analysed (the
// walk costs about what parsing does, some 10 ms for 64 KB): a larger one
// gets fresh arrays, whose cost is small next to its own.
const maxShapeSource = 64 << 10

// functionShape returns the shape of a function literal (an EVAL
// script's wrapper, or a callback's source).
func functionShape(fn ast.Expression) shape {
	if fn == nil || int(fn.Idx1())-int(fn.Idx0()) > maxShapeSource {
		return fullShape
	}
	var params *ast.ParameterList
	var body ast.Node
	arrow, suspends := false, false
	switch f := fn.(type) {
	case *ast.ArrowFunctionLiteral:
		params, body, arrow, suspends = f.ParameterList, f.Body, true, f.Async
	case *ast.FunctionLiteral:
		params, body, suspends = f.ParameterList, f.Body, f.Async || f.Generator
	default:
		return fullShape
	}
	if params == nil || body == nil || params.Rest != nil {
		return fullShape
	}
	a := analysis{arrow: arrow}
	for i, b := range params.List {
		if i == argsAll {
			break
		}
		id, ok := b.Target.(*ast.Identifier)
		if !ok || b.Initializer != nil {
			// A pattern or a default reads the argument itself.
			a.params = append(a.params, paramUse{name: "", refs: 1})
			continue
		}
		a.params = append(a.params, paramUse{name: id.Name, reusable: true, maxIndex: -1})
	}
	a.walk(reflect.ValueOf(body), "", 0)
	if a.everything {
		return fullShape
	}
	s := shape{maxIndex: [argsAll]int{-1, -1}}
	for i, p := range a.params {
		if p.refs > 0 {
			s.need[i], s.arity = true, i+1
			if s.reuse[i] = p.reusable && !suspends; s.reuse[i] {
				s.maxIndex[i] = p.maxIndex
			}
		}
	}
	return s
}

// paramUse is what the analysis found of one parameter.
type paramUse struct {
	name     unistring.String // "" for a pattern or defaulted parameter
	refs     int
	reusable bool // every reference is a read of name[N] or name.length in the function's body
	maxIndex int  // the highest such N, -1 if none
}

// analysis walks a function's body.
type analysis struct {
	arrow  bool
	params []paramUse
	// everything: the body names arguments (not in an arrow function) or
	// eval, or has a with statement: every parameter is needed, fresh.
	everything bool
	// path is the chain of nodes from the body to the node being walked,
	// with the field each was reached by.
	path []step
}

type step struct {
	node  reflect.Value
	field string
}

var astPackage = reflect.TypeOf(ast.Identifier{}).PkgPath()

// isAST reports whether values of type t may hold syntax nodes.
func isAST(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return isAST(t.Elem())
	case reflect.Interface, reflect.Struct:
		return t.PkgPath() == astPackage
	}
	return false
}

// walk visits the nodes in v, reached by field of the last node of
// a.path; depth counts the functions and classes entered below the
// analysed one.
func (a *analysis) walk(v reflect.Value, field string, depth int) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Interface {
			a.walk(v.Elem(), field, depth)
			return
		}
		if v.Elem().Kind() != reflect.Struct {
			return
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			a.walk(v.Index(i), field, depth)
		}
		return
	case reflect.Struct:
	default:
		return
	}
	a.visit(v, field, depth)
}

// visit looks at one node, then at its children.
func (a *analysis) visit(v reflect.Value, field string, depth int) {
	s := v
	if s.Kind() == reflect.Pointer {
		s = s.Elem()
	}
	switch n := v.Interface().(type) {
	case *ast.Identifier:
		a.identifier(n.Name, field, depth)
	case ast.Identifier:
		// A property name after a dot is not a reference.
		if field != "Identifier" || len(a.path) == 0 || a.path[len(a.path)-1].node.Type() != reflect.TypeOf((*ast.DotExpression)(nil)) {
			a.identifier(n.Name, field, depth)
		}
	case *ast.WithStatement:
		a.everything = true
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral, *ast.ClassLiteral:
		depth++
	}
	a.path = append(a.path, step{node: v, field: field})
	t := s.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || !isAST(f.Type) {
			continue
		}
		a.walk(s.Field(i), f.Name, depth)
	}
	a.path = a.path[:len(a.path)-1]
}

// identifier looks at a reference to name.
func (a *analysis) identifier(name unistring.String, field string, depth int) {
	if name == "eval" || name == "arguments" && !a.arrow {
		// (arguments in an arrow function is an enclosing function's.)
		a.everything = true
		return
	}
	for i := range a.params {
		p := &a.params[i]
		if p.name == "" || p.name != name {
			continue
		}
		p.refs++
		if !p.reusable {
			return
		}
		if depth > 0 {
			p.reusable = false
			return
		}
		if n, ok := a.elementRead(field); ok {
			p.maxIndex = max(p.maxIndex, n)
		} else {
			p.reusable = false
		}
		return
	}
}

// elementRead reports whether the identifier just visited (reached by
// field of the last node of the path) is the object of x[N] or x.length
// that is only read, and N (-1 for length).
func (a *analysis) elementRead(field string) (int, bool) {
	if len(a.path) < 2 || field != "Left" {
		return 0, false
	}
	member := a.path[len(a.path)-1]
	n := -1
	switch m := member.node.Interface().(type) {
	case *ast.BracketExpression:
		lit, ok := m.Member.(*ast.NumberLiteral)
		if !ok {
			return 0, false
		}
		i, ok := lit.Value.(int64)
		if !ok || i < 0 || i >= 1<<20 {
			return 0, false
		}
		n = int(i)
	case *ast.DotExpression:
		if m.Identifier.Name != "length" {
			return 0, false
		}
	default:
		return 0, false
	}
	parent := a.path[len(a.path)-2]
	if !readContext(parent.node, member.field, a.path[:len(a.path)-2]) {
		return 0, false
	}
	return n, true
}

// readContext reports whether an expression reached from parent by
// field is only read: its value is used, it is not assigned, deleted,
// incremented, called (which would make the array its `this`) or a
// tag. above is the path to parent.
func readContext(parent reflect.Value, field string, above []step) bool {
	switch p := parent.Interface().(type) {
	case *ast.CallExpression, *ast.NewExpression:
		return field == "ArgumentList"
	case *ast.BinaryExpression, *ast.ConditionalExpression, *ast.SequenceExpression,
		*ast.ArrayLiteral, *ast.ReturnStatement, *ast.ExpressionStatement, *ast.IfStatement,
		*ast.ThrowStatement, *ast.SwitchStatement, *ast.CaseStatement, *ast.WhileStatement,
		*ast.DoWhileStatement, *ast.ExpressionBody:
		// Every expression these hold is a value.
		return true
	case *ast.Binding:
		return field == "Initializer"
	case *ast.AssignExpression:
		return field == "Right"
	case *ast.TemplateLiteral:
		return field == "Expressions"
	case *ast.BracketExpression:
		return field == "Member" || field == "Left"
	case *ast.DotExpression:
		return field == "Left"
	case *ast.ForStatement:
		return field == "Test"
	case *ast.UnaryExpression:
		switch p.Operator {
		case token.NOT, token.MINUS, token.PLUS, token.BITWISE_NOT, token.TYPEOF, token.VOID:
			return field == "Operand"
		}
	case *ast.PropertyKeyed:
		// A computed key (read, in a literal or a pattern), or a value in
		// an object literal (not a target in a pattern).
		if field == "Key" {
			return p.Computed
		}
		return field == "Value" && p.Kind == ast.PropertyKindValue && len(above) > 0 &&
			above[len(above)-1].node.Type() == reflect.TypeOf((*ast.ObjectLiteral)(nil))
	}
	return false
}
