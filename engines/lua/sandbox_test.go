package lua

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// fakeHost is a core.Host that answers every command with its name.
type fakeHost struct{ resp int }

func (h *fakeHost) Call(args [][]byte) core.Value   { return core.Value{Kind: core.VBulk, Str: args[0]} }
func (h *fakeHost) SetResp(v int) error             { h.resp = v; return nil }
func (h *fakeHost) Resp() int                       { return 2 }
func (h *fakeHost) SetRepl(int) error               { return nil }
func (h *fakeHost) Log(int, string)                 {}
func (h *fakeHost) ACLCheck([][]byte) (bool, error) { return true, nil }
func (h *fakeHost) KillReason() string              { return core.ErrScriptKilled }
func (h *fakeHost) MemoryLimit() int64              { return 0 }
func (h *fakeHost) OutOfMemory()                    {}

func runEval(t *testing.T, e *Engine, code string) core.Value {
	t.Helper()
	fns, err := e.Compile(context.Background(), core.CompileRequest{Kind: core.KindEval, Name: "f_test", Code: []byte(code)})
	require.NoError(t, err)
	return e.Call(context.Background(), fns[0], &fakeHost{}, nil, nil)
}

func TestSandboxReadonly(t *testing.T) {
	e := New()
	for _, code := range []string{
		"x = 1", "_G.x = 1", "string.x = 1", "redis.call = nil", "math.pi = 1",
		"rawset(_G, 'x', 1)", "rawset(string, 'x', 1)", "setmetatable(_G, {})",
		"getmetatable('').__index = nil", "getmetatable(_G).__index = nil",
	} {
		v := runEval(t, e, code)
		require.Equal(t, core.VError, v.Kind, code)
		require.Contains(t, string(v.Str), "Attempt to modify a readonly table", code)
	}
}

func TestSandboxReads(t *testing.T) {
	e := New()
	v := runEval(t, e, "return nosuch")
	require.Contains(t, string(v.Str), "Script attempted to access nonexistent global variable 'nosuch'")
	for code, want := range map[string]int64{
		"return rawget(_G, 'string') == string and 1 or 0":             1,
		"return rawequal(_G, _G._G) and 1 or 0":                        1,
		"return getmetatable('').__index == string and 1 or 0":         1,
		"return getmetatable(string) == nil and 1 or 0":                1,
		"return type(getmetatable(_G)) == 'table' and 1 or 0":          1,
		"local n = 0 for k in pairs(string) do n = n + 1 end return n": 15,
		"return #('abc'):upper()":                                      3,
		"local t = {} rawset(t, 'a', 1) return t.a":                    1,
		"return select('#', next({}))":                                 1,
		"local ok, e = pcall(redis.call, 'x') return ok and 1 or 0":    1,
	} {
		v := runEval(t, e, code)
		require.Equal(t, core.Int(want), v, code)
	}
}

func TestSandboxGlobalsDoNotLeak(t *testing.T) {
	e := New()
	require.Equal(t, core.VError, runEval(t, e, "y = 1").Kind)
	v := runEval(t, e, "return rawget(_G, 'y') == nil and 1 or 0")
	require.Equal(t, core.Int(1), v)
	// KEYS and ARGV exist only during a run.
	require.Equal(t, core.VError, runEval(t, e, "KEYS = {}").Kind)
}

func TestPcallHandsOverErrString(t *testing.T) {
	e := New()
	v := runEval(t, e, "local ok, e = pcall(error, {err='MYERR x'}) return e")
	require.Equal(t, []byte("MYERR x"), v.Str)
	v = runEval(t, e, "local ok, e = pcall(function() return nil + 1 end) return e")
	require.Equal(t, "user_script:1: attempt to perform arithmetic on a nil value", string(v.Str))
}

func TestRandomPerEngine(t *testing.T) {
	a, b := New(), New()
	ra := runEval(t, a, "return math.random(1, 1000000)")
	runEval(t, a, "return math.random(1, 1000000)")
	rb := runEval(t, b, "return math.random(1, 1000000)")
	require.Equal(t, ra, rb, "each engine starts from a fresh server's state")
	require.Equal(t, core.Int(396465), ra) // redis-server 7.0.15's first value
}

func TestLuaStringFromGo(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	require.Equal(t, "nil", luaToString(lua.LNil))
	require.Equal(t, "12.5", luaToString(lua.LNumber(12.5)))
}
