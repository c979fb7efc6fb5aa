package wasm

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unsafe"

	"github.com/polyfn/polyfn/core"
)

// The bytes that cross the boundary (ABI.md has the contract):
//
//   - lists of byte strings (a function's keys and args, a command's
//     arguments) are length-prefixed: a little-endian u32 count, then per
//     item a little-endian u32 length and the bytes;
//   - replies (a command's, a function's) are RESP: the host writes
//     RESP3 to the guest, and reads RESP2 or RESP3 from it.

// maxReplyDepth bounds the nesting of a reply read from a guest.
const maxReplyDepth = 1000

var (
	errBadList  = errors.New("ERR malformed argument list from wasm guest")
	errBadReply = errors.New("ERR malformed RESP reply from wasm guest")
)

// appendList appends items, length-prefixed, to buf.
func appendList(buf []byte, items ...[][]byte) []byte {
	for _, list := range items {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(list)))
		for _, b := range list {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(b)))
			buf = append(buf, b...)
		}
	}
	return buf
}

// readList decodes one length-prefixed list from b into dst (reusing its
// storage); the items alias b. It returns the list and the rest of b.
func readList(dst [][]byte, b []byte) ([][]byte, []byte, error) {
	if len(b) < 4 {
		return nil, nil, errBadList
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if uint64(n)*4 > uint64(len(b)) {
		return nil, nil, errBadList
	}
	dst = dst[:0]
	for i := uint32(0); i < n; i++ {
		if len(b) < 4 {
			return nil, nil, errBadList
		}
		l := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(l) > uint64(len(b)) {
			return nil, nil, errBadList
		}
		dst = append(dst, b[:l:l])
		b = b[l:]
	}
	return dst, b, nil
}

// appendReply appends a command's reply for the guest, as RESP3 bytes
// of the value as a client of the script's protocol (resp) sees it: under
// RESP2, maps and sets are arrays, doubles, big numbers and verbatim
// strings are bulk strings, booleans are 1 or 0 (nulls stay null).
func appendReply(buf []byte, v core.Value, resp int) []byte {
	if resp == 3 {
		return appendRESP3(buf, v)
	}
	switch v.Kind {
	case core.VMap, core.VSet, core.VArray, core.VPush:
		buf = append(buf, '*')
		buf = strconv.AppendInt(buf, int64(len(v.Elems)), 10)
		buf = append(buf, '\r', '\n')
		for _, e := range v.Elems {
			buf = appendReply(buf, e, resp)
		}
		return buf
	case core.VDouble:
		return appendRESP3(buf, core.Value{Kind: core.VBulk, Str: core.AppendDouble(nil, v.Float)})
	case core.VBigNumber, core.VVerbatim:
		return appendRESP3(buf, core.Value{Kind: core.VBulk, Str: v.Str})
	case core.VBool:
		return appendRESP3(buf, core.Int(v.Int))
	}
	return appendRESP3(buf, v)
}

// appendRESP3 appends v as RESP3. Values shaped for RESP2 (a RESP2 null
// array, say) are written as their RESP3 counterparts.
func appendRESP3(buf []byte, v core.Value) []byte {
	line := func(prefix byte, s []byte) []byte {
		buf = append(buf, prefix)
		buf = append(buf, s...)
		return append(buf, '\r', '\n')
	}
	length := func(prefix byte, n int) []byte {
		buf = append(buf, prefix)
		buf = strconv.AppendInt(buf, int64(n), 10)
		return append(buf, '\r', '\n')
	}
	switch v.Kind {
	case core.VStatus:
		return line('+', v.Str)
	case core.VError:
		return line('-', v.Str)
	case core.VInt:
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, v.Int, 10)
		return append(buf, '\r', '\n')
	case core.VBulk:
		buf = length('$', len(v.Str))
		buf = append(buf, v.Str...)
		return append(buf, '\r', '\n')
	case core.VNull, core.VNullArray:
		return append(buf, "_\r\n"...)
	case core.VArray, core.VSet, core.VPush, core.VMap:
		prefix, n := byte('*'), len(v.Elems)
		switch v.Kind {
		case core.VSet:
			prefix = '~'
		case core.VPush:
			prefix = '>'
		case core.VMap:
			prefix, n = '%', n/2
		}
		buf = length(prefix, n)
		for _, e := range v.Elems {
			buf = appendRESP3(buf, e)
		}
		return buf
	case core.VDouble:
		return line(',', core.AppendDouble(nil, v.Float))
	case core.VBool:
		if v.Int != 0 {
			return append(buf, "#t\r\n"...)
		}
		return append(buf, "#f\r\n"...)
	case core.VBigNumber:
		return line('(', v.Str)
	case core.VVerbatim:
		buf = length('=', len(v.Format)+1+len(v.Str))
		buf = append(buf, v.Format...)
		buf = append(buf, ':')
		buf = append(buf, v.Str...)
		return append(buf, '\r', '\n')
	}
	return append(buf, "_\r\n"...)
}

