package lualib

// cmsgpack: the MessagePack library Redis 7.0 bundles (lua-cmsgpack
// 0.4.0), written anew in Go from its documented and observed behaviour.
//
// Differences from Redis that cannot be avoided:
//   - Map entries are written in gopher-lua's table iteration order, not
//     PUC Lua's; the entries themselves are the same.
//   - Decoded arrays with nil holes are stored by gopher-lua in its array
//     part, so the length operator (#) may report a different border than
//     PUC Lua for them; the stored keys and values are the same.

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// cmsgpackMaxNesting is the table depth beyond which pack writes nil
// (this is what keeps self-referencing tables from looping forever).
const cmsgpackMaxNesting = 16

// OpenCMsgpack creates the cmsgpack library table, sets it as the global
// "cmsgpack" and returns it. Functions: pack(...), unpack(s),
// unpack_one(s[, offset]), unpack_limit(s, limit[, offset]); fields _NAME,
// _VERSION, _COPYRIGHT and _DESCRIPTION as in Redis.
func OpenCMsgpack(L *lua.LState) *lua.LTable {
	mod := L.NewTable()
	mod.RawSetString("pack", L.NewFunction(cmsgpackPack))
	mod.RawSetString("unpack", L.NewFunction(cmsgpackUnpack))
	mod.RawSetString("unpack_one", L.NewFunction(cmsgpackUnpackOne))
	mod.RawSetString("unpack_limit", L.NewFunction(cmsgpackUnpackLimit))
	mod.RawSetString("_NAME", lua.LString("cmsgpack"))
	mod.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	mod.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	mod.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	L.SetGlobal("cmsgpack", mod)
	return mod
}

// cmsgpackPack implements cmsgpack.pack(...): the MessagePack encodings of
// all arguments, concatenated.
func cmsgpackPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		cjsonArgError(L, 0, "MessagePack pack needs input.")
	}
	if n+n > cjsonLuaStackLimit {
		cjsonArgError(L, 0, "Too many arguments for MessagePack pack.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		// lua-cmsgpack keeps the arguments and one encoded string per
		// argument already done on the stack, then a copy of argument i.
		b = cmsgpackEncode(L, b, L.Get(i), 0, n+i)
	}
	L.Push(lua.LString(b))
	return 1
}

// cmsgpackEncode appends the encoding of v. Numbers that are exactly an
// int64 use the smallest integer format; other numbers are float 32 when
// that is exact, else float 64. Strings are fixstr/str8/str16/str32.
// Tables whose keys are exactly 1..n are arrays, others maps. Tables
// nested deeper than cmsgpackMaxNesting, and values of other types, are
// nil. top is the Lua stack height lua-cmsgpack would have with v on top;
// its stack checks fail at the same points.
func cmsgpackEncode(L *lua.LState, b []byte, v lua.LValue, level, top int) []byte {
	switch x := v.(type) {
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		return cmsgpackEncodeNumber(b, float64(x))
	case lua.LString:
		checkAlloc(L, int64(len(b))+int64(len(x))+5)
		return cmsgpackEncodeString(b, string(x))
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		return cmsgpackEncodeTable(L, b, x, level, top)
	}
	return append(b, 0xc0)
}

func cmsgpackEncodeNumber(b []byte, f float64) []byte {
	if !math.IsInf(f, 0) {
		if i := cjsonFloatToInt64(f); float64(i) == f {
			return cmsgpackEncodeInt(b, i)
		}
	}
	if f32 := float32(f); float64(f32) == f && (math.IsInf(f, 0) || math.Abs(f) <= math.MaxFloat32) {
		b = append(b, 0xca)
		return binary.BigEndian.AppendUint32(b, math.Float32bits(f32))
	}
	b = append(b, 0xcb)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}

func cmsgpackEncodeInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 127:
		return append(b, byte(n))
	case n >= 0 && n <= 0xff:
		return append(b, 0xcc, byte(n))
	case n >= 0 && n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
	case n >= 0 && n <= 0xffffffff:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
	case n >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	case n >= -32:
		return append(b, byte(int8(n)))
	case n >= -128:
		return append(b, 0xd0, byte(int8(n)))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(int16(n)))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(int32(n)))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

func cmsgpackEncodeString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

