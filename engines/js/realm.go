package js

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
	"github.com/polyfn/polyfn/core"
)

// A realm is one goja runtime with its sandbox and redis object: the
// shared EVAL realm, or one library's.
//
// The sandbox is goja's bare ECMAScript: no require, modules, timers,
// console, filesystem, network or Go values (nothing is exposed from Go
// but the redis object's functions). All code is strict, so assigning to
// an undeclared variable is a ReferenceError instead of a new global.
type realm struct {
	rt   *goja.Runtime
	kind core.CodeKind
	// src is the source name positions are reported against:
	// "user_script" (EVAL) or "user_function" (libraries), as Lua's.
	src   string
	redis *goja.Object
	// Built-ins captured before user code can touch them.
	replyError  goja.Constructor // redis's ReplyError class (extends Error)
	replyProto  *goja.Object     // ReplyError.prototype
	statusProto *goja.Object     // the prototype of status reply objects
	uint8Array  goja.Constructor
	fnToString  goja.Callable // Function.prototype.toString (params.go)
	// freezer freezes the realm (freeze.go); nil once it has.
	freezer goja.Callable
	// The run in progress (Call), or nil.
	host  core.Host
	fname string // the running function's name, for error decoration
	// Library loading in progress.
	loading    bool
	registered []*core.Function
	// argv and argBuf are redis.call's reusable argument buffers (the
	// host does not keep them).
	argv   [][]byte
	argBuf []byte
	// ascii makes the ASCII strings of keys, args and replies (strings.go).
	ascii asciiMaker
	// args holds the arguments of the function being called (goja
	// copies them before the function runs).
	args [argsAll]goja.Value
	// items is byteArray's reusable buffer; okValue is the string "OK"
	// (strings are immutable: one value serves every +OK status reply).
	items   []any
	okValue goja.Value
	// converter converts a returned object inside the runtime (reply).
	converter goja.Callable
	converted core.Value
	// limit is script-max-memory for the run or load in progress;
	// replyLeft is what the reply being converted may still take; oom is
	// set once the run was stopped for going over (limits.go).
	limit      int64
	replyLeft  int64
	oom        bool
	rangeError goja.Constructor
}

// maxCallStack bounds how deep JavaScript calls nest; deeper recursion
// raises a RangeError-like uncatchable error that ends the run.
const maxCallStack = 10000

// setupJS runs in every new realm before user code: the classes behind
// error and status replies. It returns them for the Go side to capture.
const setupJS = `(function () {
  'use strict';
  class ReplyError extends Error {}
  Object.defineProperty(ReplyError.prototype, 'name', {value: 'ReplyError', writable: true, configurable: true});
  const StatusReply = function StatusReply() {};
  StatusReply.prototype.toString = function () { return String(this.ok); };
  StatusReply.prototype.valueOf = StatusReply.prototype.toString;
  return [ReplyError, StatusReply.prototype, Uint8Array, Function.prototype.toString];
})()`

// parserOptions are the options of every parse of script code: the
// engine's own, and eval and new Function at run time.
//
// By default goja's parser reads the file a "//# sourceMappingURL=" comment
// names (relative to the server's directory): any script could make the
// server read any file, or hang reading /dev/zero. Only inline maps
// ("data:application/json;base64,...", which the TypeScript engine
// writes) are used; a map named by path or URL is ignored.
var parserOptions = []parser.Option{
	parser.WithSourceMapLoader(func(string) ([]byte, error) { return nil, errSourceMapFile }),
}

var errSourceMapFile = errors.New("source maps are only read inline")

