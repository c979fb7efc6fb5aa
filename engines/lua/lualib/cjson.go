package lualib

// cjson: the JSON library Redis 7.0 bundles (lua-cjson 2.1.0), written
// anew in Go from its documented and observed behaviour.
//
// Differences from Redis that cannot be avoided:
//   - Object members are written in gopher-lua's table iteration order
//     (array part, then keys in insertion order), not PUC Lua's hash order.
//     Only the order differs; the members are the same.
//   - cjson.null is a full userdata with no metatable (Redis: a light
//     userdata holding NULL), so tostring(cjson.null) prints an address
//     rather than "userdata: (nil)". type() is "userdata" in both.
//   - encode_keep_buffer is accepted and reported but has no effect.
//
// Errors are raised without a position prefix, as luaL_error does from C:
// pcall sees exactly Redis's message. (For uncaught errors Redis prefixes
// "user_script:N: "; that is for the engine to add.) "bad argument"
// messages name the function as called ('encode', a local's name, or '?').
// Lua stack limits (LUAI_MAXCSTACK 8000) are emulated by counting slots, so
// very deep nesting fails at the same depth and with the same message.

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// cjsonConfig holds the settings changed by cjson's configuration
// functions; each library instance (OpenCJSON, cjson.new) has its own.
type cjsonConfig struct {
	sparseConvert   bool
	sparseRatio     int64
	sparseSafe      int64
	encodeMaxDepth  int64
	decodeMaxDepth  int64
	encodeInvalid   int64 // 0 off, 1 on, 2 "null"
	decodeInvalid   bool
	keepBuffer      bool
	numberPrecision int64
}

func cjsonDefaultConfig() *cjsonConfig {
	return &cjsonConfig{
		sparseRatio:     2,
		sparseSafe:      10,
		encodeMaxDepth:  1000,
		decodeMaxDepth:  1000,
		decodeInvalid:   true,
		keepBuffer:      true,
		numberPrecision: 14,
	}
}

// OpenCJSON creates the cjson library table, sets it as the global "cjson"
// and returns it. Functions: encode, decode, new, and the configuration
// functions encode_sparse_array, encode_max_depth, decode_max_depth,
// encode_number_precision, encode_keep_buffer, encode_invalid_numbers,
// decode_invalid_numbers; fields null, _NAME ("cjson") and _VERSION
// ("2.1.0"). Configuration is kept per library table, in Go.
func OpenCJSON(L *lua.LState) *lua.LTable {
	null := L.NewUserData()
	mod := cjsonNewModule(L, null)
	L.SetGlobal("cjson", mod)
	return mod
}

func cjsonNewModule(L *lua.LState, null *lua.LUserData) *lua.LTable {
	cfg := cjsonDefaultConfig()
	mod := L.NewTable()
	fns := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int { return cjsonEncode(L, cfg, null) },
		"decode": func(L *lua.LState) int { return cjsonDecode(L, cfg, null) },
		"new": func(L *lua.LState) int {
			L.Push(cjsonNewModule(L, null))
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			cjsonArgCount(L, 3)
			cjsonBoolOption(L, 1, &cfg.sparseConvert)
			cjsonIntOption(L, 2, &cfg.sparseRatio, 0, math.MaxInt32)
			cjsonIntOption(L, 3, &cfg.sparseSafe, 0, math.MaxInt32)
			L.Push(lua.LBool(cfg.sparseConvert))
			L.Push(lua.LNumber(cfg.sparseRatio))
			L.Push(lua.LNumber(cfg.sparseSafe))
			return 3
		},
		"encode_max_depth": func(L *lua.LState) int {
			return cjsonIntConfig(L, &cfg.encodeMaxDepth, 1, math.MaxInt32)
		},
		"decode_max_depth": func(L *lua.LState) int {
			return cjsonIntConfig(L, &cfg.decodeMaxDepth, 1, math.MaxInt32)
		},
		"encode_number_precision": func(L *lua.LState) int {
			return cjsonIntConfig(L, &cfg.numberPrecision, 1, 14)
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			cjsonArgCount(L, 1)
			cjsonBoolOption(L, 1, &cfg.keepBuffer)
			L.Push(lua.LBool(cfg.keepBuffer))
			return 1
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgCount(L, 1)
			cjsonBoolOption(L, 1, &cfg.decodeInvalid)
			L.Push(lua.LBool(cfg.decodeInvalid))
			return 1
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgCount(L, 1)
			names := []string{"off", "on", "null"}
			if v := L.Get(1); v != lua.LNil {
				if b, ok := v.(lua.LBool); ok {
					cfg.encodeInvalid = 0
					if b {
						cfg.encodeInvalid = 1
					}
				} else {
					cfg.encodeInvalid = int64(cjsonCheckOption(L, 1, names))
				}
			}
			if cfg.encodeInvalid == 2 {
				L.Push(lua.LString("null"))
			} else {
				L.Push(lua.LBool(cfg.encodeInvalid == 1))
			}
			return 1
		},
	}
	for name, fn := range fns {
		mod.RawSetString(name, L.NewFunction(fn))
	}
	mod.RawSetString("null", null)
	mod.RawSetString("_NAME", lua.LString("cjson"))
	mod.RawSetString("_VERSION", lua.LString("2.1.0"))
	return mod
}

