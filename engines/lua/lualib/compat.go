package lualib

// Lua 5.1 compatibility layer for gopher-lua, so that scripts observe what
// they observe in Redis 7.0's embedded PUC Lua 5.1.
//
// InstallCompat replaces these functions with Lua 5.1 behaviour (checked
// against redis-server 7.0.15 in compat_test.go):
//   - tostring, tonumber, unpack
//   - string.format, string.upper, string.lower, string.rep, string.sub,
//     string.byte, string.char, string.len, string.reverse
//   - table.concat (numbers are rendered with "%.14g")
//   - math.random, math.randomseed (Redis's 48-bit generator, see below)
//
// What still differs from Redis (not fixable from a library, or out of scope):
//   - The `..` operator, arithmetic on numeric strings ("10"+1), and any
//     library function not listed above (string.find/gsub/match, print, ...)
//     convert numbers with gopher-lua's own formatter (Go's shortest
//     representation, e.g. 1e15 .. "" is "1000000000000000", 1/3 .. "" is
//     "0.3333333333333333"), and parse numeric strings with gopher-lua's rules.
//   - Lua 5.1 merges the constants 0 and -0 of one chunk (so in
//     `return -0, 1/0` the 1/0 is 1/-0 = -inf); gopher-lua does not.
//   - `#t` on tables with holes may pick a different border than Lua 5.1;
//     unpack and table.concat use gopher-lua's length.
//   - Function names in "bad argument" errors come from gopher-lua's call-site
//     information; with method-call syntax (s:rep(x)) Lua 5.1 shifts the
//     argument number by one and gopher-lua does not.
//   - string.rep, table.concat, string.format, cjson.encode, cmsgpack.pack
//     and struct.pack raise "not enough memory" when the result would
//     exceed compatMaxString (512 MB), or call Limits.Exceeded past the
//     engine's limit, instead of trying to allocate it (limits.go).
//   - unpack, string.byte and struct.unpack are limited to about 8000
//     results like Lua 5.1's C stack, but gopher-lua's registry (default
//     lua.RegistrySize 5120 slots) fails earlier with "registry overflow"
//     unless the engine creates states with RegistrySize >= 8192 or lets
//     the registry grow (RegistryMaxSize).
//   - math.fmod/mod, string.find special cases, select('#'), and error
//     positions for error(msg, level) are not addressed.
//
// math.random: Redis 7.0 uses one process-wide redisLrand48 generator for
// all scripts (EVAL and FCALL alike). It starts in lrand48's default state
// (never seeded), is NOT reseeded before each script (7.0 dropped the
// per-call reseed of 6.x) and not by SCRIPT FLUSH; math.randomseed(n)
// changes it for every later script. This package reproduces exactly that
// with a process-wide generator; the engine must not reseed it per call.
// ResetRandom restores the start-of-process state (for tests, or a restart).

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// compatMaxString bounds strings built by string.rep.
const compatMaxString = 512 << 20

// InstallCompat replaces, in L's already opened base, string, table and
// math libraries, the functions whose behaviour differs from Lua 5.1 as
// Redis 7.0 runs it. Call it after L.OpenLibs (or the individual openers)
// and before the libraries are made read-only.
func InstallCompat(L *lua.LState) {
	set := func(tbl lua.LValue, name string, fn lua.LGFunction) {
		if t, ok := tbl.(*lua.LTable); ok {
			t.RawSetString(name, L.NewFunction(fn))
		}
	}
	g := L.Get(lua.GlobalsIndex)
	origToString := L.GetGlobal("tostring")
	set(g, "tostring", func(L *lua.LState) int {
		if L.GetTop() == 0 {
			compatArgError(L, 1, "tostring", "value expected")
		}
		if n, ok := L.Get(1).(lua.LNumber); ok {
			L.Push(lua.LString(FormatNumber(float64(n))))
			return 1
		}
		if f, ok := origToString.(*lua.LFunction); ok {
			L.Push(f)
			L.Push(L.Get(1))
			L.Call(1, 1)
			return 1
		}
		L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String()))
		return 1
	})
	set(g, "tonumber", compatToNumberFn)
	set(g, "unpack", compatUnpack)
	str := L.GetGlobal("string")
	set(str, "format", compatFormat)
	set(str, "upper", compatUpper)
	set(str, "lower", compatLower)
	set(str, "rep", compatRep)
	set(str, "sub", compatSub)
	set(str, "byte", compatByte)
	set(str, "char", compatChar)
	set(str, "len", compatLen)
	set(str, "reverse", compatReverse)
	set(L.GetGlobal("table"), "concat", compatConcat)
	m := L.GetGlobal("math")
	set(m, "random", compatRandom)
	set(m, "randomseed", compatRandomSeed)
}

