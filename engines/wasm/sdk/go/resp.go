package polyfn

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// appendRESP appends r as RESP3.
func appendRESP(buf []byte, r Reply) []byte {
	switch r.kind {
	case KindStatus:
		return appendLine(buf, '+', r.str)
	case KindError:
		return appendLine(buf, '-', r.str)
	case KindInt:
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, r.num, 10)
		return append(buf, '\r', '\n')
	case KindBulk:
		buf = appendHead(buf, '$', len(r.str))
		buf = append(buf, r.str...)
		return append(buf, '\r', '\n')
	case KindArray, KindSet, KindMap:
		prefix, n := byte('*'), len(r.elems)
		if r.kind == KindSet {
			prefix = '~'
		} else if r.kind == KindMap {
			prefix, n = '%', n/2
		}
		buf = appendHead(buf, prefix, n)
		for _, e := range r.elems {
			buf = appendRESP(buf, e)
		}
		return buf
	case KindDouble:
		buf = append(buf, ',')
		buf = append(buf, formatDouble(r.float)...)
		return append(buf, '\r', '\n')
	case KindBool:
		if r.num != 0 {
			return append(buf, "#t\r\n"...)
		}
		return append(buf, "#f\r\n"...)
	case KindBigNumber:
		return appendLine(buf, '(', r.str)
	case KindVerbatim:
		buf = appendHead(buf, '=', len(r.format)+1+len(r.str))
		buf = append(buf, r.format...)
		buf = append(buf, ':')
		buf = append(buf, r.str...)
		return append(buf, '\r', '\n')
	}
	return append(buf, "_\r\n"...)
}

// respLen is about the length of r as RESP3 (exact for strings), so that
// a large reply is encoded into one allocation.
func respLen(r Reply) int {
	n := len(r.str) + len(r.format) + 24
	for _, e := range r.elems {
		n += respLen(e)
	}
	return n
}

func appendLine(buf []byte, prefix byte, s []byte) []byte {
	buf = append(buf, prefix)
	buf = append(buf, s...)
	return append(buf, '\r', '\n')
}

func appendHead(buf []byte, prefix byte, n int) []byte {
	buf = append(buf, prefix)
	buf = strconv.AppendInt(buf, int64(n), 10)
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
		return Reply{kind: KindStatus, str: head}, rest, nil
	case '-':
		return Reply{kind: KindError, str: head}, rest, nil
	case '(':
		return Reply{kind: KindBigNumber, str: head}, rest, nil
	case ':':
		n, err := strconv.ParseInt(string(head), 10, 64)
		return Reply{kind: KindInt, num: n}, rest, err
	case ',':
		f, err := parseFloat(string(head))
		return Reply{kind: KindDouble, float: f}, rest, err
	case '#':
		return Bool(len(head) == 1 && head[0] == 't'), rest, nil
	case '_':
		return Reply{}, rest, nil
	case '$', '=':
		n, err := strconv.Atoi(string(head))
		if err != nil || n < 0 || n+2 > len(rest) {
			return Reply{}, nil, errBadReply
		}
		data := rest[:n:n]
		if prefix == '=' && n >= 4 {
			return Reply{kind: KindVerbatim, format: string(data[:3]), str: data[4:]}, rest[n+2:], nil
		}
		return Reply{kind: KindBulk, str: data}, rest[n+2:], nil
	case '*', '~', '%', '>':
		n, err := strconv.Atoi(string(head))
		if err != nil || n < 0 {
			return Reply{}, nil, errBadReply
		}
		kind := KindArray
		switch prefix {
		case '~':
			kind = KindSet
		case '%':
			kind, n = KindMap, 2*n
		}
		out := Reply{kind: kind, elems: make([]Reply, n)}
		for j := range out.elems {
			if out.elems[j], rest, err = parseRESP(rest); err != nil {
				return Reply{}, nil, err
			}
		}
		return out, rest, nil
	}
	return Reply{}, nil, errBadReply
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
