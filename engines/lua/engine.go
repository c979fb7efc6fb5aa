// Package lua is polyfn's Lua engine: Redis's Lua 5.1 scripting API on
// github.com/yuin/gopher-lua, behind the core's engine contract. It knows
// the language (the sandbox, the redis.* API, the conversions, error
// decoration); everything else (shebangs, caches, flags, busy, KILL,
// command rules) is the core's.
package lua

import (
	"context"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/lua/lualib"
	lua "github.com/yuin/gopher-lua"
)

// Engine is the Lua engine. It keeps two interpreters, as Redis does: one
// for EVAL scripts and one for function libraries; each is rebuilt by
// Reset (SCRIPT FLUSH, FUNCTION FLUSH).
type Engine struct {
	rng   *rng // math.random's generator, shared by both interpreters
	eval  *state
	funcs *state
}

// New returns a Lua engine.
func New() *Engine {
	r := newRNG()
	return &Engine{rng: r, eval: newState(core.KindEval, r), funcs: newState(core.KindLibrary, r)}
}

var (
	_ core.Engine         = (*Engine)(nil)
	_ core.Resetter       = (*Engine)(nil)
	_ core.MemoryReporter = (*Engine)(nil)
)

// luaFunction is core.Function.Handle for this engine.
type luaFunction struct {
	st *state
	fn *lua.LFunction
}

func (e *Engine) stateFor(kind core.CodeKind) *state {
	if kind == core.KindEval {
		return e.eval
	}
	return e.funcs
}

// Compile implements core.Engine.
func (e *Engine) Compile(ctx context.Context, req core.CompileRequest) ([]*core.Function, error) {
	st := e.stateFor(req.Kind)
	if req.Kind == core.KindEval {
		fn, err := st.compile(req.Code, "user_script", req.SkippedLines)
		if err != nil {
			return nil, fmt.Errorf("ERR Error compiling script (new function): %s", err)
		}
		return []*core.Function{{Name: req.Name, Handle: &luaFunction{st: st, fn: fn}}}, nil
	}
	return st.loadLibrary(ctx, req)
}

// Call implements core.Engine.
func (e *Engine) Call(ctx context.Context, f *core.Function, h core.Host, keys, args [][]byte) core.Value {
	lf := f.Handle.(*luaFunction)
	return lf.st.call(ctx, f, lf.fn, h, keys, args)
}

// Reset implements core.Resetter: a fresh interpreter for the kind.
func (e *Engine) Reset(kind core.CodeKind) {
	if kind == core.KindEval {
		e.eval = newState(core.KindEval, e.rng)
	} else {
		e.funcs = newState(core.KindLibrary, e.rng)
	}
}

// Memory implements core.MemoryReporter with an estimate: gopher-lua
// does not account its allocations, so this is a fresh interpreter's cost
// plus the size of the code compiled into it (protoSize).
func (e *Engine) Memory(kind core.CodeKind) int64 {
	return baseStateMemory + e.stateFor(kind).codeBytes
}

// baseStateMemory is what a fresh interpreter costs, measured with
// runtime.MemStats when writing this engine.
const baseStateMemory = 160 * 1024

// protoSize estimates the memory of compiled code: instructions, line
// table, constants and nested functions, plus a fixed overhead each.
func protoSize(p *lua.FunctionProto) int64 {
	n := int64(200 + 4*len(p.Code) + 8*len(p.DbgSourcePositions) + 24*len(p.Constants))
	for _, c := range p.FunctionPrototypes {
		n += protoSize(c)
	}
	return n
}

// state is one interpreter with its sandbox.
type state struct {
	L    *lua.LState
	kind core.CodeKind
	sb   *sandbox
	// redis is the real "redis" table of the runtime API.
	redis *lua.LTable
	// The run in progress (Call), or nil.
	host  core.Host
	fname string // the running function's name, for error decoration
	// Library loading in progress (Compile of a library).
	loading    bool
	registered []*core.Function
	loadEnv    *lua.LTable
	// pollCtx wraps the run's context for gopher-lua (killctx.go).
	pollCtx pollContext
	// loadEnvMT is loadEnv's metatable; its __index is loadingIndex
	// while a library loads and the real globals table otherwise.
	loadEnvMT    *lua.LTable
	loadingIndex *lua.LFunction
	// chunkNames maps the names chunks show in messages to the names
	// they were given (loadstring), for error decoration.
	chunkNames map[string]string
	// codeBytes estimates the code compiled into this state (Memory).
	codeBytes int64
	// argv, argBuf and numBuf are redis.call's reusable argument buffers.
	argv           [][]byte
	argBuf, numBuf []byte
	// errh turns errors into Redis's error tables (errors.go).
	errh *lua.LFunction
	// limits bound the values library functions build (lualib.Limits):
	// script-max-memory of the run or load in progress.
	limits lualib.Limits
}