// cjsonArgCount fails like lua-cjson when more than max arguments are given.
func cjsonArgCount(L *lua.LState, max int) {
	if L.GetTop() > max {
		cjsonArgError(L, max+1, "found too many arguments")
	}
}

// cjsonIntConfig implements a one-argument integer configuration function.
func cjsonIntConfig(L *lua.LState, setting *int64, min, max int64) int {
	cjsonArgCount(L, 1)
	cjsonIntOption(L, 1, setting, min, max)
	L.Push(lua.LNumber(*setting))
	return 1
}

// cjsonIntOption sets *setting from argument n unless it is none or nil.
// Out-of-range values are reported against argument #1 whatever n is, as
// Redis's lua-cjson does.
func cjsonIntOption(L *lua.LState, n int, setting *int64, min, max int64) {
	if L.Get(n) == lua.LNil {
		return
	}
	v := cjsonCheckInteger(L, n)
	if v < min || v > max {
		cjsonArgError(L, 1, "expected integer between "+strconv.FormatInt(min, 10)+" and "+strconv.FormatInt(max, 10))
	}
	*setting = v
}

// cjsonBoolOption sets *setting from argument n (a boolean, "on" or "off")
// unless it is none or nil.
func cjsonBoolOption(L *lua.LState, n int, setting *bool) {
	v := L.Get(n)
	if v == lua.LNil {
		return
	}
	if b, ok := v.(lua.LBool); ok {
		*setting = bool(b)
		return
	}
	*setting = cjsonCheckOption(L, n, []string{"off", "on"}) == 1
}

// cjsonCheckOption is luaL_checkoption without a default.
func cjsonCheckOption(L *lua.LState, n int, names []string) int {
	s := cjsonCheckString(L, n)
	for i, name := range names {
		if s == name {
			return i
		}
	}
	cjsonArgError(L, n, "invalid option '"+s+"'")
	return 0
}

// ---- encoding ----

type cjsonEncoder struct {
	L    *lua.LState
	cfg  *cjsonConfig
	null *lua.LUserData
	buf  strings.Builder
}

func cjsonEncode(L *lua.LState, cfg *cjsonConfig, null *lua.LUserData) int {
	if L.GetTop() != 1 {
		cjsonArgError(L, 1, "expected 1 argument")
	}
	e := &cjsonEncoder{L: L, cfg: cfg, null: null}
	e.value(L.Get(1), 0, 1)
	L.Push(lua.LString(e.buf.String()))
	return 1
}

func (e *cjsonEncoder) fail(v lua.LValue, reason string) {
	cjsonRaise(e.L, "Cannot serialise "+v.Type().String()+": "+reason)
}

