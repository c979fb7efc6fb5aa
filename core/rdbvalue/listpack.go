package rdbvalue

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// Listpack is Redis's compact sequence of strings and integers, the blob
// that RDB stores for small hashes and sorted sets and for each quicklist
// node:
//
//	total bytes (uint32 LE) | element count (uint16 LE, 65535 = unknown) |
//	entries... | 0xFF
//
// Each entry is an encoding byte and its data, followed by "backlen", the
// size of encoding+data written so that it can be read backwards:
//
//	0xxxxxxx                  7-bit unsigned integer
//	10LLLLLL                  string of up to 63 bytes
//	110xxxxx xxxxxxxx         13-bit signed integer
//	1110LLLL LLLLLLLL         string of up to 4095 bytes
//	11110000 + uint32 LE      string of any length
//	11110001/2/3/4 + 2/3/4/8 bytes LE   16/24/32/64-bit signed integer
//
// Strings that are the canonical decimal form of an int64 are stored as
// integers, as lpAppend does.

const (
	lpHeaderSize = 6
	lpEOF        = 0xFF
	lpCountMax   = 65535 // the count field's "unknown, walk to count" value
)

// ErrListpack reports a listpack blob that is not well formed.
var ErrListpack = errors.New("rdbvalue: malformed listpack")

// ListpackBuilder appends entries to a new listpack. The zero value is
// not ready: use NewListpack.
type ListpackBuilder struct {
	buf []byte
	n   int
}

// NewListpack returns a builder for an empty listpack with room for about
// sizeHint bytes of entries.
func NewListpack(sizeHint int) *ListpackBuilder {
	b := &ListpackBuilder{buf: make([]byte, lpHeaderSize, lpHeaderSize+sizeHint+1)}
	return b
}

// Bytes is the size the listpack has now, header and terminator included
// (Redis's lpBytes).
func (b *ListpackBuilder) Bytes() int { return len(b.buf) + 1 }

// Count is the number of entries appended.
func (b *ListpackBuilder) Count() int { return b.n }

// Append adds s, as an integer when it is one in canonical form.
func (b *ListpackBuilder) Append(s []byte) {
	if len(s) <= 20 {
		if v, ok := canonicalInt(s); ok {
			b.AppendInt(v)
			return
		}
	}
	start := len(b.buf)
	switch l := len(s); {
	case l < 64:
		b.buf = append(b.buf, 0x80|byte(l))
	case l < 4096:
		b.buf = append(b.buf, 0xE0|byte(l>>8), byte(l))
	default:
		b.buf = append(b.buf, 0xF0)
		b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(l))
	}
	b.buf = append(b.buf, s...)
	b.backlen(len(b.buf) - start)
}

// AppendInt adds v in the smallest integer encoding.
func (b *ListpackBuilder) AppendInt(v int64) {
	start := len(b.buf)
	switch {
	case v >= 0 && v <= 127:
		b.buf = append(b.buf, byte(v))
	case v >= -4096 && v <= 4095:
		u := uint64(v) & (1<<13 - 1)
		b.buf = append(b.buf, 0xC0|byte(u>>8), byte(u))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		b.buf = append(b.buf, 0xF1, byte(v), byte(v>>8))
	case v >= -1<<23 && v < 1<<23:
		b.buf = append(b.buf, 0xF2, byte(v), byte(v>>8), byte(v>>16))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		b.buf = append(b.buf, 0xF3)
		b.buf = binary.LittleEndian.AppendUint32(b.buf, uint32(v))
	default:
		b.buf = append(b.buf, 0xF4)
		b.buf = binary.LittleEndian.AppendUint64(b.buf, uint64(v))
	}
	b.backlen(len(b.buf) - start)
}

