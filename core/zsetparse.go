package core

import (
	"bytes"
	"math"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Number parsing as the sorted set commands (and the blocking commands'
// timeouts) see it. Redis parses scores with C's strtod, which accepts more
// than Go's ParseFloat ("0x10", "infinity", "nan(...)", "1." ...) and the
// commands differ in how they check what strtod left: strtodPrefix is a
// faithful strtod, and the parse* functions apply each command's checks.

func isCSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func hasPrefixFold(b []byte, word string) bool {
	if len(b) < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		if b[i]|0x20 != word[i] {
			return false
		}
	}
	return true
}

// strtodPrefix parses the longest prefix of s that glibc's strtod accepts
// (leading white space, sign, decimal or hex floats, inf, infinity, nan,
// nan(chars)). n is the length consumed, 0 when nothing converts. erange
// reports an overflow, or an underflow to zero of a non-zero literal (the
// ERANGE cases Redis rejects); exp10 is the literal's approximate decimal
// exponent for decimal literals (used to judge long double range).
func strtodPrefix(s []byte) (v float64, n int, erange bool, exp10 int) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
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
	switch {
	case hasPrefixFold(s[i:], "infinity"):
		return sign(math.Inf(1)), i + 8, false, 0
	case hasPrefixFold(s[i:], "inf"):
		return sign(math.Inf(1)), i + 3, false, 0
	case hasPrefixFold(s[i:], "nan"):
		i += 3
		if i < len(s) && s[i] == '(' {
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				i = j + 1
			}
		}
		return math.NaN(), i, false, 0
	}
	if i+1 < len(s) && s[i] == '0' && s[i+1]|0x20 == 'x' {
		j := i + 2
		digits, nonzero := 0, false
		for ; j < len(s) && isHexDigit(s[j]); j++ {
			digits++
			nonzero = nonzero || s[j] != '0'
		}
		if j < len(s) && s[j] == '.' {
			for j++; j < len(s) && isHexDigit(s[j]); j++ {
				digits++
				nonzero = nonzero || s[j] != '0'
			}
		}
		if digits == 0 {
			return sign(0), i + 1, false, 0 // just the "0"
		}
		lit := append([]byte("0x"), s[i+2:j]...)
		if j < len(s) && s[j]|0x20 == 'p' {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && isDigit(s[k]) {
				for k < len(s) && isDigit(s[k]) {
					k++
				}
				lit = append(lit, s[j:k]...)
				j = k
			}
		}
		if lit[len(lit)-1]|0x20 == 'x' || !bytes.ContainsAny(lit[2:], "pP") {
			lit = append(lit, "p0"...)
		}
		f, err := strconv.ParseFloat(string(lit), 64)
		erange = (err != nil && math.IsInf(f, 0)) || (f == 0 && nonzero)
		return sign(f), j, erange, 0
	}
	j := i
	digits, nonzero, seenPoint := 0, false, false
	for ; j < len(s); j++ {
		if c := s[j]; isDigit(c) {
			digits++
			nonzero = nonzero || c != '0'
		} else if c == '.' && !seenPoint {
			seenPoint = true
		} else {
			break
		}
	}
	if digits == 0 {
		return 0, 0, false, 0
	}
	e := 0
	if j < len(s) && s[j]|0x20 == 'e' {
		k := j + 1
		eneg := false
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			eneg = s[k] == '-'
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			for ; k < len(s) && isDigit(s[k]); k++ {
				if e < 1_000_000 {
					e = e*10 + int(s[k]-'0')
				}
			}
			if eneg {
				e = -e
			}
			j = k
		}
	}
	f, err := strconv.ParseFloat(keyspace.Str(s[i:j]), 64)
	erange = (err != nil && math.IsInf(f, 0)) || (f == 0 && nonzero)
	return sign(f), j, erange, decimalExponent(s[i:j], e)
}

