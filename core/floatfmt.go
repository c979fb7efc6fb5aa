package core

import (
	"math"
	"math/big"
	"strconv"
)

// Redis does INCRBYFLOAT and HINCRBYFLOAT in C "long double", which on
// x86-64 is the x87 80-bit extended format: a 64-bit mantissa and a 15-bit
// exponent (finite values below 2^16384, subnormals down to 2^-16445).
// LongDouble emulates it with math/big at 64 bits of precision, rounding
// to nearest even like the FPU, so sums round exactly as Redis's do.

const (
	ldPrec   = 64
	ldMaxExp = 16384  // |x| < 2^16384 (big.Float exponent: x = m·2^e, 0.5 <= m < 1)
	ldMinExp = -16444 // smallest subnormal is 2^-16445 = 0.5·2^-16444
	// ldMaxChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are not
	// floats.
	ldMaxChars = 5 * 1024
)

// LongDouble is a value of the emulated long double type. The zero value
// is 0. Values are immutable: operations return new values.
type LongDouble struct {
	f   *big.Float // nil means 0
	nan bool
}

func newLD() *big.Float { return new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven) }

// LongDoubleFromInt returns n exactly (64 mantissa bits hold any int64).
func LongDoubleFromInt(n int64) LongDouble { return LongDouble{f: newLD().SetInt64(n)} }

// IsNaN and IsInf classify x like C's isnan / isinf.
func (x LongDouble) IsNaN() bool { return x.nan }
func (x LongDouble) IsInf() bool { return x.f != nil && x.f.IsInf() }

// Finite reports whether x is neither NaN nor infinite.
func (x LongDouble) Finite() bool { return !x.nan && !x.IsInf() }

// Add returns x+y rounded to the long double format; it overflows to
// ±Inf and gives NaN for Inf-Inf, as the FPU does.
func (x LongDouble) Add(y LongDouble) LongDouble {
	if x.nan || y.nan {
		return LongDouble{nan: true}
	}
	a, b := x.big(), y.big()
	if a.IsInf() && b.IsInf() && a.Signbit() != b.Signbit() {
		return LongDouble{nan: true}
	}
	return LongDouble{f: clampLD(newLD().Add(a, b))}
}

func (x LongDouble) big() *big.Float {
	if x.f == nil {
		return newLD()
	}
	return x.f
}

// clampLD turns values beyond the long double range into ±Inf.
func clampLD(f *big.Float) *big.Float {
	if f.IsInf() || f.Sign() == 0 {
		return f
	}
	if f.MantExp(nil) > ldMaxExp {
		return f.SetInf(f.Signbit())
	}
	return f
}

// ParseLongDouble parses b as Redis's string2ld does with strtold: an
// optional sign, then a decimal or hexadecimal ("0x1.8p3") number or
// "inf"/"infinity", with nothing before or after (no spaces). NaN, values
// that overflow, values that underflow to zero, and inputs of 5120 bytes
// or more are rejected. Infinity itself is accepted, as in Redis.
func ParseLongDouble(b []byte) (LongDouble, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return LongDouble{}, false
	}
	i := 0
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	rest := b[i:]
	if n := infPrefix(rest); n > 0 {
		if n != len(rest) {
			return LongDouble{}, false
		}
		return LongDouble{f: newLD().SetInf(neg)}, true
	}
	var f *big.Float
	var ok bool
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		f, ok = parseHexLD(rest[2:])
		if !ok {
			return LongDouble{}, false
		}
	} else {
		f, ok = parseDecLD(rest)
		if !ok {
			return LongDouble{}, false
		}
	}
	if f.Sign() != 0 {
		m := new(big.Float)
		e := f.MantExp(m)
		// Overflow (strtold gives HUGE_VALL) and underflow to zero (below
		// half the smallest subnormal, or exactly half: ties go to the
		// even zero) set ERANGE, and string2ld rejects them.
		if e > ldMaxExp || e < ldMinExp-1 || (e == ldMinExp-1 && m.Cmp(big.NewFloat(0.5)) == 0) {
			return LongDouble{}, false
		}
	}
	if neg {
		f.Neg(f)
	}
	return LongDouble{f: f}, true
}

// infPrefix returns the length of a leading "inf" or "infinity" (any
// case), or 0.
func infPrefix(b []byte) int {
	if hasFoldPrefix(b, "infinity") {
		return 8
	}
	if hasFoldPrefix(b, "inf") {
		return 3
	}
	return 0
}

func hasFoldPrefix(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if b[i]|0x20 != p[i] {
			return false
		}
	}
	return true
}