// backlen appends the reverse-readable size l of the entry just written
// (lpEncodeBacklen, thresholds included).
func (b *ListpackBuilder) backlen(l int) {
	b.n++
	switch {
	case l <= 127:
		b.buf = append(b.buf, byte(l))
	case l < 16383:
		b.buf = append(b.buf, byte(l>>7), byte(l&127)|128)
	case l < 2097151:
		b.buf = append(b.buf, byte(l>>14), byte(l>>7&127)|128, byte(l&127)|128)
	case l < 268435455:
		b.buf = append(b.buf, byte(l>>21), byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	default:
		b.buf = append(b.buf, byte(l>>28), byte(l>>21&127)|128, byte(l>>14&127)|128, byte(l>>7&127)|128, byte(l&127)|128)
	}
}

// Finish seals the listpack (header and terminator) and returns it. The
// builder must not be used afterwards.
func (b *ListpackBuilder) Finish() []byte {
	b.buf = append(b.buf, lpEOF)
	binary.LittleEndian.PutUint32(b.buf, uint32(len(b.buf)))
	n := b.n
	if n > lpCountMax {
		n = lpCountMax
	}
	binary.LittleEndian.PutUint16(b.buf[4:], uint16(n))
	return b.buf
}

// LPEntry is one decoded listpack entry: a string (Str, aliasing the
// listpack) or an integer (Int, when IsInt).
type LPEntry struct {
	Str   []byte
	Int   int64
	IsInt bool
}

// AppendTo appends the entry's string form to dst.
func (e LPEntry) AppendTo(dst []byte) []byte {
	if e.IsInt {
		return strconv.AppendInt(dst, e.Int, 10)
	}
	return append(dst, e.Str...)
}

// Len is the length of the entry's string form.
func (e LPEntry) Len() int {
	if !e.IsInt {
		return len(e.Str)
	}
	var buf [20]byte
	return len(strconv.AppendInt(buf[:0], e.Int, 10))
}

// WalkListpack checks that lp is a well-formed listpack (total bytes
// equal to len(lp), entries that fit, each backlen consistent, the 0xFF
// terminator last, a count field equal to the number of entries unless
// it is 65535) and calls fn for each entry in order, stopping at fn's
// first error. It returns the number of entries. It never panics and
// allocates nothing.
func WalkListpack(lp []byte, fn func(LPEntry) error) (int, error) {
	if len(lp) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != lpEOF {
		return 0, ErrListpack
	}
	want := int(binary.LittleEndian.Uint16(lp[4:]))
	n := 0
	p := lpHeaderSize
	end := len(lp) - 1
	for p < end {
		e, size, ok := lpDecode(lp[p:end])
		if !ok {
			return n, ErrListpack
		}
		bl, ok := lpBacklen(lp[p+size:end], size)
		if !ok {
			return n, ErrListpack
		}
		p += size + bl
		n++
		if fn != nil {
			if err := fn(e); err != nil {
				return n, err
			}
		}
	}
	if want != lpCountMax && want != n {
		return n, ErrListpack
	}
	return n, nil
}

// lpDecode decodes the entry at the start of p and returns it with the
// size of its encoding and data.
func lpDecode(p []byte) (LPEntry, int, bool) {
	if len(p) == 0 {
		return LPEntry{}, 0, false
	}
	b := p[0]
	switch {
	case b < 0x80:
		return LPEntry{Int: int64(b), IsInt: true}, 1, true
	case b < 0xC0:
		l := int(b & 0x3f)
		if len(p) < 1+l {
			return LPEntry{}, 0, false
		}
		return LPEntry{Str: p[1 : 1+l : 1+l]}, 1 + l, true
	case b < 0xE0:
		if len(p) < 2 {
			return LPEntry{}, 0, false
		}
		u := uint64(b&0x1f)<<8 | uint64(p[1])
		v := int64(u)
		if u >= 1<<12 {
			v -= 1 << 13
		}
		return LPEntry{Int: v, IsInt: true}, 2, true
	case b < 0xF0:
		if len(p) < 2 {
			return LPEntry{}, 0, false
		}
		l := int(b&0x0f)<<8 | int(p[1])
		if len(p) < 2+l {
			return LPEntry{}, 0, false
		}
		return LPEntry{Str: p[2 : 2+l : 2+l]}, 2 + l, true
	}
	var w int
	switch b {
	case 0xF0:
		if len(p) < 5 {
			return LPEntry{}, 0, false
		}
		l := uint64(binary.LittleEndian.Uint32(p[1:]))
		if uint64(len(p)-5) < l {
			return LPEntry{}, 0, false
		}
		return LPEntry{Str: p[5 : 5+l : 5+l]}, 5 + int(l), true
	case 0xF1:
		w = 2
	case 0xF2:
		w = 3
	case 0xF3:
		w = 4
	case 0xF4:
		w = 8
	default:
		return LPEntry{}, 0, false
	}
	if len(p) < 1+w {
		return LPEntry{}, 0, false
	}
	var u uint64
	for i := w; i >= 1; i-- {
		u = u<<8 | uint64(p[i])
	}
	// Sign-extend from w bytes.
	shift := uint(64 - 8*w)
	v := int64(u<<shift) >> shift
	return LPEntry{Int: v, IsInt: true}, 1 + w, true
}

// lpBacklen checks that p starts with the backlen of an entry of the
// given size and returns its length in bytes.
func lpBacklen(p []byte, size int) (int, bool) {
	var want int
	switch {
	case size <= 127:
		want = 1
	case size < 16383:
		want = 2
	case size < 2097151:
		want = 3
	case size < 268435455:
		want = 4
	default:
		want = 5
	}
	if len(p) < want {
		return 0, false
	}
	// Read it backwards, as lpDecodeBacklen does.
	v, shift := 0, 0
	for i := want - 1; i >= 0; i-- {
		v |= int(p[i]&127) << shift
		more := p[i]&128 != 0
		if more != (i > 0) {
			return 0, false
		}
		shift += 7
	}
	return want, v == size
}

// canonicalInt parses s when it is the canonical decimal form of an int64,
// as Redis's string2ll (and listpack's lpStringToInt64) accept it.
func canonicalInt(s []byte) (int64, bool) {
	n := len(s)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && s[0] == '0' {
		return 0, true
	}
	i := 0
	neg := s[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if s[i] < '1' || s[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := s[i]
		if c < '0' || c > '9' || v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > math.MaxUint64-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