// decimalExponent approximates log10 of a decimal literal's magnitude.
func decimalExponent(lit []byte, e int) int {
	point := bytes.IndexByte(lit, '.')
	end := len(lit)
	if k := bytes.IndexAny(lit, "eE"); k >= 0 {
		end = k
	}
	if point < 0 || point > end {
		point = end
	}
	for i := 0; i < end; i++ {
		if lit[i] >= '1' && lit[i] <= '9' {
			if i < point {
				return e + point - i - 1
			}
			return e + point - i
		}
	}
	return 0
}

// parseScore parses a score or increment as Redis's string2d: the whole
// argument must be a number, without leading space, not NaN, and neither
// overflowing nor underflowing to zero.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || isCSpace(b[0]) {
		return 0, false
	}
	v, n, erange, _ := strtodPrefix(b)
	if n != len(b) || erange || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// cString is what a C function sees of an argument: the bytes before the
// first NUL.
func cString(b []byte) []byte {
	if k := bytes.IndexByte(b, 0); k >= 0 {
		return b[:k]
	}
	return b
}

// parseRangeScore parses one end of a score range ("1.5", "(1.5", "-inf")
// as zslParseRange: strtod must consume the rest of the C string; leading
// space, overflow and an empty number (0) are accepted, NaN is not.
func parseRangeScore(b []byte) (v float64, ex bool, ok bool) {
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	b = cString(b)
	v, n, _, _ := strtodPrefix(b)
	if n != len(b) || math.IsNaN(v) {
		return 0, false, false
	}
	return v, ex, true
}

// parseScoreRange parses ZCOUNT-style min and max arguments.
func parseScoreRange(min, max []byte) (keyspace.ScoreRange, bool) {
	var r keyspace.ScoreRange
	var ok bool
	if r.Min, r.MinEx, ok = parseRangeScore(min); !ok {
		return r, false
	}
	if r.Max, r.MaxEx, ok = parseRangeScore(max); !ok {
		return r, false
	}
	return r, true
}

// parseLexBound parses one end of a lexicographic range: "-", "+",
// "[value" or "(value".
func parseLexBound(b []byte) (keyspace.LexBound, bool) {
	if len(b) == 0 {
		return keyspace.LexBound{}, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) > 1 && b[1] != 0 {
			return keyspace.LexBound{}, false
		}
		if b[0] == '+' {
			return keyspace.LexBound{Inf: 1, Ex: true}, true
		}
		return keyspace.LexBound{Inf: -1, Ex: true}, true
	case '(':
		return keyspace.LexBound{Value: string(b[1:]), Ex: true}, true
	case '[':
		return keyspace.LexBound{Value: string(b[1:])}, true
	}
	return keyspace.LexBound{}, false
}

func parseLexRange(min, max []byte) (keyspace.LexRange, bool) {
	var r keyspace.LexRange
	var ok bool
	if r.Min, ok = parseLexBound(min); !ok {
		return r, false
	}
	if r.Max, ok = parseLexBound(max); !ok {
		return r, false
	}
	return r, true
}

// ParseScanCursor parses a SCAN-family cursor (SCAN, HSCAN, SSCAN, ZSCAN)
// as Redis's strtoul check: no leading space, digits to the end of the C
// string (an optional sign; "-1" wraps around), within 64 bits. An empty
// string is cursor 0.
func ParseScanCursor(b []byte) (uint64, bool) {
	b = cString(b)
	if len(b) == 0 {
		return 0, true
	}
	if isCSpace(b[0]) {
		return 0, false
	}
	i := 0
	neg := false
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		if !isDigit(b[i]) {
			return 0, false
		}
		d := uint64(b[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// appendScore formats a score as "%.17g" (inf and -inf spelled out).
func appendScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}

// appendListpackScore formats a score the way a listpack stores it (what
// ZSCAN shows for small sets): integers within ±2^62 as integers, other
// values as "%.17g".
func appendListpackScore(dst []byte, f float64) []byte {
	if f >= -(1<<62) && f <= 1<<62 && f == math.Trunc(f) {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return appendScore(dst, f)
}