func newRealm(kind core.CodeKind) (*realm, error) {
	rt := goja.New()
	rt.SetParserOptions(parserOptions...)
	rt.SetMaxCallStackSize(maxCallStack)
	r := &realm{rt: rt, kind: kind, src: "user_function", ascii: newASCIIMaker(rt)}
	if kind == core.KindEval {
		r.src = "user_script"
	}
	if err := r.newFreezer(); err != nil {
		return nil, err
	}
	v, err := rt.RunString(setupJS)
	if err != nil {
		return nil, fmt.Errorf("ERR javascript engine setup: %v", err)
	}
	if err := r.installGuards(); err != nil {
		return nil, fmt.Errorf("ERR javascript engine setup: %v", err)
	}
	parts := v.(*goja.Object)
	re := parts.Get("0").(*goja.Object)
	r.replyError, _ = goja.AssertConstructor(re)
	r.replyProto = re.Get("prototype").(*goja.Object)
	r.statusProto = parts.Get("1").(*goja.Object)
	r.uint8Array, _ = goja.AssertConstructor(parts.Get("2"))
	r.fnToString, _ = goja.AssertFunction(parts.Get("3"))
	r.redis = r.newRedisObject()
	if err := rt.Set("redis", r.redis); err != nil {
		return nil, err
	}
	// The API object is read-only in every realm, as Lua's redis table:
	// a library cannot replace redis.call under its own functions.
	if _, err := rt.RunString("Object.freeze(redis)"); err != nil {
		return nil, fmt.Errorf("ERR javascript engine setup: %v", err)
	}
	if kind == core.KindEval {
		// EVAL scripts share this realm: nothing they can reach may change.
		if err := r.freeze(true); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// compileEval compiles an EVAL script body as the body of a strict
// function of (KEYS, ARGV), without running it. The wrapper's first line
// stands in for the shebang so that line numbers match what the user sent.
func (r *realm) compileEval(code []byte, skipped int) (goja.Callable, shape, error) {
	if codeTooDeep(string(code)) {
		return nil, shape{}, fmt.Errorf("%s: %w", r.src, errCodeTooDeep)
	}
	src := "(function (KEYS, ARGV) {'use strict';" + strings.Repeat("\n", skipped) + string(code) + "\n})"
	prg, err := goja.Parse(r.src, src, parserOptions...)
	if err != nil {
		return nil, shape{}, syntaxError(err)
	}
	// The body must not close the wrapper and run code of its own at
	// compile time ("}); evil(); (function () {"): the program must be
	// exactly one function expression.
	if len(prg.Body) != 1 {
		return nil, shape{}, fmt.Errorf("%s: the script is not a function body (unbalanced braces?)", r.src)
	}
	es, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, shape{}, fmt.Errorf("%s: the script is not a function body", r.src)
	}
	lit, ok := es.Expression.(*ast.FunctionLiteral)
	if !ok {
		return nil, shape{}, fmt.Errorf("%s: the script is not a function body (unbalanced braces?)", r.src)
	}
	sh := functionShape(lit)
	p, err := goja.CompileAST(prg, true)
	if err != nil {
		return nil, shape{}, syntaxError(err)
	}
	v, err := r.rt.RunProgram(p)
	if err != nil {
		return nil, shape{}, err
	}
	fn, _ := goja.AssertFunction(v)
	return fn, sh, nil
}

// syntaxError shortens goja's syntax errors: "SyntaxError: " is implied
// by the reply's prefix.
func syntaxError(err error) error {
	return fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "SyntaxError: "))
}

// loadLibrary runs a library's top-level code, which may only register
// functions, then freezes the realm's globalThis.
func (r *realm) loadLibrary(code []byte, skipped int) ([]*core.Function, error) {
	if codeTooDeep(string(code)) {
		return nil, fmt.Errorf("ERR Error compiling function: %s: %w", r.src, errCodeTooDeep)
	}
	// The shebang's line becomes the strict directive.
	src := "'use strict';" + strings.Repeat("\n", skipped) + string(code)
	parsed, err := goja.Parse(r.src, src, parserOptions...)
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: %s", syntaxError(err))
	}
	prg, err := goja.CompileAST(parsed, true)
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: %s", syntaxError(err))
	}
	r.loading, r.registered = true, nil
	defer func() { r.loading, r.registered = false, nil }()
	if _, err := r.rt.RunProgram(prg); err != nil {
		if _, ok := err.(*goja.InterruptedError); ok {
			return nil, err
		}
		return nil, fmt.Errorf("ERR Error registering functions: %s", r.errorMessage(err))
	}
	if err := r.freeze(false); err != nil {
		return nil, err
	}
	return r.registered, nil
}
