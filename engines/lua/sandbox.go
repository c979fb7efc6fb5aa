package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// The sandbox. Redis's Lua marks its globals table and library tables
// read-only (a patch to Lua); gopher-lua has no such flag, so scripts see
// proxies: empty tables whose metatable reads through to the real table
// and refuses writes. pairs, next, ipairs, rawget, rawset, rawequal,
// getmetatable and setmetatable know the proxies, so iterating _G or
// string works and raw access cannot get around the protection. Reading
// an undefined global raises Redis's error instead of giving nil.

const (
	errReadonly      = "Attempt to modify a readonly table"
	fmtNoSuchGlobal  = "Script attempted to access nonexistent global variable '%s'"
	protectedMTValue = false
)

// sandbox is the global environment of one Lua state.
type sandbox struct {
	L *lua.LState
	// G is the real globals table; env is its read-only proxy, the
	// environment every script and library function runs in.
	G, env  *lua.LTable
	proxies map[*lua.LTable]*lua.LTable // proxy -> real
	// stringMT is the metatable of strings; stringMTProxy is what
	// getmetatable('') shows, a read-only table whose __index is the
	// string library's proxy.
	stringMT, stringMTProxy *lua.LTable
	// gmtProxy is what getmetatable(_G) shows: the read-only metatable
	// that makes undefined globals an error.
	gmtProxy *lua.LTable
}

func newSandbox(L *lua.LState) *sandbox {
	sb := &sandbox{L: L, G: L.NewTable(), proxies: map[*lua.LTable]*lua.LTable{}}
	// Undefined globals raise an error rather than reading as nil.
	gmt := L.NewTable()
	gmt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(fmtNoSuchGlobal, L.ToString(2))
		return 0
	}))
	L.SetMetatable(sb.G, gmt)
	sb.gmtProxy = sb.readonly(gmt)
	sb.env = sb.readonly(sb.G)
	sb.G.RawSetString("_G", sb.env)
	return sb
}

// protectStrings gives strings a metatable of their own (gopher-lua uses
// the string library table itself, which would show an __index entry in
// pairs(string)) and prepares what getmetatable(”) shows.
func (sb *sandbox) protectStrings(real, proxy *lua.LTable) {
	L := sb.L
	real.RawSetString("__index", lua.LNil)
	mt := L.NewTable()
	mt.RawSetString("__index", real)
	L.SetMetatable(lua.LString(""), mt)
	sb.stringMT = mt
	shown := L.NewTable()
	shown.RawSetString("__index", proxy)
	sb.stringMTProxy = sb.readonly(shown)
}

// raiseReadonly raises Redis's error for a write to a protected table,
// without a position (Redis raises it from C).
func raiseReadonly(L *lua.LState) {
	L.Error(lua.LString(errReadonly), 0)
}

// readonly returns a read-only proxy of t.
func (sb *sandbox) readonly(t *lua.LTable) *lua.LTable {
	L := sb.L
	p := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(func(L *lua.LState) int {
		L.RaiseError(errReadonly) // with the position, as Lua's assignment
		return 0
	}))
	mt.RawSetString("__metatable", lua.LBool(protectedMTValue))
	L.SetMetatable(p, mt)
	sb.proxies[p] = t
	return p
}

// real returns the table behind a proxy (or v itself).
func (sb *sandbox) real(v lua.LValue) lua.LValue {
	if t, ok := v.(*lua.LTable); ok {
		if r := sb.proxies[t]; r != nil {
			return r
		}
	}
	return v
}

// isProxy reports whether v is a read-only proxy.
func (sb *sandbox) isProxy(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	return ok && sb.proxies[t] != nil
}

// install replaces the base functions that would see through or around
// the proxies.
func (sb *sandbox) install(base *lua.LTable) {
	L := sb.L
	next := base.RawGetString("next").(*lua.LFunction)
	ipairsIter := L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		i := L.CheckInt(2) + 1
		v := t.RawGetInt(i)
		if v == lua.LNil {
			return 0
		}
		L.Push(lua.LNumber(i))
		L.Push(v)
		return 2
	})
	wrapNext := L.NewFunction(func(L *lua.LState) int {
		L.Replace(1, sb.real(L.Get(1)))
		top := L.GetTop()
		L.Push(next)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, lua.MultRet)
		return L.GetTop() - top
	})
	set := func(name string, fn lua.LGFunction) { sb.G.RawSetString(name, L.NewFunction(fn)) }
	sb.G.RawSetString("next", wrapNext)
	set("pairs", func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(wrapNext)
		L.Push(sb.real(t))
		L.Push(lua.LNil)
		return 3
	})
	set("ipairs", func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(ipairsIter)
		L.Push(sb.real(t))
		L.Push(lua.LNumber(0))
		return 3
	})
	set("rawget", func(L *lua.LState) int {
		t := L.CheckTable(1)
		L.Push(sb.real(t).(*lua.LTable).RawGet(L.CheckAny(2)))
		return 1
	})
	set("rawset", func(L *lua.LState) int {
		t := L.CheckTable(1)
		if sb.isProxy(t) || t == sb.G {
			raiseReadonly(L)
		}
		k, v := L.CheckAny(2), L.CheckAny(3)
		if k == lua.LNil {
			L.RaiseError("table index is nil")
		}
		t.RawSet(k, v)
		L.Push(t)
		return 1
	})
	set("rawequal", func(L *lua.LState) int {
		L.Push(lua.LBool(sb.real(L.CheckAny(1)) == sb.real(L.CheckAny(2))))
		return 1
	})
	set("getmetatable", func(L *lua.LState) int {
		v := L.CheckAny(1)
		if real := sb.real(v); real != v {
			// A protected table: only _G has a metatable to show.
			if real == sb.G {
				L.Push(sb.gmtProxy)
			} else {
				L.Push(lua.LNil)
			}
			return 1
		}
		mt := L.GetMetatable(v)
		if t, ok := mt.(*lua.LTable); ok && t == sb.stringMT {
			mt = sb.stringMTProxy
		} else if ok {
			if f := t.RawGetString("__metatable"); f != lua.LNil {
				mt = f
			}
		}
		L.Push(mt)
		return 1
	})
	set("setmetatable", func(L *lua.LState) int {
		t := L.CheckTable(1)
		if sb.isProxy(t) || t == sb.G {
			raiseReadonly(L)
		}
		mt := L.Get(2)
		if mt != lua.LNil {
			if _, ok := mt.(*lua.LTable); !ok {
				L.ArgError(2, "nil or table expected")
			}
		}
		if old, ok := t.Metatable.(*lua.LTable); ok && old.RawGetString("__metatable") != lua.LNil {
			L.RaiseError("cannot change a protected metatable")
		}
		L.SetMetatable(t, mt)
		L.Push(t)
		return 1
	})
}