// value appends the JSON text of v. depth counts enclosing tables; slots
// counts the Lua stack slots lua-cjson would be using at this point, so
// that the same nesting overflows the same way.
func (e *cjsonEncoder) value(v lua.LValue, depth int64, slots int) {
	switch x := v.(type) {
	case *lua.LNilType:
		e.buf.WriteString("null")
	case lua.LBool:
		if x {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
	case lua.LNumber:
		e.number(x)
	case lua.LString:
		checkAlloc(e.L, int64(e.buf.Len())+6*int64(len(x))+2) // \u00XX at worst
		cjsonAppendString(&e.buf, string(x))
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth || slots+3 > cjsonLuaStackLimit {
			cjsonRaise(e.L, "Cannot serialise, excessive nesting ("+strconv.FormatInt(depth, 10)+")")
		}
		if n := e.arrayLength(x); n > 0 {
			e.buf.WriteByte('[')
			for i := int32(1); i <= n; i++ {
				if i > 1 {
					e.buf.WriteByte(',')
				}
				e.value(x.RawGet(lua.LNumber(i)), depth, slots+1)
			}
			e.buf.WriteByte(']')
		} else {
			e.object(x, depth, slots)
		}
	case *lua.LUserData:
		if x == e.null {
			e.buf.WriteString("null")
			return
		}
		e.fail(v, "type not supported")
	default:
		e.fail(v, "type not supported")
	}
}

func (e *cjsonEncoder) number(n lua.LNumber) {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch e.cfg.encodeInvalid {
		case 0:
			e.fail(n, "must not be NaN or Inf")
		case 2:
			e.buf.WriteString("null")
			return
		}
		if math.IsNaN(f) {
			e.buf.WriteString("nan")
			return
		}
	}
	e.buf.WriteString(cjsonFormatG(f, int(e.cfg.numberPrecision)))
}

// arrayLength decides, as lua-cjson does, whether t is an array: it
// returns the array length (> 0), or 0 when t must be written as an
// object. Keys must all be integers >= 1; their maximum is kept in a C int
// (so keys of 2^31 and above spoil it); excessively sparse arrays are an
// error or an object according to encode_sparse_array.
func (e *cjsonEncoder) arrayLength(t *lua.LTable) int32 {
	var max int32
	var items int64
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f == 0 || math.Floor(f) != f || f < 1 {
			return 0
		}
		if f > float64(max) {
			max = cjsonFloatToInt32(f)
		}
		items++
	}
	cfg := e.cfg
	if cfg.sparseRatio > 0 && int64(max) > items*cfg.sparseRatio && int64(max) > cfg.sparseSafe {
		if !cfg.sparseConvert {
			e.fail(t, "excessively sparse array")
		}
		return 0
	}
	if max < 0 {
		return 0
	}
	return max
}

func (e *cjsonEncoder) object(t *lua.LTable, depth int64, slots int) {
	e.buf.WriteByte('{')
	first := true
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !first {
			e.buf.WriteByte(',')
		}
		first = false
		switch key := k.(type) {
		case lua.LNumber:
			e.buf.WriteByte('"')
			e.number(key)
			e.buf.WriteString(`":`)
		case lua.LString:
			cjsonAppendString(&e.buf, string(key))
			e.buf.WriteByte(':')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.value(v, depth, slots+2)
	}
	e.buf.WriteByte('}')
}

// cjsonAppendString writes s as a JSON string: '"', '\\' and '/' are
// escaped with a backslash, \b \t \n \f \r by name, other bytes below 0x20
// and 0x7f as \u00XX; all other bytes (UTF-8 or not) are copied.
func cjsonAppendString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\', '/':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// ---- decoding ----

// Token types, named as lua-cjson names them in its error messages.
const (
	cjsonTObjBegin = iota
	cjsonTObjEnd
	cjsonTArrBegin
	cjsonTArrEnd
	cjsonTString
	cjsonTNumber
	cjsonTBoolean
	cjsonTNull
	cjsonTColon
	cjsonTComma
	cjsonTEnd
	cjsonTError
)

var cjsonTokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END",
	"T_STRING", "T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_ERROR"}

type cjsonToken struct {
	typ   int
	index int    // 0-based position of the token (or of the error)
	str   string // T_STRING value, or the T_ERROR description
	num   float64
	b     bool
}

type cjsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	null  *lua.LUserData
	data  string
	pos   int
	depth int64
}

