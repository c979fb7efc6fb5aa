package lualib

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// string.format as Lua 5.1's str_format does it over C's printf:
// conversions, flags, width and precision limits and their errors.

type compatSpec struct {
	minus, plus, space, hash, zero bool
	width, prec                    int // prec -1: none
}

// compatPad applies width and the '-'/'0' flags; body follows prefix
// (sign, "0x") and zero padding goes between them.
func compatPad(sp compatSpec, prefix, body string, zeroOK bool) string {
	n := sp.width - len(prefix) - len(body)
	if n <= 0 {
		return prefix + body
	}
	switch {
	case sp.minus:
		return prefix + body + strings.Repeat(" ", n)
	case sp.zero && zeroOK:
		return prefix + strings.Repeat("0", n) + body
	}
	return strings.Repeat(" ", n) + prefix + body
}

// compatFloatBody formats a non-negative (or NaN) value like C's %e, %f or
// %g (verb lowercase or uppercase) with precision prec, without sign.
func compatFloatBody(a float64, verb byte, prec int, hash bool) string {
	upper := verb == 'E' || verb == 'G'
	var s string
	switch {
	case a != a:
		s = "nan"
	case math.IsInf(a, 0):
		s = "inf"
	case verb == 'e' || verb == 'E':
		s = strconv.FormatFloat(a, 'e', prec, 64)
		if hash && prec == 0 {
			s = strings.Replace(s, "e", ".e", 1)
		}
	case verb == 'f':
		s = strconv.FormatFloat(a, 'f', prec, 64)
		if hash && prec == 0 {
			s += "."
		}
	default: // g, G
		p := prec
		if p == 0 {
			p = 1
		}
		s = strconv.FormatFloat(a, 'e', p-1, 64)
		x, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
		if p > x && x >= -4 {
			s = strconv.FormatFloat(a, 'f', p-1-x, 64)
		}
		mant, exp := s, ""
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			mant, exp = s[:i], s[i:]
		}
		if !hash && strings.IndexByte(mant, '.') >= 0 {
			mant = strings.TrimRight(mant, "0")
			mant = strings.TrimSuffix(mant, ".")
		} else if hash && strings.IndexByte(mant, '.') < 0 {
			mant += "."
		}
		s = mant + exp
	}
	if upper {
		s = strings.ToUpper(s)
	}
	return s
}

func compatSignPrefix(sp compatSpec, neg bool) string {
	switch {
	case neg:
		return "-"
	case sp.plus:
		return "+"
	case sp.space:
		return " "
	}
	return ""
}

func compatFormatInt(sp compatSpec, verb byte, f float64) string {
	var digits, prefix string
	var zero bool
	switch verb {
	case 'd', 'i':
		v := compatD2I64(f)
		u := uint64(v)
		if v < 0 {
			u = -u
		}
		digits, zero = strconv.FormatUint(u, 10), v == 0
		prefix = compatSignPrefix(sp, v < 0)
	default:
		v := compatD2U64(f)
		base := map[byte]int{'u': 10, 'o': 8, 'x': 16, 'X': 16}[verb]
		digits, zero = strconv.FormatUint(v, base), v == 0
		if verb == 'X' {
			digits = strings.ToUpper(digits)
		}
		if sp.hash && verb == 'x' && !zero {
			prefix = "0x"
		} else if sp.hash && verb == 'X' && !zero {
			prefix = "0X"
		}
	}
	if sp.prec >= 0 {
		if sp.prec == 0 && zero {
			digits = ""
		}
		if len(digits) < sp.prec {
			digits = strings.Repeat("0", sp.prec-len(digits)) + digits
		}
	}
	if verb == 'o' && sp.hash && !strings.HasPrefix(digits, "0") {
		digits = "0" + digits
	}
	return compatPad(sp, prefix, digits, sp.prec < 0)
}

func compatFormat(L *lua.LState) int {
	const fname = "format"
	fs := compatCheckString(L, 1, fname)
	var b strings.Builder
	arg := 1
	for i := 0; i < len(fs); {
		c := fs[i]
		i++
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i < len(fs) && fs[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > L.GetTop() {
			compatArgError(L, arg, fname, "no value")
		}
		var sp compatSpec
		sp.prec = -1
		start := i
		for i < len(fs) && strings.IndexByte("-+ #0", fs[i]) >= 0 {
			switch fs[i] {
			case '-':
				sp.minus = true
			case '+':
				sp.plus = true
			case ' ':
				sp.space = true
			case '#':
				sp.hash = true
			case '0':
				sp.zero = true
			}
			i++
		}
		if i-start >= 6 {
			compatRaise(L, "invalid format (repeated flags)")
		}
		digits := func() int {
			n := 0
			for k := 0; k < 2 && i < len(fs) && fs[i] >= '0' && fs[i] <= '9'; k++ {
				n = n*10 + int(fs[i]-'0')
				i++
			}
			return n
		}
		sp.width = digits()
		if i < len(fs) && fs[i] == '.' {
			i++
			sp.prec = digits()
		}
		if i < len(fs) && fs[i] >= '0' && fs[i] <= '9' {
			compatRaise(L, "invalid format (width or precision too long)")
		}
		verb := byte(0) // the NUL terminator of the C string
		if i < len(fs) {
			verb = fs[i]
			i++
		}
		var item string
		switch verb {
		case 'c':
			ch := byte(int32(compatD2I64(compatCheckNumber(L, arg, fname))))
			item = compatPad(sp, "", string([]byte{ch}), false)
		case 'd', 'i', 'o', 'u', 'x', 'X':
			item = compatFormatInt(sp, verb, compatCheckNumber(L, arg, fname))
		case 'e', 'E', 'f', 'g', 'G':
			f := compatCheckNumber(L, arg, fname)
			prec := sp.prec
			if prec < 0 {
				prec = 6
			}
			body := compatFloatBody(math.Abs(f), verb, prec, sp.hash)
			if f != f {
				body = compatFloatBody(f, verb, prec, sp.hash)
			}
			finite := !math.IsInf(f, 0) && f == f
			item = compatPad(sp, compatSignPrefix(sp, math.Signbit(f)), body, finite)
		case 'q':
			s := compatCheckString(L, arg, fname)
			checkAlloc(L, int64(b.Len())+4*int64(len(s))+2)
			b.WriteByte('"')
			for k := 0; k < len(s); k++ {
				switch s[k] {
				case '"', '\\', '\n':
					b.WriteByte('\\')
					b.WriteByte(s[k])
				case '\r':
					b.WriteString("\\r")
				case 0:
					b.WriteString("\\000")
				default:
					b.WriteByte(s[k])
				}
			}
			b.WriteByte('"')
			continue
		case 's':
			s := compatCheckString(L, arg, fname)
			if sp.prec < 0 && len(s) >= 100 {
				checkAlloc(L, int64(b.Len())+int64(len(s)))
				b.WriteString(s)
				continue
			}
			if k := strings.IndexByte(s, 0); k >= 0 {
				s = s[:k]
			}
			if sp.prec >= 0 && len(s) > sp.prec {
				s = s[:sp.prec]
			}
			item = compatPad(sp, "", s, false)
		default: // lua_pushfstring's %c cannot render a NUL
			compatRaise(L, "invalid option '%%%s' to 'format'", strings.TrimRight(string([]byte{verb}), "\x00"))
		}
		if k := strings.IndexByte(item, 0); k >= 0 { // C's strlen(buff)
			item = item[:k]
		}
		checkAlloc(L, int64(b.Len())+int64(len(item)))
		b.WriteString(item)
	}
	L.Push(lua.LString(b.String()))
	return 1
}
