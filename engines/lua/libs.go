package lua

import (
	"math"

	"github.com/polyfn/polyfn/engines/lua/lualib"
	lua "github.com/yuin/gopher-lua"
)

// openBundledLibs opens the libraries Redis bundles with its Lua: bit,
// struct, cjson and cmsgpack (written in Go, in lualib).
func openBundledLibs(L *lua.LState) map[string]*lua.LTable {
	return map[string]*lua.LTable{
		"bit":      lualib.OpenBit(L),
		"struct":   lualib.OpenStruct(L),
		"cjson":    lualib.OpenCJSON(L),
		"cmsgpack": lualib.OpenCMsgpack(L),
	}
}

// addCompat51 gives the standard libraries Lua 5.1's behaviour where
// gopher-lua differs (lualib.InstallCompat) and the 5.1 names it lacks
// (math.mod, string.gfind, table.foreach...).
func addCompat51(L *lua.LState, libs map[string]*lua.LTable) {
	lualib.InstallCompat(L)
	alias := func(lib, name, from string) {
		t := libs[lib]
		if t.RawGetString(name) == lua.LNil {
			t.RawSetString(name, t.RawGetString(from))
		}
	}
	alias("math", "mod", "fmod")
	libs["math"].RawSetString("huge", lua.LNumber(math.Inf(1))) // gopher-lua has MaxFloat64
	alias("string", "gfind", "gmatch")
	tbl := libs["table"]
	add := func(name string, fn lua.LGFunction) {
		if tbl.RawGetString(name) == lua.LNil {
			tbl.RawSetString(name, L.NewFunction(fn))
		}
	}
	add("getn", func(L *lua.LState) int { L.Push(lua.LNumber(L.CheckTable(1).Len())); return 1 })
	add("setn", func(L *lua.LState) int { L.RaiseError("'setn' is obsolete"); return 0 })
	add("maxn", func(L *lua.LState) int { L.Push(lua.LNumber(L.CheckTable(1).MaxN())); return 1 })
	foreach := func(ipairs bool) lua.LGFunction {
		return func(L *lua.LState) int {
			t, f := L.CheckTable(1), L.CheckFunction(2)
			var res lua.LValue = lua.LNil
			visit := func(k, v lua.LValue) bool {
				L.Push(f)
				L.Push(k)
				L.Push(v)
				L.Call(2, 1)
				res = L.Get(-1)
				L.Pop(1)
				return res == lua.LNil
			}
			if ipairs {
				for i := 1; i <= t.Len(); i++ {
					if !visit(lua.LNumber(i), t.RawGetInt(i)) {
						break
					}
				}
			} else {
				for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
					if !visit(k, v) {
						break
					}
				}
			}
			if res == lua.LNil {
				return 0
			}
			L.Push(res)
			return 1
		}
	}
	add("foreach", foreach(false))
	add("foreachi", foreach(true))
}