func cjsonDecode(L *lua.LState, cfg *cjsonConfig, null *lua.LUserData) int {
	if L.GetTop() != 1 {
		cjsonArgError(L, 1, "expected 1 argument")
	}
	s := cjsonCheckString(L, 1)
	// A NUL among the first two bytes suggests UTF-16/32; otherwise the C
	// parser sees the text up to the first NUL only.
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		cjsonRaise(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	d := &cjsonDecoder{L: L, cfg: cfg, null: null, data: s}
	tok := d.next()
	v := d.value(&tok, 1)
	tok = d.next()
	if tok.typ != cjsonTEnd {
		d.parseError("the end", &tok)
	}
	L.Push(v)
	return 1
}

func (d *cjsonDecoder) parseError(expected string, t *cjsonToken) {
	found := cjsonTokenNames[t.typ]
	if t.typ == cjsonTError {
		found = t.str
	}
	cjsonRaise(d.L, "Expected "+expected+" but found "+found+" at character "+strconv.Itoa(t.index+1))
}

// descend enters an array or object; slots is the Lua stack use before
// it, need the slots lua-cjson reserves for it.
func (d *cjsonDecoder) descend(slots, need int) {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth || slots+need > cjsonLuaStackLimit {
		cjsonRaise(d.L, "Found too many nested data structures ("+strconv.FormatInt(d.depth, 10)+
			") at character "+strconv.Itoa(d.pos))
	}
}

// value converts the value starting with token t; slots is the Lua stack
// use lua-cjson would have at this point.
func (d *cjsonDecoder) value(t *cjsonToken, slots int) lua.LValue {
	switch t.typ {
	case cjsonTString:
		return lua.LString(t.str)
	case cjsonTNumber:
		return lua.LNumber(t.num)
	case cjsonTBoolean:
		return lua.LBool(t.b)
	case cjsonTNull:
		return d.null
	case cjsonTObjBegin:
		return d.object(slots)
	case cjsonTArrBegin:
		return d.array(slots)
	}
	d.parseError("value", t)
	return lua.LNil
}

func (d *cjsonDecoder) object(slots int) lua.LValue {
	d.descend(slots, 3)
	tb := d.L.NewTable()
	tok := d.next()
	if tok.typ == cjsonTObjEnd {
		d.depth--
		return tb
	}
	for {
		if tok.typ != cjsonTString {
			d.parseError("object key string", &tok)
		}
		key := tok.str
		tok = d.next()
		if tok.typ != cjsonTColon {
			d.parseError("colon", &tok)
		}
		tok = d.next()
		tb.RawSetString(key, d.value(&tok, slots+2))
		tok = d.next()
		if tok.typ == cjsonTObjEnd {
			d.depth--
			return tb
		}
		if tok.typ != cjsonTComma {
			d.parseError("comma or object end", &tok)
		}
		tok = d.next()
	}
}

func (d *cjsonDecoder) array(slots int) lua.LValue {
	d.descend(slots, 2)
	tb := d.L.NewTable()
	tok := d.next()
	if tok.typ == cjsonTArrEnd {
		d.depth--
		return tb
	}
	for i := 1; ; i++ {
		tb.RawSetInt(i, d.value(&tok, slots+1))
		tok = d.next()
		if tok.typ == cjsonTArrEnd {
			d.depth--
			return tb
		}
		if tok.typ != cjsonTComma {
			d.parseError("comma or array end", &tok)
		}
		tok = d.next()
	}
}

// isInvalidNumber reports whether the text at the current position is a
// number JSON does not allow (leading '+', hex, leading zeros, inf, nan).
func (d *cjsonDecoder) isInvalidNumber() bool {
	p := d.data[d.pos:]
	if strings.HasPrefix(p, "+") {
		return true
	}
	p = strings.TrimPrefix(p, "-")
	if strings.HasPrefix(p, "0") {
		return len(p) > 1 && ((p[1]|0x20) == 'x' || cjsonIsDigit(p[1]))
	}
	if p == "" || p[0] <= '9' {
		return false
	}
	l := strings.ToLower(p)
	return strings.HasPrefix(l, "inf") || strings.HasPrefix(l, "nan")
}

func (d *cjsonDecoder) next() cjsonToken {
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		d.pos++
	}
	t := cjsonToken{index: d.pos}
	if d.pos >= len(d.data) {
		t.typ = cjsonTEnd
		return t
	}
	c := d.data[d.pos]
	if i := strings.IndexByte("{}[]:,", c); i >= 0 {
		t.typ = [...]int{cjsonTObjBegin, cjsonTObjEnd, cjsonTArrBegin, cjsonTArrEnd, cjsonTColon, cjsonTComma}[i]
		d.pos++
		return t
	}
	rest := d.data[d.pos:]
	switch {
	case strings.IndexByte("fiInNt\"+-0123456789", c) < 0:
		return d.errorToken("invalid token")
	case c == '"':
		return d.stringToken()
	case c == '-' || cjsonIsDigit(c):
		if !d.cfg.decodeInvalid && d.isInvalidNumber() {
			return d.errorToken("invalid number")
		}
		return d.numberToken()
	case strings.HasPrefix(rest, "true"):
		t.typ, t.b = cjsonTBoolean, true
		d.pos += 4
		return t
	case strings.HasPrefix(rest, "false"):
		t.typ = cjsonTBoolean
		d.pos += 5
		return t
	case strings.HasPrefix(rest, "null"):
		t.typ = cjsonTNull
		d.pos += 4
		return t
	case d.cfg.decodeInvalid && d.isInvalidNumber():
		return d.numberToken()
	}
	return d.errorToken("invalid token")
}

