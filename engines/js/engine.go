// Package js is polyfn's JavaScript engine: Redis's scripting API in
// JavaScript's idiom on github.com/dop251/goja (ECMAScript 2020+ in pure
// Go), behind the core's engine contract. It knows the language (the
// sandbox, the redis.* API, the conversions, error decoration);
// everything else (shebangs, caches, flags, busy, KILL, command rules) is
// the core's. README.md in this directory is the user's guide.
package js

import (
	"context"
	"errors"
	"fmt"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// Engine is the JavaScript engine. EVAL scripts share one realm (a goja
// runtime) whose globals and built-ins are frozen before any script runs,
// so scripts cannot leave state behind; every library gets a realm of its
// own, whose globalThis is frozen once its top-level code has run. Reset(KindEval) replaces the
// EVAL realm (SCRIPT FLUSH); library realms go with their libraries.
//
// The same type is the TypeScript engine (NewTS): then ts is set and code
// is transpiled to JavaScript before it is compiled (typescript.go).
type Engine struct {
	eval *realm
	w    watcher
	ts   bool
	mem  memory
}

// New returns a JavaScript engine.
func New() *Engine {
	return &Engine{}
}

var (
	_ core.Engine   = (*Engine)(nil)
	_ core.Resetter = (*Engine)(nil)
)

// jsFunction is core.Function.Handle for this engine.
type jsFunction struct {
	realm *realm
	fn    goja.Callable
	// shape says which of (keys, args) fn can see and which may be the
	// same arrays on every call (params.go); arrays are those, once made.
	shape  shape
	arrays [argsAll]*goja.Object
	lens   [argsAll]int
}

// errKilled is the value a run is interrupted with; the reply is the
// host's KillReason.
var errKilled = errors.New("script killed")

// Compile implements core.Engine.
func (e *Engine) Compile(ctx context.Context, req core.CompileRequest) ([]*core.Function, error) {
	if e.ts {
		src, prefix := "user_function", "ERR Error compiling function: "
		if req.Kind == core.KindEval {
			src, prefix = "user_script", "ERR Error compiling script (new function): "
		}
		if codeTooDeep(string(req.Code)) {
			return nil, fmt.Errorf("%s%s: %w", prefix, src, errCodeTooDeep)
		}
		code, err := transpile(req.Code, req.SkippedLines, src)
		if err != nil {
			return nil, fmt.Errorf("%s%w", prefix, err)
		}
		// The skipped lines are in the JavaScript (and its source map).
		req.Code, req.SkippedLines = code, 0
		fns, err := e.compile(ctx, req)
		if err != nil {
			err = tsSyntaxError(err, code, req.Kind == core.KindEval)
		}
		return fns, err
	}
	return e.compile(ctx, req)
}

// compile compiles JavaScript.
func (e *Engine) compile(ctx context.Context, req core.CompileRequest) ([]*core.Function, error) {
	if req.Kind == core.KindEval {
		if e.eval == nil {
			r, err := newRealm(core.KindEval)
			if err != nil {
				return nil, err
			}
			e.eval = r
		}
		fn, sh, err := e.eval.compileEval(req.Code, req.SkippedLines)
		if err != nil {
			return nil, fmt.Errorf("ERR Error compiling script (new function): %s", err)
		}
		e.addEval(len(req.Code))
		h := &jsFunction{realm: e.eval, fn: fn, shape: sh}
		return []*core.Function{{Name: req.Name, Handle: h}}, nil
	}
	r, err := newRealm(core.KindLibrary)
	if err != nil {
		return nil, err
	}
	r.limit = req.MemoryLimit
	e.w.begin(ctx, r.rt)
	fns, err := r.loadLibrary(req.Code, req.SkippedLines)
	e.w.end(r.rt)
	var ie *goja.InterruptedError
	if r.oom {
		return nil, errors.New("ERR Error registering functions: " + core.ScriptMemoryError(r.limit))
	}
	if errors.As(err, &ie) || (err != nil && ctx.Err() != nil) {
		return nil, errors.New("ERR Error registering functions: ERR FUNCTION LOAD timeout")
	}
	if err == nil {
		e.addLibrary(r, len(req.Code))
	}
	return fns, err
}

// Call implements core.Engine.
func (e *Engine) Call(ctx context.Context, f *core.Function, h core.Host, keys, args [][]byte) core.Value {
	jf := f.Handle.(*jsFunction)
	r := jf.realm
	r.host, r.fname = h, f.Name
	r.limit, r.oom = h.MemoryLimit(), false
	defer func() { r.host = nil }()
	e.w.begin(ctx, r.rt)
	res, err := jf.fn(goja.Undefined(), r.callArgs(jf, keys, args)...)
	clear(r.args[:])
	if err == nil {
		res, err = r.settle(res)
	}
	var out core.Value
	if err == nil {
		out, err = r.reply(res)
	}
	e.w.end(r.rt)
	if err != nil {
		var ie *goja.InterruptedError
		if r.oom && !errors.As(err, &ie) {
			// Stopped while converting the reply: no instruction ran since.
			return core.ErrorValue(h.KillReason())
		}
		if errors.As(err, &ie) && ie.Value() == errKilled {
			return core.ErrorValue(r.decorate(h.KillReason(), r.line(ie.Stack())))
		}
		return r.errorReply(err)
	}
	return out
}

// Reset implements core.Resetter. Reset(KindEval) drops the EVAL realm
// (a new one is made for the next script); library realms belong to their
// libraries, so Reset(KindLibrary) has nothing to do.
func (e *Engine) Reset(kind core.CodeKind) {
	if kind == core.KindEval {
		e.eval, e.mem.evalCode = nil, 0
	}
}