func newState(kind core.CodeKind, r *rng) *state {
	L := lua.NewState(lua.Options{
		SkipOpenLibs:        true,
		CallStackSize:       luaMaxCalls,
		RegistrySize:        1024,
		RegistryMaxSize:     1024 * 1024,
		RegistryGrowStep:    256,
		MinimizeStackMemory: true,
	})
	st := &state{L: L, kind: kind, chunkNames: map[string]string{}}
	st.limits.Exceeded = st.outOfMemory
	lualib.SetLimits(L, &st.limits)
	st.openLibs()
	r.install(L, L.G.Global.RawGetString("math").(*lua.LTable))
	return st
}

// compile loads code as a function of the sandbox. skipped lines (the
// shebang) are restored as empty lines so positions match the source.
func (st *state) compile(code []byte, chunk string, skipped int) (*lua.LFunction, error) {
	src := string(code)
	if skipped > 0 {
		src = strings.Repeat("\n", skipped) + src
	}
	if line := syntaxLevels(src, 0); line > 0 {
		return nil, fmt.Errorf("%s:%d: %s", chunk, line, errSyntaxLevels)
	}
	fn, err := st.L.Load(strings.NewReader(src), chunk)
	if err != nil {
		return nil, compileError(err, src)
	}
	fn.Env = st.sb.env
	st.codeBytes += protoSize(fn.Proto)
	// A chunk is a vararg function, and gopher-lua builds Lua 5.0's "arg"
	// table for such calls; Lua 5.1 never gives the main chunk one, and
	// building it was a third of the cost of a trivial EVALSHA.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	return fn, nil
}

// call runs fn with keys and args for the host.
func (st *state) call(ctx context.Context, f *core.Function, fn *lua.LFunction, h core.Host, keys, args [][]byte) core.Value {
	L := st.L
	st.host, st.fname = h, f.Name
	st.limits.MaxBytes = h.MemoryLimit()
	defer func() { st.host = nil }()
	st.pollCtx.Context = ctx
	L.SetContext(&st.pollCtx)
	defer func() { L.RemoveContext(); st.pollCtx.Context = nil }()
	keyT, argT := st.argTables(keys, args)
	base := L.GetTop()
	L.Push(fn)
	nargs := 0
	if st.kind == core.KindEval {
		// EVAL scripts see KEYS and ARGV as globals, for this run only.
		st.sb.G.RawSetString("KEYS", keyT)
		st.sb.G.RawSetString("ARGV", argT)
		defer func() {
			st.sb.G.RawSetString("KEYS", lua.LNil)
			st.sb.G.RawSetString("ARGV", lua.LNil)
		}()
	} else {
		L.Push(keyT)
		L.Push(argT)
		nargs = 2
	}
	err := L.PCall(nargs, 1, st.errh)
	defer L.SetTop(base)
	if err != nil {
		if ctx.Err() != nil {
			return core.ErrorValue(st.decorate(h.KillReason(), errorLine(err)))
		}
		return st.errorReply(err)
	}
	v, ok := fromLuaLimit(L.Get(-1), h.Resp(), st.limits.MaxBytes)
	if !ok {
		h.OutOfMemory()
		return core.ErrorValue(h.KillReason())
	}
	return v
}

// outOfMemory is lualib.Limits.Exceeded: a value of n bytes is over the
// limit. A run is stopped (Host.OutOfMemory: no pcall can catch it); a
// library being loaded fails with the same error.
func (st *state) outOfMemory(L *lua.LState, n int64) {
	msg := core.ScriptMemoryError(st.limits.MaxBytes)
	if st.host != nil {
		st.host.OutOfMemory()
		msg = st.host.KillReason()
	}
	raise(L, msg)
}

// byteTable is items as a Lua array of strings, each cut from the front
// of strs (core.JoinArgs) when it is there.
func (st *state) byteTable(items [][]byte, strs *string) *lua.LTable {
	t := st.L.CreateTable(len(items), 0)
	for _, b := range items {
		t.Append(lua.LString(cutString(strs, b)))
	}
	return t
}

// cutString is b as a string cut from the front of strs (core.JoinArgs),
// or a copy when it is not there.
func cutString(strs *string, b []byte) string {
	if str, ok := core.CutArg(strs, len(b)); ok {
		return str
	}
	return string(b)
}

// luaMaxCalls is Lua 5.1's LUAI_MAXCALLS: how deep calls may nest before
// "stack overflow".
const luaMaxCalls = 20000