func (d *cjsonDecoder) errorToken(msg string) cjsonToken {
	return cjsonToken{typ: cjsonTError, index: d.pos, str: msg}
}

func (d *cjsonDecoder) numberToken() cjsonToken {
	f, n := cjsonStrtod(d.data[d.pos:])
	if n == 0 {
		return d.errorToken("invalid number")
	}
	t := cjsonToken{typ: cjsonTNumber, index: d.pos, num: f}
	d.pos += n
	return t
}

// stringToken reads a string token; escapes are \" \\ \/ \b \f \n \r \t
// and \uXXXX (UTF-16 surrogate pairs combined), written out as UTF-8.
func (d *cjsonDecoder) stringToken() cjsonToken {
	start := d.pos
	d.pos++
	var b strings.Builder
	for {
		if d.pos >= len(d.data) {
			return d.errorToken("unexpected end of string")
		}
		c := d.data[d.pos]
		if c == '"' {
			break
		}
		if c != '\\' {
			b.WriteByte(c)
			d.pos++
			continue
		}
		var esc byte
		if d.pos+1 < len(d.data) {
			esc = d.data[d.pos+1]
		}
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			n := d.unicodeEscape(&b)
			if n == 0 {
				return d.errorToken("invalid unicode escape code")
			}
			d.pos += n
			continue
		default:
			return d.errorToken("invalid escape code")
		}
		d.pos += 2
	}
	d.pos++
	return cjsonToken{typ: cjsonTString, index: start, str: b.String()}
}

// hex4 decodes the 4 hex digits at position p, or returns -1.
func (d *cjsonDecoder) hex4(p int) int {
	if p+4 > len(d.data) {
		return -1
	}
	v := 0
	for i := p; i < p+4; i++ {
		c := d.data[i]
		if !cjsonIsHexDigit(c) {
			return -1
		}
		if cjsonIsDigit(c) {
			v = v<<4 | int(c-'0')
		} else {
			v = v<<4 | int(c|0x20-'a'+10)
		}
	}
	return v
}

// unicodeEscape handles the \u escape at the current position, appending
// its UTF-8 form; it returns the length of the escape text, 0 if invalid.
func (d *cjsonDecoder) unicodeEscape(b *strings.Builder) int {
	cp := d.hex4(d.pos + 2)
	if cp < 0 {
		return 0
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 {
			return 0 // a low surrogate first
		}
		p := d.pos + 6
		if p+1 >= len(d.data) || d.data[p] != '\\' || d.data[p+1] != 'u' {
			return 0
		}
		low := d.hex4(p + 2)
		if low < 0 || low&0xFC00 != 0xDC00 {
			return 0
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		n = 12
	}
	switch {
	case cp < 0x80:
		b.WriteByte(byte(cp))
	case cp < 0x800:
		b.WriteByte(byte(0xC0 | cp>>6))
		b.WriteByte(byte(0x80 | cp&0x3F))
	case cp < 0x10000:
		b.WriteByte(byte(0xE0 | cp>>12))
		b.WriteByte(byte(0x80 | cp>>6&0x3F))
		b.WriteByte(byte(0x80 | cp&0x3F))
	default:
		b.WriteByte(byte(0xF0 | cp>>18))
		b.WriteByte(byte(0x80 | cp>>12&0x3F))
		b.WriteByte(byte(0x80 | cp>>6&0x3F))
		b.WriteByte(byte(0x80 | cp&0x3F))
	}
	return n
}
