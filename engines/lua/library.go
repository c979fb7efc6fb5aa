package lua

import (
	"context"
	"errors"
	"fmt"

	"github.com/polyfn/polyfn/core"
	lua "github.com/yuin/gopher-lua"
)

// Function libraries. A library's top-level code runs in a restricted
// environment, as in Redis: the only global is redis, offering
// register_function, log, the LOG_* levels and the version; everything
// else reads as an undefined global. The functions it registers run with
// the full sandbox.

// loadAllowed lists the redis.* fields a library may use at load time.
var loadAllowed = map[string]bool{
	"register_function": true, "log": true, "LOG_DEBUG": true, "LOG_VERBOSE": true,
	"LOG_NOTICE": true, "LOG_WARNING": true, "REDIS_VERSION": true, "REDIS_VERSION_NUM": true,
}

// newLoadEnv builds the environment of library chunks. While loading it
// offers only the load-time redis table; afterwards (for helper functions
// a library defined and its functions call) it reads through to the
// real globals table, so that a function's global lookups stay in
// gopher-lua's table lookups rather than calling into Go.
func (st *state) newLoadEnv() *lua.LTable {
	L := st.L
	loadRedis := L.NewTable()
	register := L.NewFunction(st.registerFunction)
	rmt := L.NewTable()
	rmt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		k := L.ToString(2)
		if !loadAllowed[k] {
			L.RaiseError(fmtNoSuchGlobal, k)
		}
		if k == "register_function" {
			L.Push(register)
		} else {
			L.Push(st.redis.RawGetString(k))
		}
		return 1
	}))
	rmt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly)
		return 0
	}))
	rmt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(loadRedis, rmt)
	st.sb.proxies[loadRedis] = L.NewTable()

	env := L.NewTable()
	mt := L.NewTable()
	st.loadingIndex = L.NewFunction(func(L *lua.LState) int {
		k := L.ToString(2)
		if k != "redis" {
			L.RaiseError(fmtNoSuchGlobal, k)
		}
		L.Push(loadRedis)
		return 1
	})
	// Undefined names then raise the error of the real globals'
	// metatable (sandbox.go).
	mt.RawSetString("__index", st.sb.G)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly) // with the position, as Lua's assignment
		return 0
	}))
	mt.RawSetString("__metatable", lua.LFalse)
	L.SetMetatable(env, mt)
	st.loadEnvMT = mt
	st.sb.proxies[env] = st.sb.G
	return env
}

// loadLibrary runs a library's code and returns what it registered.
func (st *state) loadLibrary(ctx context.Context, req core.CompileRequest) ([]*core.Function, error) {
	L := st.L
	fn, err := st.compile(req.Code, "user_function", req.SkippedLines)
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: %s", err)
	}
	fn.Env = st.loadEnv
	st.loading, st.registered, st.fname = true, nil, ""
	st.limits.MaxBytes = req.MemoryLimit
	mt := st.loadEnvMT
	mt.RawSetString("__index", st.loadingIndex)
	defer func() {
		st.loading, st.registered = false, nil
		mt.RawSetString("__index", st.sb.G)
	}()
	L.SetContext(ctx)
	defer L.RemoveContext()
	base := L.GetTop()
	defer L.SetTop(base)
	L.Push(fn)
	if err := L.PCall(0, 0, st.errh); err != nil {
		if ctx.Err() != nil {
			return nil, errors.New("ERR Error registering functions: ERR FUNCTION LOAD timeout")
		}
		return nil, fmt.Errorf("ERR Error registering functions: %s", string(st.errorReplyPlain(err)))
	}
	out := st.registered
	for _, f := range out {
		f.Handle.(*luaFunction).fn.Env = st.sb.env
	}
	return out, nil
}

// errorReplyPlain is an error's message without the script position.
func (st *state) errorReplyPlain(err error) []byte {
	v := st.errorReply(err)
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if t, ok := ae.Object.(*lua.LTable); ok {
			return []byte(lua.LVAsString(t.RawGetString("err")))
		}
	}
	return v.Str
}

// registerFunction is redis.register_function, positional
// (name, callback) or named {function_name=, callback=, flags=,
// description=}.
func (st *state) registerFunction(L *lua.LState) int {
	if !st.loading {
		raise(L, "ERR redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &core.Function{}
	var cb *lua.LFunction
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raise(L, "ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		cb = st.namedRegistration(L, t, f)
	case 2:
		name, ok := argBytes(L.Get(1))
		if !ok {
			raise(L, "ERR first argument to redis.register_function must be a string")
		}
		f.Name = string(name)
		if cb, ok = L.Get(2).(*lua.LFunction); !ok {
			raise(L, "ERR second argument to redis.register_function must be a function")
		}
	default:
		raise(L, "ERR wrong number of arguments to redis.register_function")
	}
	if !core.ValidName(f.Name) {
		raise(L, core.ErrLibNameInvalid)
	}
	for _, other := range st.registered {
		if other.Name == f.Name {
			raise(L, core.ErrFunctionInLibExists)
		}
	}
	f.Handle = &luaFunction{st: st, fn: cb}
	st.registered = append(st.registered, f)
	return 0
}

func (st *state) namedRegistration(L *lua.LState, t *lua.LTable, f *core.Function) *lua.LFunction {
	var cb *lua.LFunction
	named := false
	t.ForEach(func(k, v lua.LValue) {
		key, _ := k.(lua.LString)
		switch key {
		case "function_name":
			b, ok := argBytes(v)
			if !ok {
				raise(L, "ERR function_name argument given to redis.register_function must be a string")
			}
			f.Name, named = string(b), true
		case "description":
			b, ok := argBytes(v)
			if !ok {
				raise(L, "ERR description argument given to redis.register_function must be a string")
			}
			f.Description = string(b)
		case "callback":
			fn, ok := v.(*lua.LFunction)
			if !ok {
				raise(L, "ERR callback argument given to redis.register_function must be a function")
			}
			cb = fn
		case "flags":
			ft, ok := v.(*lua.LTable)
			if !ok {
				raise(L, "ERR flags argument to redis.register_function must be a table representing function flags")
			}
			for i := 1; ; i++ {
				e := ft.RawGetInt(i)
				if e == lua.LNil {
					break
				}
				s, _ := e.(lua.LString)
				flag, err := core.ParseScriptFlag(string(s))
				if err != nil {
					raise(L, "ERR "+err.Error())
				}
				f.Flags |= flag
			}
		default:
			raise(L, "ERR unknown argument given to redis.register_function")
		}
	})
	if !named {
		raise(L, "ERR redis.register_function must get a function name argument")
	}
	if cb == nil {
		raise(L, "ERR redis.register_function must get a callback argument")
	}
	return cb
}
