package core

import (
	"math/big"
	"strconv"
	"strings"
)

// HINCRBYFLOAT computes in C long double (x87 80-bit: 64-bit mantissa,
// 15-bit exponent) and formats with "%.17Lf" minus trailing zeros. These
// helpers emulate that with math/big at 64 bits of precision.
//
// Known approximations: subnormal long doubles keep full precision here,
// and decimal inputs with more than ~20 significant digits may round
// differently from glibc in the last bit in rare cases.

const (
	ldMaxChars = 5 * 1024 // MAX_LONG_DOUBLE_CHARS: inputs this long are refused
	ldMaxExp   = 16384    // |x| < 2^16384 (big.Float MantExp convention)
	ldMinExp   = -16445   // smallest subnormal is 2^-16445
	ldPrec     = 64
)

func newLD() *big.Float { return new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven) }

// hashParseLongDouble parses b as Redis's string2ld does (strtold over
// the whole string, no leading space, no NaN, no overflow, no underflow to
// zero). Infinity is accepted ("inf", "infinity", any case, signed).
func hashParseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	s := string(b)
	neg := false
	body := s
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	if lb := strings.ToLower(body); lb == "inf" || lb == "infinity" {
		return newLD().SetInf(neg), true
	}
	hex := len(body) >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	digits := body
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	if hex {
		digits = body[2:]
		isDigit = func(c byte) bool {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
	}
	// Mantissa: digits [. digits], at least one digit.
	i, nd, order, seenNonZero, seenDot := 0, 0, 0, false, false
	for ; i < len(digits); i++ {
		c := digits[i]
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		if !isDigit(c) {
			break
		}
		nd++
		switch {
		case c != '0' && !seenNonZero:
			seenNonZero = true
			if !seenDot {
				order = 1
			}
		case seenNonZero && !seenDot:
			order++
		case !seenNonZero && seenDot:
			order--
		}
	}
	if nd == 0 {
		return nil, false
	}
	mant := digits[:i]
	exp := int64(0)
	if i < len(digits) {
		c := digits[i]
		if hex && c != 'p' && c != 'P' || !hex && c != 'e' && c != 'E' {
			return nil, false
		}
		e := digits[i+1:]
		eneg := false
		if len(e) > 0 && (e[0] == '+' || e[0] == '-') {
			eneg = e[0] == '-'
			e = e[1:]
		}
		if len(e) == 0 {
			return nil, false
		}
		for j := 0; j < len(e); j++ {
			if e[j] < '0' || e[j] > '9' {
				return nil, false
			}
			if exp < 1<<40 {
				exp = exp*10 + int64(e[j]-'0')
			}
		}
		if eneg {
			exp = -exp
		}
	}
	if !seenNonZero {
		return newLD().SetInt64(0), true
	}
	// Rule out exponents far outside long double's range before asking
	// math/big to compute them.
	mag := int64(order) + exp // decimal order, or hex-digit order plus binary exponent
	if hex {
		mag = 4*int64(order) + exp
		if mag > ldMaxExp+8 || mag < ldMinExp-8 {
			return nil, false
		}
	} else if mag > 4940 || mag < -4960 {
		return nil, false
	}
	var text string
	if hex {
		text = "0x" + mant + "p" + strconv.FormatInt(exp, 10)
	} else {
		text = mant + "e" + strconv.FormatInt(exp, 10)
	}
	f, _, err := newLD().Parse(text, 0)
	if err != nil {
		return nil, false
	}
	if e := f.MantExp(nil); e > ldMaxExp || e < ldMinExp {
		return nil, false
	}
	if neg {
		f.Neg(f)
	}
	return f, true
}

// hashFormatLongDouble formats f as Redis's ld2string in LD_STR_HUMAN
// mode: "%.17Lf" with trailing zeros (and a bare '.') removed, "-0" as
// "0".
func hashFormatLongDouble(f *big.Float) string {
	if f.IsInf() {
		if f.Signbit() {
			return "-inf"
		}
		return "inf"
	}
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// hashIncrByFloat adds incr to the current value (cur, or 0 when absent)
// and returns the new value's text. errMsg is Redis's error when the
// current value is not a float or the sum is not finite.
func hashIncrByFloat(cur []byte, present bool, incr *big.Float) (string, string) {
	v := newLD()
	if present {
		c, ok := hashParseLongDouble(cur)
		if !ok {
			return "", ErrHashNotFloat
		}
		v.Set(c)
	}
	if v.IsInf() {
		return "", ErrIncrNaNInf
	}
	v.Add(v, incr)
	if v.IsInf() || v.MantExp(nil) > ldMaxExp {
		return "", ErrIncrNaNInf
	}
	return hashFormatLongDouble(v), ""
}