// parseDecLD parses digits[.digits][e[+-]digits] (at least one digit in
// the mantissa) and rounds the exact value once to 64 bits.
func parseDecLD(b []byte) (*big.Float, bool) {
	var mant []byte
	i, seen, frac := 0, false, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		mant, seen = append(mant, b[i]), true
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			mant, seen = append(mant, b[i]), true
			frac++
		}
	}
	if !seen {
		return nil, false
	}
	exp, ok := parseExponent(b[i:], 'e')
	if !ok {
		return nil, false
	}
	// Strip leading zeros; value = 0.mant × 10^(len(mant)+exp-frac).
	for len(mant) > 0 && mant[0] == '0' {
		mant = mant[1:]
	}
	if len(mant) == 0 {
		return newLD(), true
	}
	exp -= int64(frac)
	mag := int64(len(mant)) + exp
	switch {
	case mag > 4940, mag < -4970:
		// Far beyond 1.19e4932 (overflow) or below the smallest
		// subnormal (underflow to zero): strtold reports ERANGE.
		return nil, false
	}
	n, _ := new(big.Int).SetString(string(mant), 10)
	f := newLD()
	if exp >= 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(exp), nil))
		f.SetInt(n)
	} else {
		d := new(big.Int).Exp(big.NewInt(10), big.NewInt(-exp), nil)
		f.SetRat(new(big.Rat).SetFrac(n, d))
	}
	return f, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// parseHexLD parses the part after "0x": hexdigits[.hexdigits][p[+-]digits].
func parseHexLD(b []byte) (*big.Float, bool) {
	n := new(big.Int)
	i, seen, frac := 0, false, 0
	for ; i < len(b) && hexVal(b[i]) >= 0; i++ {
		n.Lsh(n, 4).Or(n, big.NewInt(int64(hexVal(b[i]))))
		seen = true
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b) && hexVal(b[i]) >= 0; i++ {
			n.Lsh(n, 4).Or(n, big.NewInt(int64(hexVal(b[i]))))
			seen = true
			frac++
		}
	}
	if !seen {
		return nil, false
	}
	exp, ok := parseExponent(b[i:], 'p')
	if !ok {
		return nil, false
	}
	f := newLD().SetInt(n)
	if f.Sign() == 0 {
		return f, true
	}
	exp -= 4 * int64(frac)
	e := int64(f.MantExp(nil)) + exp
	switch {
	case e > ldMaxExp+1, e < ldMinExp-100:
		return nil, false // overflow or underflow to zero (ERANGE)
	}
	return f.SetMantExp(f, int(exp)), true
}

// AppendHuman appends x as Redis's ld2string in LD_STR_HUMAN mode prints
// it: "%.17Lf" with the trailing zeros (and a trailing dot) removed, "-0"
// printed as "0", infinities as "inf" / "-inf".
func (x LongDouble) AppendHuman(dst []byte) []byte {
	if x.nan {
		return append(dst, "nan"...)
	}
	f := x.big()
	if f.IsInf() {
		if f.Signbit() {
			return append(dst, "-inf"...)
		}
		return append(dst, "inf"...)
	}
	start := len(dst)
	dst = f.Append(dst, 'f', 17)
	l := len(dst)
	for l > start && dst[l-1] == '0' {
		l--
	}
	if l > start && dst[l-1] == '.' {
		l--
	}
	dst = dst[:l]
	if l-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// String formats x like AppendHuman.
func (x LongDouble) String() string { return string(x.AppendHuman(nil)) }

// IncrByFloat adds the float incr to the float cur (0 when !hasCur) as
// INCRBYFLOAT does and returns the new value as Redis prints it, or the
// error to reply: ErrNotFloat when either is not a float, ErrIncrNaNInf
// when the sum is not finite.
func IncrByFloat(cur []byte, hasCur bool, incr []byte) ([]byte, string) {
	var a LongDouble
	if hasCur {
		var ok bool
		if a, ok = ParseLongDouble(cur); !ok {
			return nil, ErrNotFloat
		}
	}
	b, ok := ParseLongDouble(incr)
	if !ok {
		return nil, ErrNotFloat
	}
	sum := a.Add(b)
	if !sum.Finite() {
		return nil, ErrIncrNaNInf
	}
	return sum.AppendHuman(nil), ""
}

// parseExponent parses what follows a float's digits: nothing, or the
// exponent marker (case-insensitive 'e' or 'p') with an optional sign and
// at least one digit (the value saturates far beyond any long double's
// range). ok is false for anything else.
func parseExponent(b []byte, marker byte) (exp int64, ok bool) {
	if len(b) == 0 {
		return 0, true
	}
	if b[0]|0x20 != marker {
		return 0, false
	}
	i := 1
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if exp < 1e9 {
			exp = exp*10 + int64(b[i]-'0')
		}
	}
	if i != len(b) {
		return 0, false
	}
	if neg {
		exp = -exp
	}
	return exp, true
}

// AppendDouble renders f as Redis 7.0 does in replies ("%.17g", with inf,
// -inf and nan spelled in lower case). A NaN keeps its sign as glibc
// prints it: 0/0 in a Lua script is x86's default NaN, "-nan".
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f) && math.Signbit(f):
		return append(dst, "-nan"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