// cmsgpackHeader appends an array (fix 0x90, 0xdc, 0xdd) or map (fix
// 0x80, 0xde, 0xdf) header for n elements.
func cmsgpackHeader(b []byte, n int, fix, c16, c32 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, c16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, c32), uint32(n))
}

func cmsgpackEncodeTable(L *lua.LState, b []byte, t *lua.LTable, level, top int) []byte {
	if top+2 > cjsonLuaStackLimit {
		cjsonRaise(L, "stack overflow (in function table_is_an_array)")
	}
	// An array has only positive integer keys (each fitting a C int) and
	// as many keys as the largest one, hence exactly the keys 1..n.
	count, max := 0, 0
	array := true
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f <= 0 || math.IsInf(f, 0) || float64(cjsonFloatToInt32(f)) != f {
			array = false
			break
		}
		if int(f) > max {
			max = int(f)
		}
		count++
	}
	if array && max == count {
		if top+1 > cjsonLuaStackLimit {
			cjsonRaise(L, "stack overflow (in function mp_encode_lua_table_as_array)")
		}
		b = cmsgpackHeader(b, count, 0x90, 0xdc, 0xdd)
		for i := 1; i <= count; i++ {
			b = cmsgpackEncode(L, b, t.RawGetInt(i), level+1, top+1)
		}
		return b
	}
	if top+3 > cjsonLuaStackLimit {
		cjsonRaise(L, "stack overflow (in function mp_encode_lua_table_as_map)")
	}
	count = 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		count++
	}
	b = cmsgpackHeader(b, count, 0x80, 0xde, 0xdf)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		// The stack holds the key, the value and a copy of the key.
		b = cmsgpackEncode(L, b, k, level+1, top+3)
		b = cmsgpackEncode(L, b, v, level+1, top+2)
	}
	return b
}

// ---- decoding ----

const (
	cmsgpackErrNone = iota
	cmsgpackErrEOF
	cmsgpackErrBadFmt
)

type cmsgpackDecoder struct {
	L   *lua.LState
	s   string
	pos int
	err int
}

func (d *cmsgpackDecoder) need(n int64) bool {
	if int64(len(d.s)-d.pos) < n {
		d.err = cmsgpackErrEOF
		return false
	}
	return true
}

// value decodes one object. slots is the number of Lua stack slots
// lua-cmsgpack would be using; its stack checks fail at the same depths.
func (d *cmsgpackDecoder) value(slots int) lua.LValue {
	if !d.need(1) {
		return lua.LNil
	}
	if slots+1 > cjsonLuaStackLimit {
		cjsonRaise(d.L, "stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)")
	}
	c := d.s[d.pos]
	be := func(n int) uint64 { // big-endian unsigned of n bytes after the type byte
		var v uint64
		for i := 1; i <= n; i++ {
			v = v<<8 | uint64(d.s[d.pos+i])
		}
		return v
	}
	fixed := func(n int) (uint64, bool) {
		if !d.need(int64(1 + n)) {
			return 0, false
		}
		v := be(n)
		d.pos += 1 + n
		return v, true
	}
	switch {
	case c <= 0x7f:
		d.pos++
		return lua.LNumber(c)
	case c >= 0xe0:
		d.pos++
		return lua.LNumber(int8(c))
	case c >= 0xa0 && c <= 0xbf:
		return d.str(1, int64(c&0x1f))
	case c >= 0x90 && c <= 0x9f:
		d.pos++
		return d.array(int64(c&0x0f), slots)
	case c >= 0x80 && c <= 0x8f:
		d.pos++
		return d.mapping(int64(c&0x0f), slots)
	}
	switch c {
	case 0xc0:
		d.pos++
		return lua.LNil
	case 0xc2, 0xc3:
		d.pos++
		return lua.LBool(c == 0xc3)
	case 0xca:
		if v, ok := fixed(4); ok {
			return lua.LNumber(math.Float32frombits(uint32(v)))
		}
	case 0xcb:
		if v, ok := fixed(8); ok {
			return lua.LNumber(math.Float64frombits(v))
		}
	case 0xcc, 0xcd, 0xce:
		if v, ok := fixed(1 << (c - 0xcc)); ok {
			return lua.LNumber(v)
		}
	case 0xcf:
		if v, ok := fixed(8); ok {
			return lua.LNumber(int64(v)) // pushed as a signed lua_Integer
		}
	case 0xd0:
		if v, ok := fixed(1); ok {
			return lua.LNumber(int8(v))
		}
	case 0xd1:
		if v, ok := fixed(2); ok {
			return lua.LNumber(int16(v))
		}
	case 0xd2:
		if v, ok := fixed(4); ok {
			return lua.LNumber(int32(v))
		}
	case 0xd3:
		if v, ok := fixed(8); ok {
			return lua.LNumber(int64(v))
		}
	case 0xd9, 0xda, 0xdb:
		n := 1 << (c - 0xd9)
		if d.need(int64(1 + n)) {
			return d.str(1+n, int64(be(n)))
		}
	case 0xdc, 0xdd:
		if v, ok := fixed(2 << (c - 0xdc)); ok {
			return d.array(int64(v), slots)
		}
	case 0xde, 0xdf:
		if v, ok := fixed(2 << (c - 0xde)); ok {
			return d.mapping(int64(v), slots)
		}
	default:
		d.err = cmsgpackErrBadFmt
	}
	return lua.LNil
}

