package polyfn

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// appendRESP appends r as RESP3.
func appendRESP(buf []byte, r Reply) []byte {
	switch r.kind {
	case KindStatus:
		return appendLine(buf, '+', r.raw())
	case KindError:
		return appendLine(buf, '-', r.raw())
	case KindInt:
		buf = append(buf, ':')
		buf = appendDecimal(buf, int64(r.num))
		return append(buf, '\r', '\n')
	case KindBulk, KindVerbatim:
		prefix := byte('$')
		if r.kind == KindVerbatim {
			prefix = '='
		}
		buf = appendHead(buf, prefix, r.n)
		buf = append(buf, r.raw()...)
		return append(buf, '\r', '\n')
	case KindArray, KindSet, KindMap:
		prefix, n := byte('*'), r.n
		if r.kind == KindSet {
			prefix = '~'
		} else if r.kind == KindMap {
			prefix, n = '%', n/2
		}
		buf = appendHead(buf, prefix, n)
		for _, e := range r.Elems() {
			buf = appendRESP(buf, e)
		}
		return buf
	case KindDouble:
		buf = append(buf, ',')
		buf = append(buf, formatDouble(r.Float())...)
		return append(buf, '\r', '\n')
	case KindBool:
		if r.num != 0 {
			return append(buf, "#t\r\n"...)
		}
		return append(buf, "#f\r\n"...)
	case KindBigNumber:
		return appendLine(buf, '(', r.raw())
	}
	return append(buf, "_\r\n"...)
}

// respLen is about the length of r as RESP3 (exact for strings), so that
// a large reply is encoded into one allocation.
func respLen(r Reply) int {
	n := len(r.raw()) + 24
	for _, e := range r.Elems() {
		n += respLen(e)
	}
	return n
}

// appendDecimal appends n in decimal: strconv's AppendInt, without its
// two calls (a call is most of the cost of small work in Go on wasm).
func appendDecimal(buf []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		buf = append(buf, '-')
		u = -u
	}
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return append(buf, d[i:]...)
}

func appendLine(buf []byte, prefix byte, s []byte) []byte {
	buf = append(buf, prefix)
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

func appendHead(buf []byte, prefix byte, n int) []byte {
	buf = append(buf, prefix)
	buf = appendDecimal(buf, int64(n))
	return append(buf, '\r', '\n')
}

var errBadReply = errors.New("ERR polyfn SDK: malformed reply from the host")

// parseRESP reads one RESP3 value (as the host writes them) from b. The
// reply's bytes alias b.
func parseRESP(b []byte) (Reply, []byte, error) {
	if len(b) == 0 {
		return Reply{}, nil, errBadReply
	}
	i := 1
	for i < len(b) && b[i] != '\r' {
		i++
	}
	if i+1 >= len(b) {
		return Reply{}, nil, errBadReply
	}
	prefix, head, rest := b[0], b[1:i], b[i+2:]
	switch prefix {
	case '+':
		return stringReply(KindStatus, head), rest, nil
	case '-':
		return stringReply(KindError, head), rest, nil
	case '(':
		return stringReply(KindBigNumber, head), rest, nil
	case ':':
		n, ok := parseInt(head)
		if !ok {
			return Reply{}, nil, errBadReply
		}
		return Int(n), rest, nil
	case ',':
		f, err := parseFloat(string(head))
		return Double(f), rest, err
	case '#':
		return Bool(len(head) == 1 && head[0] == 't'), rest, nil
	case '_':
		return Reply{}, rest, nil
	case '$', '=':
		n, ok := parseLen(head)
		if !ok || n+2 > len(rest) {
			return Reply{}, nil, errBadReply
		}
		data := rest[:n:n]
		if prefix == '=' && n >= 4 {
			return stringReply(KindVerbatim, data), rest[n+2:], nil
		}
		return stringReply(KindBulk, data), rest[n+2:], nil
	case '*', '~', '%', '>':
		n, ok := parseLen(head)
		if !ok {
			return Reply{}, nil, errBadReply
		}
		kind := KindArray
		switch prefix {
		case '~':
			kind = KindSet
		case '%':
			kind, n = KindMap, 2*n
		}
		elems := make([]Reply, n)
		for j := range elems {
			var err error
			if elems[j], rest, err = parseRESP(rest); err != nil {
				return Reply{}, nil, err
			}
		}
		return aggregate(kind, elems), rest, nil
	}
	return Reply{}, nil, errBadReply
}

// parseLen reads the length of a bulk string or an aggregate: decimal
// digits, at most nine of them (the host's replies are far smaller).
func parseLen(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseInt reads a decimal int64 as strconv.ParseInt(s, 10, 64) does (an
// optional sign, then digits), without converting to a string: ok is
// false for anything else, and n is then what ParseInt returns with its
// error (0, or the nearest bound when out of range).
func parseInt(b []byte) (n int64, ok bool) {
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if u > (math.MaxUint64-d)/10 {
			u = math.MaxUint64 // past uint64: ParseInt stops at this digit
			break
		}
		u = u*10 + d
	}
	switch {
	case !neg && u > math.MaxInt64:
		return math.MaxInt64, false
	case neg && u > 1<<63:
		return math.MinInt64, false
	case neg:
		return -int64(u), true // -(1<<63) wraps to itself, as it should
	}
	return int64(u), true
}

func parseFloat(s string) (float64, error) {
	switch s {
	case "inf":
		return strconv.ParseFloat("+Inf", 64)
	case "-inf":
		return strconv.ParseFloat("-Inf", 64)
	}
	return strconv.ParseFloat(s, 64)
}

// readList reads one length-prefixed list, appending its items to out;
// the items alias b.
func readList(out [][]byte, b []byte) ([][]byte, []byte) {
	if len(b) < 4 {
		return out, nil
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	for i := uint32(0); i < n && len(b) >= 4; i++ {
		l := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(l) > uint64(len(b)) {
			return out, nil
		}
		out = append(out, b[:l:l])
		b = b[l:]
	}
	return out, b
}
