package lua

import (
	"math"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

func TestFromLuaScalars(t *testing.T) {
	require.Equal(t, core.Int(3), fromLua(lua.LNumber(3.99), 2))
	require.Equal(t, core.Int(-3), fromLua(lua.LNumber(-3.99), 2))
	require.Equal(t, core.Int(math.MinInt64), fromLua(lua.LNumber(math.Inf(1)), 2))
	require.Equal(t, core.Int(math.MinInt64), fromLua(lua.LNumber(math.NaN()), 2))
	require.Equal(t, core.Int(1), fromLua(lua.LTrue, 2))
	require.Equal(t, core.VNull, fromLua(lua.LFalse, 2).Kind)
	require.Equal(t, core.Value{Kind: core.VBool, Int: 0}, fromLua(lua.LFalse, 3))
	require.Equal(t, core.VNull, fromLua(lua.LNil, 3).Kind)
	require.Equal(t, []byte("s"), fromLua(lua.LString("s"), 2).Str)
}

func TestFromLuaTables(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	arr := L.NewTable()
	arr.Append(lua.LNumber(1))
	arr.RawSetInt(3, lua.LNumber(3)) // a hole at 2: the array stops there
	v := fromLua(arr, 2)
	require.Equal(t, core.VArray, v.Kind)
	require.Len(t, v.Elems, 1)

	single := func(k string, val lua.LValue) *lua.LTable {
		t := L.NewTable()
		t.RawSetString(k, val)
		return t
	}
	require.Equal(t, core.ErrorValue("MYERR x"), fromLua(single("err", lua.LString("MYERR x")), 2))
	require.Equal(t, core.Status("OK"), fromLua(single("ok", lua.LString("OK")), 2))
	require.Equal(t, core.Value{Kind: core.VDouble, Float: 1.5}, fromLua(single("double", lua.LNumber(1.5)), 3))
	// A field of the wrong type is ignored: the table is an (empty) array.
	require.Equal(t, core.VArray, fromLua(single("double", lua.LString("x")), 3).Kind)
	require.Equal(t, core.VBigNumber, fromLua(single("big_number", lua.LString("1")), 3).Kind)
	m := fromLua(single("map", single("a", lua.LNumber(1))), 3)
	require.Equal(t, core.VMap, m.Kind)
	require.Equal(t, []core.Value{{Kind: core.VBulk, Str: []byte("a")}, core.Int(1)}, m.Elems)
	s := fromLua(single("set", single("m", lua.LTrue)), 3)
	require.Equal(t, core.VSet, s.Kind)
	require.Len(t, s.Elems, 1)

	vt := L.NewTable()
	vt.RawSetString("format", lua.LString("txt"))
	require.Equal(t, core.VArray, fromLua(single("verbatim_string", vt), 3).Kind, "string missing")
	vt.RawSetString("string", lua.LString("hi"))
	require.Equal(t, core.Value{Kind: core.VVerbatim, Format: "txt", Str: []byte("hi")}, fromLua(single("verbatim_string", vt), 3))

	// Nesting deeper than the limit is an error, not a crash.
	deep := L.NewTable()
	cur := deep
	for i := 0; i < maxReplyDepth+5; i++ {
		n := L.NewTable()
		cur.Append(n)
		cur = n
	}
	v = fromLua(deep, 2)
	for v.Kind == core.VArray && len(v.Elems) == 1 {
		v = v.Elems[0]
	}
	require.Equal(t, core.VError, v.Kind)
}

func TestToLua(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	require.Equal(t, lua.LFalse, toLua(L, core.Value{Kind: core.VNull}, 2))
	require.Equal(t, lua.LNil, toLua(L, core.Value{Kind: core.VNull}, 3))
	require.Equal(t, lua.LNumber(7), toLua(L, core.Int(7), 2))
	st := toLua(L, core.Status("OK"), 2).(*lua.LTable)
	require.Equal(t, lua.LString("OK"), st.RawGetString("ok"))
	e := toLua(L, core.ErrorValue("WRONGTYPE bad"), 2).(*lua.LTable)
	require.Equal(t, lua.LString("WRONGTYPE bad"), e.RawGetString("err"))
	require.Equal(t, lua.LTrue, e.RawGetString("ignore_error_stats_update"))
	d := core.Value{Kind: core.VDouble, Float: 1.5}
	require.Equal(t, lua.LString("1.5"), toLua(L, d, 2))
	require.Equal(t, lua.LNumber(1.5), toLua(L, d, 3).(*lua.LTable).RawGetString("double"))
	mp := core.Value{Kind: core.VMap, Elems: []core.Value{{Kind: core.VBulk, Str: []byte("k")}, core.Int(1)}}
	require.Equal(t, 2, toLua(L, mp, 2).(*lua.LTable).Len())
	inner := toLua(L, mp, 3).(*lua.LTable).RawGetString("map").(*lua.LTable)
	require.Equal(t, lua.LNumber(1), inner.RawGetString("k"))
	set := core.Value{Kind: core.VSet, Elems: []core.Value{{Kind: core.VBulk, Str: []byte("m")}}}
	require.Equal(t, lua.LTrue, toLua(L, set, 3).(*lua.LTable).RawGetString("set").(*lua.LTable).RawGetString("m"))
	require.Equal(t, lua.LNumber(1), toLua(L, core.Value{Kind: core.VBool, Int: 1}, 2))
	require.Equal(t, lua.LTrue, toLua(L, core.Value{Kind: core.VBool, Int: 1}, 3))
}

func TestArgBytes(t *testing.T) {
	for in, want := range map[float64]string{1.0 / 3: "0.33333333333333331", 10: "10", 3.0: "3", -0.5: "-0.5", math.Inf(1): "inf"} {
		b, ok := argBytes(lua.LNumber(in))
		require.True(t, ok)
		require.Equal(t, want, string(b), "%v", in)
	}
	_, ok := argBytes(lua.LTrue)
	require.False(t, ok)
}

func TestErrTable(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for in, want := range map[string]string{
		"-MYERR x":      "MYERR x",
		"-x":            "ERR x",
		"-":             "ERR ",
		"My Error":      "ERR My Error",
		"-ERR a b\r\n":  "ERR a b",
		"-WRONGTYPE  y": "WRONGTYPE  y",
	} {
		require.Equal(t, lua.LString(want), errTable(L, in).RawGetString("err"), in)
	}
}

func TestLuaMessage(t *testing.T) {
	for in, want := range map[string]string{
		"user_script:1: attempt to index a non-table object(nil) with key 'x'":  "user_script:1: attempt to index a nil value",
		"user_script:2: cannot perform add operation between nil and number":    "user_script:2: attempt to perform arithmetic on a nil value",
		"user_script:2: cannot perform sub operation between number and string": "user_script:2: attempt to perform arithmetic on a string value",
		"x:1: cannot perform concat operation between string and table":         "x:1: attempt to concatenate a table value",
		"x:1: attempt to compare table with table":                              "x:1: attempt to compare two table values",
		"x:1: attempt to compare number with nil":                               "x:1: attempt to compare number with nil",
		"x:1: for statement init must be a number":                              "x:1: 'for' initial value must be a number",
		"unrelated": "unrelated",
	} {
		require.Equal(t, want, luaMessage(in))
	}
}

func TestChunkID(t *testing.T) {
	require.Equal(t, `[string "return x"]`, chunkID("return x"))
	require.Equal(t, `[string "line one..."]`, chunkID("line one\nline two"))
	require.Equal(t, "name", chunkID("=name"))
	require.Equal(t, "file", chunkID("@file"))
	long := "return " + string(make([]byte, 0)) + "1111111111111111111111111111111111111111111111111"
	require.Equal(t, `[string "`+long[:43]+`..."]`, chunkID(long))
}
