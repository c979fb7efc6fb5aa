package lua

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// math.random and math.randomseed per engine. Redis's generator is
// process-wide (one per server, shared by EVAL scripts and functions, never
// reseeded between scripts); polyfn may run several servers in one process
// (tests), so each engine owns one: the same 48-bit LCG (lrand48) as
// lualib's, starting from a fresh redis-server's state.

const randInit = 0x1234ABCD330E

type rng struct{ x uint64 }

func newRNG() *rng { return &rng{x: randInit} }

func (r *rng) next() float64 {
	r.x = (r.x*0x5DEECE66D + 0xB) & (1<<48 - 1)
	v := int32(r.x >> 17)
	return float64(v%math.MaxInt32) / float64(math.MaxInt32)
}

// install replaces math.random and math.randomseed in the math table.
func (r *rng) install(L *lua.LState, m *lua.LTable) {
	m.RawSetString("random", L.NewFunction(func(L *lua.LState) int {
		f := r.next()
		switch L.GetTop() {
		case 0:
			L.Push(lua.LNumber(f))
		case 1:
			u := randArg(L, 1, "random")
			if u < 1 {
				randError(L, "bad argument #1 to 'random' (interval is empty)")
			}
			L.Push(lua.LNumber(math.Floor(f*float64(u)) + 1))
		case 2:
			l, u := randArg(L, 1, "random"), randArg(L, 2, "random")
			if l > u {
				randError(L, "bad argument #2 to 'random' (interval is empty)")
			}
			L.Push(lua.LNumber(math.Floor(f*float64(u-l+1)) + float64(l)))
		default:
			randError(L, "wrong number of arguments")
		}
		return 1
	}))
	m.RawSetString("randomseed", L.NewFunction(func(L *lua.LState) int {
		r.x = uint64(uint32(randArg(L, 1, "randomseed")))<<16 | 0x330E
		return 0
	}))
}

// randArg is luaL_checkint.
func randArg(L *lua.LState, n int, fname string) int32 {
	f, ok := luaNumber(L.Get(n))
	if !ok {
		got := "no value"
		if n <= L.GetTop() {
			got = L.Get(n).Type().String()
		}
		randError(L, fmt.Sprintf("bad argument #%d to '%s' (number expected, got %s)", n, fname, got))
	}
	return int32(luaToInt64(f))
}

// randError raises msg with the position of the calling Lua function.
func randError(L *lua.LState, msg string) {
	L.Error(lua.LString(luaWhere(L, 1)+msg), 0)
}