// FormatNumber renders f as Lua 5.1 does (C's "%.14g"): "0.33333333333333",
// "1e+15", "-0", "inf", "-inf", and "nan" or "-nan" by the sign bit as glibc
// prints it.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e14 && !(f == 0 && math.Signbit(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	s := compatFloatBody(math.Abs(f), 'g', 14, false)
	if math.Signbit(f) {
		return "-" + s
	}
	return s
}

// ---- argument helpers (Lua 5.1 auxlib semantics) ----

// compatFuncName is the name Lua 5.1 would use for the running function in
// "bad argument" messages: the call-site name, or def when unknown.
func compatFuncName(L *lua.LState, def string) string {
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, lua.LNil); err == nil {
			n := dbg.Name
			if n != "" && n[0] != '(' && n[0] != '<' && n != "main chunk" && n != "corountine" {
				return n
			}
			return "?"
		}
	}
	return def
}

// compatRaise raises an error like luaL_error: the message is prefixed with
// the position of the calling function when that is a Lua function, and
// left bare when the caller is a Go function (e.g. pcall(string.rep)).
func compatRaise(L *lua.LState, format string, args ...interface{}) {
	msg := fmt.Sprintf(format, args...)
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("S", dbg, lua.LNil); err == nil && dbg.What == "G" {
			L.Error(lua.LString(msg), 0)
		}
	}
	L.Error(lua.LString(msg), 1)
}

func compatArgError(L *lua.LState, n int, fname, msg string) {
	compatRaise(L, "bad argument #%d to '%s' (%s)", n, compatFuncName(L, fname), msg)
}

func compatTypeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func compatTypeError(L *lua.LState, n int, fname, expected string) {
	compatArgError(L, n, fname, expected+" expected, got "+compatTypeName(L, n))
}

// compatToNumber converts like lua_tonumber: numbers, and strings that
// luaO_str2d accepts.
func compatToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return compatStr2Number(string(x))
	}
	return 0, false
}

func compatCheckNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := compatToNumber(L.Get(n))
	if !ok {
		compatTypeError(L, n, fname, "number")
	}
	return f
}

// compatCheckInteger is luaL_checkinteger: the number cast to a 64-bit C
// integer (truncation; NaN and out-of-range values give math.MinInt64).
func compatCheckInteger(L *lua.LState, n int, fname string) int64 {
	return compatD2I64(compatCheckNumber(L, n, fname))
}

func compatOptInteger(L *lua.LState, n int, fname string, def int64) int64 {
	if v := L.Get(n); v == lua.LNil {
		return def
	}
	return compatCheckInteger(L, n, fname)
}

// compatCheckInt is luaL_checkint: luaL_checkinteger truncated to 32 bits.
func compatCheckInt(L *lua.LState, n int, fname string) int32 {
	return int32(compatCheckInteger(L, n, fname))
}

// compatCheckString is luaL_checklstring: strings, and numbers rendered with
// "%.14g".
func compatCheckString(L *lua.LState, n int, fname string) string {
	switch x := L.Get(n).(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return FormatNumber(float64(x))
	}
	compatTypeError(L, n, fname, "string")
	return ""
}