// parseRESP reads one complete RESP2 or RESP3 value from b, copying its
// bytes, and requires that nothing follows it.
//
// limit (0: none) bounds the memory the parsed reply may take, counted
// as its values (core.Value, with the slack of growing slices): a reply
// of 20 million one-byte elements fits in a guest's 64 MB but would take
// the host gigabytes. Over it, the error is errReplyTooBig.
func parseRESP(b []byte, limit int64) (core.Value, error) {
	left := int64(math.MaxInt64)
	if limit > 0 {
		left = limit / valueSize
	}
	v, rest, err := parseValue(b, 0, &left)
	if err != nil {
		return core.Value{}, err
	}
	if len(rest) != 0 {
		return core.Value{}, errBadReply
	}
	return v, nil
}

// valueSize is what one parsed value costs the host, in bytes.
const valueSize = 2 * int64(unsafe.Sizeof(core.Value{}))

// errReplyTooBig is parseRESP's error for a reply over its limit.
var errReplyTooBig = errors.New("reply over the memory limit")

func parseValue(b []byte, depth int, left *int64) (core.Value, []byte, error) {
	if depth > maxReplyDepth || len(b) == 0 {
		return core.Value{}, nil, errBadReply
	}
	prefix := b[0]
	i := 1
	for i < len(b) && b[i] != '\r' {
		i++
	}
	if i+1 >= len(b) || b[i+1] != '\n' {
		return core.Value{}, nil, errBadReply
	}
	head, rest := b[1:i], b[i+2:]
	text := func(k core.ValueKind) (core.Value, []byte, error) {
		return core.Value{Kind: k, Str: clone(head)}, rest, nil
	}
	switch prefix {
	case '+':
		return text(core.VStatus)
	case '-':
		return text(core.VError)
	case '(':
		return text(core.VBigNumber)
	case ':':
		n, err := strconv.ParseInt(string(head), 10, 64)
		if err != nil {
			return core.Value{}, nil, errBadReply
		}
		return core.Int(n), rest, nil
	case ',':
		f, err := parseDouble(string(head))
		if err != nil {
			return core.Value{}, nil, errBadReply
		}
		return core.Value{Kind: core.VDouble, Float: f}, rest, nil
	case '#':
		switch string(head) {
		case "t":
			return core.Value{Kind: core.VBool, Int: 1}, rest, nil
		case "f":
			return core.Value{Kind: core.VBool}, rest, nil
		}
		return core.Value{}, nil, errBadReply
	case '_':
		if len(head) != 0 {
			return core.Value{}, nil, errBadReply
		}
		return core.Value{Kind: core.VNull}, rest, nil
	case '$', '=':
		n, err := strconv.Atoi(string(head))
		if err != nil || n < -1 {
			return core.Value{}, nil, errBadReply
		}
		if n == -1 && prefix == '$' {
			return core.Value{Kind: core.VNull}, rest, nil
		}
		if n < 0 || n+2 > len(rest) || rest[n] != '\r' || rest[n+1] != '\n' {
			return core.Value{}, nil, errBadReply
		}
		data := clone(rest[:n])
		rest = rest[n+2:]
		if prefix == '=' {
			if n < 4 || data[3] != ':' {
				return core.Value{}, nil, errBadReply
			}
			return core.Value{Kind: core.VVerbatim, Format: string(data[:3]), Str: data[4:]}, rest, nil
		}
		return core.Value{Kind: core.VBulk, Str: data}, rest, nil
	case '*', '~', '%', '>':
		n, err := strconv.Atoi(string(head))
		if err != nil || n < -1 {
			return core.Value{}, nil, errBadReply
		}
		if n == -1 && prefix == '*' {
			return core.Value{Kind: core.VNullArray}, rest, nil
		}
		kind := core.VArray
		switch prefix {
		case '~':
			kind = core.VSet
		case '%':
			kind = core.VMap
		case '>':
			kind = core.VPush
		}
		count := n
		if prefix == '%' {
			count = 2 * n
		}
		if n < 0 || count > len(rest)/3 { // every element takes 3 bytes at least
			return core.Value{}, nil, errBadReply
		}
		if *left -= int64(count); *left < 0 {
			return core.Value{}, nil, errReplyTooBig
		}
		out := core.Value{Kind: kind, Elems: make([]core.Value, 0, count)}
		for j := 0; j < count; j++ {
			var e core.Value
			if e, rest, err = parseValue(rest, depth+1, left); err != nil {
				return core.Value{}, nil, err
			}
			out.Elems = append(out.Elems, e)
		}
		return out, rest, nil
	}
	return core.Value{}, nil, errBadReply
}

// clone copies b into memory of its own, exactly its size (append would
// round the capacity up); an empty b stays non-nil.
func clone(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)
	return c
}

// parseDouble reads a RESP3 double, including inf, -inf and nan.
func parseDouble(s string) (float64, error) {
	switch s {
	case "inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}
