package lua

import (
	"math"
	"unsafe"

	"github.com/polyfn/polyfn/core"
	lua "github.com/yuin/gopher-lua"
)

// Conversions between core reply values and Lua values, by Redis's rules
// (see README.md in this directory for the table).

// maxReplyDepth bounds the nesting of a reply converted either way; Lua
// in Redis stops at its C stack limit.
const maxReplyDepth = 1000

// toLua converts a command's reply for the script. resp is the script's
// protocol (redis.setresp): in RESP2 the reply is seen as a RESP2 client
// would see it.
func toLua(L *lua.LState, v core.Value, resp int) lua.LValue {
	switch v.Kind {
	case core.VInt:
		return lua.LNumber(v.Int)
	case core.VBulk:
		return lua.LString(v.Str)
	case core.VStatus:
		t := L.CreateTable(0, 1)
		if string(v.Str) == "OK" {
			t.RawSetString("ok", luaOK) // no allocation for the commonest status
		} else {
			t.RawSetString("ok", lua.LString(v.Str))
		}
		return t
	case core.VError:
		return commandErrTable(L, v)
	case core.VNull, core.VNullArray:
		if resp == 2 {
			return lua.LFalse
		}
		return lua.LNil
	case core.VArray, core.VSet, core.VPush:
		if v.Kind == core.VSet && resp == 3 {
			set := L.CreateTable(0, len(v.Elems))
			for _, e := range v.Elems {
				set.RawSet(toLua(L, e, resp), lua.LTrue)
			}
			t := L.CreateTable(0, 1)
			t.RawSetString("set", set)
			return t
		}
		return luaArray(L, v.Elems, resp)
	case core.VMap:
		if resp == 2 {
			return luaArray(L, v.Elems, resp)
		}
		m := L.CreateTable(0, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m.RawSet(toLua(L, v.Elems[i], resp), toLua(L, v.Elems[i+1], resp))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("map", m)
		return t
	case core.VDouble:
		if resp == 2 {
			return lua.LString(core.AppendDouble(nil, v.Float))
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("double", lua.LNumber(v.Float))
		return t
	case core.VBool:
		if resp == 2 {
			return lua.LNumber(v.Int)
		}
		return lua.LBool(v.Int != 0)
	case core.VBigNumber:
		if resp == 2 {
			return lua.LString(v.Str)
		}
		t := L.CreateTable(0, 1)
		t.RawSetString("big_number", lua.LString(v.Str))
		return t
	case core.VVerbatim:
		if resp == 2 {
			return lua.LString(v.Str)
		}
		vt := L.CreateTable(0, 2)
		vt.RawSetString("format", lua.LString(v.Format))
		vt.RawSetString("string", lua.LString(v.Str))
		t := L.CreateTable(0, 1)
		t.RawSetString("verbatim_string", vt)
		return t
	}
	return lua.LNil
}

// luaArray converts an array reply: each element at its own index, so
// that a RESP3 null (nil) leaves a hole where Redis's does (MGET's t[2]
// is the second key's value even when the first is missing), instead of
// moving the elements after it down.
func luaArray(L *lua.LState, elems []core.Value, resp int) *lua.LTable {
	t := L.CreateTable(len(elems), 0)
	for i, e := range elems {
		if lv := toLua(L, e, resp); lv != lua.LNil {
			t.RawSetInt(i+1, lv)
		}
	}
	return t
}

var luaOK = lua.LString("OK")

// fromLua converts a script's return value into its reply. resp is the
// script's protocol: it decides how booleans are answered.
func fromLua(lv lua.LValue, resp int) core.Value {
	v, _ := fromLuaLimit(lv, resp, 0)
	return v
}

// fromLuaLimit is fromLua for a reply that may take at most limit bytes
// (0: no limit), counted as the reply values it makes: a script must
// not make the server build a reply it cannot hold. ok is false when the
// reply would be larger (the value is then incomplete).
func fromLuaLimit(lv lua.LValue, resp int, limit int64) (v core.Value, ok bool) {
	c := replyCount{left: math.MaxInt64}
	if limit > 0 {
		c.left = limit / valueSize
	}
	v = c.value(lv, resp, 0)
	return v, c.left >= 0
}

// valueSize is what one reply value costs: a core.Value, twice over for
// the slack of the slices that grow to hold them.
const valueSize = 2 * int64(unsafe.Sizeof(core.Value{}))

// replyCount counts the values a reply may still make.
type replyCount struct{ left int64 }

func (c *replyCount) value(lv lua.LValue, resp, depth int) core.Value {
	switch v := lv.(type) {
	case lua.LString:
		// The reply is written before the script's strings can go away,
		// and Values' bytes are read-only: no copy.
		return core.Value{Kind: core.VBulk, Str: unsafe.Slice(unsafe.StringData(string(v)), len(v))}
	case lua.LNumber:
		return core.Int(luaToInt64(float64(v)))
	case lua.LBool:
		if resp == 2 {
			if v {
				return core.Int(1)
			}
			return core.Value{Kind: core.VNull}
		}
		return core.Value{Kind: core.VBool, Int: b2i(bool(v))}
	case *lua.LTable:
		if depth >= maxReplyDepth {
			return core.ErrorValue("ERR reached lua stack limit")
		}
		return c.table(v, resp, depth)
	}
	return core.Value{Kind: core.VNull}
}

func (c *replyCount) table(t *lua.LTable, resp, depth int) core.Value {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		return core.ErrorValue(string(s))
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		return core.Status(string(s))
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		return core.Value{Kind: core.VDouble, Float: float64(n)}
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		return core.Value{Kind: core.VBigNumber, Str: []byte(s)}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		out := core.Value{Kind: core.VMap, Elems: []core.Value{}}
		m.ForEach(func(k, v lua.LValue) {
			if c.left -= 2; c.left >= 0 {
				out.Elems = append(out.Elems, c.value(k, resp, depth+1), c.value(v, resp, depth+1))
			}
		})
		return out
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		out := core.Value{Kind: core.VSet, Elems: []core.Value{}}
		s.ForEach(func(k, _ lua.LValue) {
			if c.left--; c.left >= 0 {
				out.Elems = append(out.Elems, c.value(k, resp, depth+1))
			}
		})
		return out
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, okf := vt.RawGetString("format").(lua.LString)
		s, oks := vt.RawGetString("string").(lua.LString)
		if okf && oks {
			return core.Value{Kind: core.VVerbatim, Format: string(f), Str: []byte(s)}
		}
	}
	out := core.Value{Kind: core.VArray, Elems: []core.Value{}}
	for i := 1; ; i++ {
		e := t.RawGetInt(i)
		if e == lua.LNil {
			break
		}
		if c.left--; c.left < 0 {
			break
		}
		out.Elems = append(out.Elems, c.value(e, resp, depth+1))
	}
	return out
}

// luaToInt64 truncates as C's (long long) cast does on x86-64: out of
// range and NaN give the "integer indefinite" value, math.MinInt64.
func luaToInt64(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// argBytes converts a redis.call argument: strings as they are, numbers
// as "%.17g" (Redis's conversion); anything else is refused.
func argBytes(v lua.LValue) ([]byte, bool) {
	switch a := v.(type) {
	case lua.LString:
		return []byte(a), true
	case lua.LNumber:
		return core.AppendDouble(nil, float64(a)), true
	}
	return nil, false
}

// commandErrTable is the table a command's error reply becomes; Redis
// marks it so that returning it does not count the error twice.
func commandErrTable(L *lua.LState, v core.Value) *lua.LTable {
	t := errTable(L, "-"+string(v.Str))
	t.RawSetString("ignore_error_stats_update", lua.LTrue)
	return t
}