// compatD2I64 is the x86-64 conversion of a double to a signed 64-bit
// integer (cvttsd2si): truncation, with 0x8000000000000000 for NaN and
// values out of range.
func compatD2I64(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// compatD2U64 is gcc's x86-64 conversion of a double to uint64.
func compatD2U64(f float64) uint64 {
	if f >= 9223372036854775808.0 {
		return uint64(compatD2I64(f-9223372036854775808.0)) ^ (1 << 63)
	}
	return uint64(compatD2I64(f))
}

func compatIsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// compatStr2Number is Lua 5.1's luaO_str2d: glibc strtod over the whole
// string (up to the first NUL), allowing surrounding whitespace.
func compatStr2Number(s string) (float64, bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	f, n := compatStrtod(s)
	if n == 0 {
		return 0, false
	}
	for n < len(s) && compatIsSpace(s[n]) {
		n++
	}
	return f, n == len(s)
}

// compatStrtod parses the longest prefix of s that glibc's strtod accepts
// (C locale) and returns its value and length (0 when nothing parses).
func compatStrtod(s string) (float64, int) {
	i := 0
	for i < len(s) && compatIsSpace(s[i]) {
		i++
	}
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
		j := i + 3
		if j < len(s) && s[j] == '(' {
			k := j + 1
			for k < len(s) && (s[k] == '_' || s[k] >= '0' && s[k] <= '9' || s[k]|0x20 >= 'a' && s[k]|0x20 <= 'z') {
				k++
			}
			if k < len(s) && s[k] == ')' {
				j = k + 1
			}
		}
		return sign(math.NaN()), j
	}
	isHex := func(c byte) bool {
		return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
	}
	isDig := func(c byte) bool { return c >= '0' && c <= '9' }
	if len(rest) >= 2 && rest[0] == '0' && rest[1] == 'x' &&
		(len(rest) > 2 && isHex(rest[2]) || len(rest) > 3 && rest[2] == '.' && isHex(rest[3])) {
		j := i + 2
		start := j
		for j < len(s) && isHex(s[j]) {
			j++
		}
		if j < len(s) && s[j] == '.' {
			j++
			for j < len(s) && isHex(s[j]) {
				j++
			}
		}
		mant := s[start:j]
		exp := "p0"
		if j < len(s) && (s[j] == 'p' || s[j] == 'P') {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && isDig(s[k]) {
				for k < len(s) && isDig(s[k]) {
					k++
				}
				exp = "p" + s[j+1:k]
				j = k
			}
		}
		if mant[0] == '.' {
			mant = "0" + mant
		}
		f, _ := strconv.ParseFloat("0x"+mant+exp, 64)
		return sign(f), j
	}
	j := i
	digits := 0
	for j < len(s) && isDig(s[j]) {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && isDig(s[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && isDig(s[k]) {
			for k < len(s) && isDig(s[k]) {
				k++
			}
			j = k
		}
	}
	f, _ := strconv.ParseFloat(s[i:j], 64) // ±Inf or 0 on range errors, like strtod
	return sign(f), j
}

// compatStrtoul is glibc's strtoul for base 2..36: the value (saturated at
// 2^64-1, negated modulo 2^64 after a '-') and the length parsed.
func compatStrtoul(s string, base int) (uint64, int) {
	i := 0
	for i < len(s) && compatIsSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digit := func(c byte) int {
		switch {
		case c >= '0' && c <= '9':
			return int(c - '0')
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			return int(c|0x20-'a') + 10
		}
		return 99
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' && digit(s[i+2]) < 16 {
		i += 2
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) && digit(s[i]) < base {
		d := uint64(digit(s[i]))
		if v > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + d
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		v = -v
	}
	return v, i
}

func compatToNumberFn(L *lua.LState) int {
	base := int32(10)
	if L.Get(2) != lua.LNil {
		base = compatCheckInt(L, 2, "tonumber")
	}
	if base == 10 {
		if L.GetTop() == 0 {
			compatArgError(L, 1, "tonumber", "value expected")
		}
		if f, ok := compatToNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	s := compatCheckString(L, 1, "tonumber")
	if base < 2 || base > 36 {
		compatArgError(L, 2, "tonumber", "base out of range")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	v, n := compatStrtoul(s, int(base))
	if n > 0 {
		for n < len(s) && compatIsSpace(s[n]) {
			n++
		}
		if n == len(s) {
			L.Push(lua.LNumber(float64(v)))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

func compatCheckTable(L *lua.LState, n int, fname string) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		compatTypeError(L, n, fname, "table")
	}
	return t
}

func compatUnpack(L *lua.LState) int {
	t := compatCheckTable(L, 1, "unpack")
	nargs := L.GetTop()
	i := int32(1)
	if L.Get(2) != lua.LNil {
		i = compatCheckInt(L, 2, "unpack")
	}
	var e int32
	if L.Get(3) != lua.LNil {
		e = compatCheckInt(L, 3, "unpack")
	} else {
		e = int32(t.Len())
	}
	if i > e {
		return 0
	}
	n := int64(e) - int64(i) + 1
	if n >= math.MaxInt32 || n+int64(nargs) > 8000 {
		compatRaise(L, "too many results to unpack")
	}
	for k := int64(i); k <= int64(e); k++ {
		L.Push(t.RawGetInt(int(k)))
	}
	return int(n)
}

func compatConcat(L *lua.LState) int {
	sep := ""
	if L.Get(2) != lua.LNil {
		sep = compatCheckString(L, 2, "concat")
	}
	t := compatCheckTable(L, 1, "concat")
	i := int32(1)
	if L.Get(3) != lua.LNil {
		i = compatCheckInt(L, 3, "concat")
	}
	var last int32
	if L.Get(4) != lua.LNil {
		last = compatCheckInt(L, 4, "concat")
	} else {
		last = int32(t.Len())
	}
	var b strings.Builder
	field := func(k int64) {
		switch v := t.RawGetInt(int(k)).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.WriteString(FormatNumber(float64(v)))
		default:
			compatRaise(L, "invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k)
		}
		checkAlloc(L, int64(b.Len()))
	}
	k := int64(i)
	for ; k < int64(last); k++ {
		field(k)
		b.WriteString(sep)
	}
	if k == int64(last) {
		field(k)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// ---- string library ----

func compatUpper(L *lua.LState) int {
	b := []byte(compatCheckString(L, 1, "upper"))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func compatLower(L *lua.LState) int {
	b := []byte(compatCheckString(L, 1, "lower"))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func compatRep(L *lua.LState) int {
	s := compatCheckString(L, 1, "rep")
	n := compatCheckInt(L, 2, "rep")
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	checkAlloc(L, int64(len(s))*int64(n))
	L.Push(lua.LString(strings.Repeat(s, int(n))))
	return 1
}

// compatPosRelat is Lua 5.1's posrelat for string positions.
func compatPosRelat(pos int64, l int) int64 {
	if pos < 0 {
		pos += int64(l) + 1
	}
	if pos >= 0 {
		return pos
	}
	return 0
}

func compatSub(L *lua.LState) int {
	s := compatCheckString(L, 1, "sub")
	start := compatPosRelat(compatCheckInteger(L, 2, "sub"), len(s))
	end := compatPosRelat(compatOptInteger(L, 3, "sub", -1), len(s))
	if start < 1 {
		start = 1
	}
	if end > int64(len(s)) {
		end = int64(len(s))
	}
	if start <= end {
		L.Push(lua.LString(s[start-1 : end]))
	} else {
		L.Push(lua.LString(""))
	}
	return 1
}

func compatByte(L *lua.LState) int {
	s := compatCheckString(L, 1, "byte")
	posi := compatPosRelat(compatOptInteger(L, 2, "byte", 1), len(s))
	pose := compatPosRelat(compatOptInteger(L, 3, "byte", posi), len(s))
	if posi <= 0 {
		posi = 1
	}
	if pose > int64(len(s)) {
		pose = int64(len(s))
	}
	if posi > pose {
		return 0
	}
	n := pose - posi + 1
	if n+int64(L.GetTop()) > 8000 {
		compatRaise(L, "stack overflow (string slice too long)")
	}
	for i := posi; i <= pose; i++ {
		L.Push(lua.LNumber(s[i-1]))
	}
	return int(n)
}

func compatChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := compatCheckInt(L, i, "char")
		if c < 0 || c > 255 {
			compatArgError(L, i, "char", "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

func compatLen(L *lua.LState) int {
	L.Push(lua.LNumber(len(compatCheckString(L, 1, "len"))))
	return 1
}

func compatReverse(L *lua.LState) int {
	s := compatCheckString(L, 1, "reverse")
	b := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		b[len(s)-1-i] = s[i]
	}
	L.Push(lua.LString(b))
	return 1
}

// ---- math.random (Redis's redisLrand48) ----

var compatRand = struct {
	sync.Mutex
	x uint64
}{x: compatRandInit}

const compatRandInit = 0x1234ABCD330E

// ResetRandom puts the process-wide math.random generator back in the state
// a freshly started redis-server has. Redis 7.0 never does this between
// scripts, so the engine must not call it per script; it exists for tests
// and for emulating a server restart.
func ResetRandom() {
	compatRand.Lock()
	compatRand.x = compatRandInit
	compatRand.Unlock()
}

// compatLrand48 advances the 48-bit LCG and returns its top 31 bits.
func compatLrand48() int32 {
	compatRand.Lock()
	defer compatRand.Unlock()
	compatRand.x = (compatRand.x*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return int32(compatRand.x >> 17)
}

func compatRandom(L *lua.LState) int {
	r := float64(compatLrand48()%math.MaxInt32) / float64(math.MaxInt32)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := compatCheckInt(L, 1, "random")
		if u < 1 {
			compatArgError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := compatCheckInt(L, 1, "random")
		u := compatCheckInt(L, 2, "random")
		if l > u {
			compatArgError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u-l+1)) + float64(l)))
	default:
		compatRaise(L, "wrong number of arguments")
	}
	return 1
}

func compatRandomSeed(L *lua.LState) int {
	seed := uint32(compatCheckInt(L, 1, "randomseed"))
	compatRand.Lock()
	compatRand.x = uint64(seed)<<16 | 0x330E
	compatRand.Unlock()
	return 0
}