// str reads a string of n bytes after a header of hdr bytes.
func (d *cmsgpackDecoder) str(hdr int, n int64) lua.LValue {
	if !d.need(int64(hdr) + n) {
		return lua.LNil
	}
	start := d.pos + hdr
	d.pos = start + int(n)
	return lua.LString(d.s[start:d.pos])
}

func (d *cmsgpackDecoder) array(n int64, slots int) lua.LValue {
	t := d.L.NewTable()
	if slots+2 > cjsonLuaStackLimit {
		cjsonRaise(d.L, "stack overflow (in function mp_decode_to_lua_array)")
	}
	for i := 1; int64(i) <= n; i++ {
		v := d.value(slots + 2)
		if d.err != cmsgpackErrNone {
			return t
		}
		if v != lua.LNil {
			t.RawSetInt(i, v)
		}
	}
	return t
}

func (d *cmsgpackDecoder) mapping(n int64, slots int) lua.LValue {
	t := d.L.NewTable()
	for ; n > 0; n-- {
		k := d.value(slots + 1)
		if d.err != cmsgpackErrNone {
			return t
		}
		v := d.value(slots + 2)
		if d.err != cmsgpackErrNone {
			return t
		}
		switch x := k.(type) {
		case *lua.LNilType:
			d.L.Error(lua.LString("table index is nil"), 0)
		case lua.LNumber:
			if math.IsNaN(float64(x)) {
				d.L.Error(lua.LString("table index is NaN"), 0)
			}
			// gopher-lua keeps a positive integer key below
			// MaxArrayIndex in the table's array part, filling every
			// index before it: a 5-byte key can ask for a gigabyte.
			if f := float64(x); f >= 1 && f < float64(lua.MaxArrayIndex) && f == math.Trunc(f) {
				checkAlloc(d.L, int64(f)*16)
			}
		}
		t.RawSet(k, v)
	}
	return t
}

// cmsgpackUnpackFull decodes up to limit objects (all when limit and
// offset are both 0) starting at byte offset. base is the number of stack
// slots the arguments take. Unless decoding all, the next offset (-1 at
// the end of the input) is returned before the objects.
func cmsgpackUnpackFull(L *lua.LState, limit, offset int64, base int) int {
	s := cjsonCheckString(L, 1)
	size := int64(len(s))
	if offset < 0 || limit < 0 {
		cjsonRaise(L, "Invalid request to unpack with offset of "+strconv.Itoa(int(int32(offset)))+
			" and limit of "+strconv.Itoa(int(int32(size)))+".")
	}
	if offset > size {
		cjsonRaise(L, "Start offset "+strconv.Itoa(int(int32(offset)))+" greater than input length "+
			strconv.Itoa(int(int32(size)))+".")
	}
	all := limit == 0 && offset == 0
	if all {
		limit = math.MaxInt32
	}
	d := &cmsgpackDecoder{L: L, s: s, pos: int(offset)}
	var out []lua.LValue
	for cnt := int64(0); d.pos < len(s) && cnt < limit; cnt++ {
		v := d.value(base + len(out))
		switch d.err {
		case cmsgpackErrEOF:
			cjsonRaise(L, "Missing bytes in input.")
		case cmsgpackErrBadFmt:
			cjsonRaise(L, "Bad data format in input.")
		}
		out = append(out, v)
	}
	if !all {
		if base+len(out)+1 > cjsonLuaStackLimit {
			cjsonRaise(L, "stack overflow (in function mp_unpack_full)")
		}
		next := int64(-1)
		if d.pos < len(s) {
			next = int64(int32(d.pos))
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range out {
		L.Push(v)
	}
	if all {
		return len(out)
	}
	return len(out) + 1
}

// cmsgpackUnpack implements cmsgpack.unpack(s): all objects in s.
func cmsgpackUnpack(L *lua.LState) int {
	return cmsgpackUnpackFull(L, 0, 0, L.GetTop())
}

// cmsgpackUnpackOne implements cmsgpack.unpack_one(s[, offset]): the next
// offset (-1 at the end) and the object at byte offset (default 0).
func cmsgpackUnpackOne(L *lua.LState) int {
	offset := cjsonOptInteger(L, 2, 0)
	if L.GetTop() > 1 {
		L.SetTop(1)
	}
	return cmsgpackUnpackFull(L, 1, offset, 1)
}

// cmsgpackUnpackLimit implements cmsgpack.unpack_limit(s, limit[, offset]):
// the next offset and up to limit objects from byte offset; with limit 0
// and offset 0 it is unpack(s).
func cmsgpackUnpackLimit(L *lua.LState) int {
	limit := cjsonCheckInteger(L, 2)
	offset := cjsonOptInteger(L, 3, 0)
	L.SetTop(1)
	return cmsgpackUnpackFull(L, limit, offset, 1)
}

// ---- Lua 5.1 C API and C library emulation, shared with cjson ----

// cjsonLuaStackLimit is LUAI_MAXCSTACK of Redis's Lua 5.1: the most stack
// slots one C function may use. cjson and cmsgpack fail with their own
// messages when deep nesting would exceed it; we count slots the same way.
const cjsonLuaStackLimit = 8000

// cjsonRaise raises msg as luaL_error does from a C function: prefixed
// with the calling Lua function's position, bare when the caller is Go
// code such as pcall (compatRaise).
func cjsonRaise(L *lua.LState, msg string) {
	compatRaise(L, "%s", msg)
}

// cjsonCallName returns the name under which the running Go function was
// called ("encode" for cjson.encode(...), "f" for a local f), or "?" when
// there is none (called from pcall, for example), like luaL_argerror.
func cjsonCallName(L *lua.LState) string {
	dbg, ok := L.GetStack(0)
	if !ok {
		return "?"
	}
	if _, err := L.GetInfo("n", dbg, lua.LNil); err != nil {
		return "?"
	}
	name := dbg.Name
	if name == "" || strings.HasPrefix(name, "<") || name == "main chunk" || name == "corountine" || name == "(anonymous)" {
		return "?"
	}
	return name
}

// cjsonArgError raises "bad argument #n to 'name' (msg)".
func cjsonArgError(L *lua.LState, n int, msg string) {
	cjsonRaise(L, "bad argument #"+strconv.Itoa(n)+" to '"+cjsonCallName(L)+"' ("+msg+")")
}

// cjsonTypeName is lua_typename of argument n, "no value" when absent.
func cjsonTypeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

// cjsonTypeError raises luaL_typerror's message.
func cjsonTypeError(L *lua.LState, n int, want string) {
	cjsonArgError(L, n, want+" expected, got "+cjsonTypeName(L, n))
}

// cjsonToNumber converts v as lua_tonumber does: numbers as is, strings
// holding a number (strtod syntax, hex included, surrounding spaces allowed).
func cjsonToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		s := strings.TrimLeft(string(x), " \t\n\v\f\r")
		f, n := cjsonStrtod(s)
		if n == 0 {
			return 0, false
		}
		if strings.Trim(s[n:], " \t\n\v\f\r") != "" {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// cjsonFloatToInt64 converts like a C cast on x86-64 (cvttsd2si): truncation
// toward zero, and INT64_MIN for NaN and out-of-range values.
func cjsonFloatToInt64(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// cjsonFloatToInt32 converts like a C (int) cast on x86-64: truncation
// toward zero, INT_MIN for NaN and out-of-range values.
func cjsonFloatToInt32(f float64) int32 {
	if math.IsNaN(f) || f >= 2147483648.0 || f <= -2147483649.0 {
		return math.MinInt32
	}
	return int32(f)
}

// cjsonCheckInteger is luaL_checkinteger: argument n must be a number or a
// numeric string; the result is truncated as lua_tointeger does.
func cjsonCheckInteger(L *lua.LState, n int) int64 {
	f, ok := cjsonToNumber(L.Get(n))
	if !ok || n > L.GetTop() {
		cjsonTypeError(L, n, "number")
	}
	return cjsonFloatToInt64(f)
}

// cjsonOptInteger is luaL_optinteger: def when argument n is none or nil.
func cjsonOptInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return cjsonCheckInteger(L, n)
}

// cjsonCheckString is luaL_checklstring: strings as is, numbers converted
// with "%.14g", anything else is a type error.
func cjsonCheckString(L *lua.LState, n int) string {
	switch x := L.Get(n).(type) {
	case lua.LString:
		if n <= L.GetTop() {
			return string(x)
		}
	case lua.LNumber:
		return cjsonFormatG(float64(x), 14)
	}
	cjsonTypeError(L, n, "string")
	return ""
}

// cjsonFormatG formats f as C's printf("%.*g", prec, f) with glibc:
// "inf", "-inf", "nan", "-nan" for the special values.
func cjsonFormatG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	// Go's 'g' verb follows C's rules: exponent form when exp < -4 or
	// exp >= precision, trailing zeros removed, exponent of at least two
	// digits.
	return strconv.FormatFloat(f, 'g', prec, 64)
}

func cjsonIsDigit(c byte) bool    { return c >= '0' && c <= '9' }
func cjsonIsHexDigit(c byte) bool { return cjsonIsDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'f' }

// cjsonStrtod parses the longest prefix of s that glibc strtod accepts
// (no leading white space): optional sign, then decimal digits with an
// optional point and exponent, hexadecimal "0x" digits with an optional
// point and binary "p" exponent, "inf", "infinity" or "nan" with an optional
// "(chars)". It returns the value and the length consumed, 0 when s does
// not start with a number.
func cjsonStrtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case strings.HasPrefix(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case strings.HasPrefix(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' {
			j := n + 1
			for j < len(s) && (cjsonIsDigit(s[j]) || (s[j]|0x20) >= 'a' && (s[j]|0x20) <= 'z' || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		nan := math.Float64frombits(0x7ff8000000000000)
		if neg {
			nan = math.Float64frombits(0xfff8000000000000)
		}
		return nan, n
	}
	if strings.HasPrefix(rest, "0x") {
		j := i + 2
		start := j
		digits := 0
		for j < len(s) && cjsonIsHexDigit(s[j]) {
			j++
			digits++
		}
		if j < len(s) && s[j] == '.' {
			j++
			for j < len(s) && cjsonIsHexDigit(s[j]) {
				j++
				digits++
			}
		}
		if digits > 0 {
			mant := s[start:j]
			exp := "0"
			if j < len(s) && (s[j]|0x20) == 'p' {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && cjsonIsDigit(s[k]) {
					for k < len(s) && cjsonIsDigit(s[k]) {
						k++
					}
					exp = s[j+1 : k]
					j = k
				}
			}
			if mant[len(mant)-1] == '.' {
				mant += "0"
			}
			if mant[0] == '.' {
				mant = "0" + mant
			}
			f, _ := strconv.ParseFloat("0x"+mant+"p"+cjsonClampExp(exp), 64)
			return sign(f), j
		}
		// "0x" without hex digits: only the "0" is a number.
	}
	j := i
	digits := 0
	for j < len(s) && cjsonIsDigit(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && cjsonIsDigit(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && (s[j]|0x20) == 'e' {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && cjsonIsDigit(s[k]) {
			for k < len(s) && cjsonIsDigit(s[k]) {
				k++
			}
			j = k
		}
	}
	text := s[i:j]
	if k := strings.IndexAny(text, "eE"); k >= 0 {
		text = text[:k+1] + cjsonClampExp(text[k+1:])
	}
	f, _ := strconv.ParseFloat(text, 64)
	return sign(f), j
}

// cjsonClampExp limits a decimal exponent text to a range ParseFloat
// handles while keeping its effect (overflow to inf, underflow to 0).
func cjsonClampExp(e string) string {
	neg := strings.HasPrefix(e, "-")
	digits := strings.TrimLeft(strings.TrimLeft(e, "+-"), "0")
	if len(digits) > 6 {
		if neg {
			return "-999999"
		}
		return "999999"
	}
	if digits == "" {
		digits = "0"
	}
	if neg {
		return "-" + digits
	}
	return digits
}
