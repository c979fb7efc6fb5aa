package lualib

// The struct library (Roberto Ierusalimschy's lstrlib-like struct 0.2) as
// bundled in Redis 7.0, reimplemented from its documented behaviour and
// checked against redis-server in struct_test.go.
//
// Format options: '>' big endian, '<' little endian, '!n' max alignment n
// (default 8 for '!', 1 initially; must be a power of 2), ' ' ignored,
// 'x' one zero byte, 'b'/'B' signed/unsigned char, 'h'/'H' short (2),
// 'l'/'L' long (8), 'T' size_t (8), 'i'/'I' int with optional size n
// (default 4, at most 32), 'f' float, 'd' double, 's' zero-terminated
// string, 'c' fixed-size string (c0: in pack the whole string, in unpack the
// length is the previous result). The machine modelled is x86-64 Linux
// (little endian native order).

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

type structHeader struct {
	big   bool
	align int
}

// structFormat walks a format string the way struct.c does.
type structFormat struct {
	L   *lua.LState
	fmt string
	pos int
}

// OpenStruct creates the struct library table (pack, unpack, size), sets it
// as the global "struct" and returns it.
func OpenStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	L.SetGlobal("struct", t)
	return t
}

func structNewFormat(L *lua.LState, fname string) *structFormat {
	f := compatCheckString(L, 1, fname)
	if i := strings.IndexByte(f, 0); i >= 0 { // a C string
		f = f[:i]
	}
	return &structFormat{L: L, fmt: f}
}

func (f *structFormat) more() bool { return f.pos < len(f.fmt) }

func (f *structFormat) next() byte {
	c := f.fmt[f.pos]
	f.pos++
	return c
}

func structIsDigit(c byte) bool { return c >= '0' && c <= '9' }

// getnum reads an optional decimal number, returning def when absent.
func (f *structFormat) getnum(def int) int {
	if !f.more() || !structIsDigit(f.fmt[f.pos]) {
		return def
	}
	a := 0
	for f.more() && structIsDigit(f.fmt[f.pos]) {
		d := int(f.fmt[f.pos] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			compatRaise(f.L, "integral size overflow")
		}
		a = a*10 + d
		f.pos++
	}
	return a
}

// optsize is the size of option opt (0 for options without one).
func (f *structFormat) optsize(opt byte) uint64 {
	switch opt {
	case 'B', 'b', 'x':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'c':
		return uint64(f.getnum(1))
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > structMaxIntSize {
			compatRaise(f.L, "integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return uint64(sz)
	}
	return 0
}

// structToAlign is the padding before an item of size at offset n, as a C
// int (struct.c computes it in size_t and returns int).
func structToAlign(n uint64, h *structHeader, opt byte, size uint64) int64 {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > uint64(h.align) {
		size = uint64(h.align)
	}
	return int64(int32((size - (n & (size - 1))) & (size - 1)))
}

// control handles the non-data options; fname names the library function
// for the argument error.
func (f *structFormat) control(opt byte, h *structHeader, fname string) {
	switch opt {
	case ' ':
	case '>':
		h.big = true
	case '<':
		h.big = false
	case '!':
		a := f.getnum(structMaxAlign)
		if a&(a-1) != 0 {
			compatRaise(f.L, "alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		compatArgError(f.L, 1, fname, "invalid format option '"+string([]byte{opt})+"'")
	}
}

func structPack(L *lua.LState) int {
	const fname = "pack"
	f := structNewFormat(L, fname)
	h := structHeader{align: 1}
	arg := 2
	nargs := L.GetTop()
	num := func() float64 { // struct.c keeps a nil mark just above the arguments
		if arg == nargs+1 {
			compatArgError(L, arg, fname, "number expected, got nil")
		}
		arg++
		return compatCheckNumber(L, arg-1, fname)
	}
	var b []byte
	var total uint64
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		toalign := structToAlign(total, &h, opt, size)
		total += uint64(toalign)
		for ; toalign > 0; toalign-- {
			b = append(b, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := num()
			var v uint64
			if n < 0 {
				v = uint64(compatD2I64(n))
			} else {
				v = compatD2U64(n)
			}
			buf := make([]byte, size)
			for i := uint64(0); i < size; i++ {
				k := i
				if h.big {
					k = size - 1 - i
				}
				buf[k] = byte(v)
				v >>= 8
			}
			b = append(b, buf...)
		case 'x':
			b = append(b, 0)
		case 'f':
			v := math.Float32bits(float32(num()))
			if h.big {
				b = binary.BigEndian.AppendUint32(b, v)
			} else {
				b = binary.LittleEndian.AppendUint32(b, v)
			}
		case 'd':
			v := math.Float64bits(num())
			if h.big {
				b = binary.BigEndian.AppendUint64(b, v)
			} else {
				b = binary.LittleEndian.AppendUint64(b, v)
			}
		case 'c', 's':
			if arg == nargs+1 {
				compatArgError(L, arg, fname, "string expected, got nil")
			}
			s := compatCheckString(L, arg, fname)
			arg++
			if size == 0 {
				size = uint64(len(s))
			}
			if uint64(len(s)) < size {
				compatArgError(L, arg, fname, "string too short")
			}
			checkAlloc(L, int64(len(b))+int64(size)+1)
			b = append(b, s[:size]...)
			if opt == 's' {
				b = append(b, 0)
				size++
			}
		default:
			f.control(opt, &h, fname)
		}
		total += size
	}
	L.Push(lua.LString(b))
	return 1
}

// structGetInteger decodes size bytes as struct.c does with a 64-bit
// accumulator (bytes beyond 8 shift out; sign extension uses x86's
// shift-count masking).
func structGetInteger(buf string, big, signed bool, size int) float64 {
	var l uint64
	for i := 0; i < size; i++ {
		k := size - 1 - i
		if big {
			k = i
		}
		l = l<<8 | uint64(buf[k])
	}
	if !signed {
		return float64(l)
	}
	mask := ^uint64(0) << (uint(size*8-1) & 63)
	if l&mask != 0 {
		l |= mask
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	const fname = "unpack"
	f := structNewFormat(L, fname)
	data := compatCheckString(L, 2, fname)
	ld := uint64(len(data))
	pos := uint64(compatOptInteger(L, 3, fname, 1))
	if pos == 0 {
		compatArgError(L, 3, fname, "offset must be 1 or greater")
	}
	pos-- // a negative offset wraps around and fails the size checks
	nargs := L.GetTop()
	h := structHeader{align: 1}
	var res []lua.LValue
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += uint64(structToAlign(pos, &h, opt, size))
		if !(size <= ld && pos <= ld-size) {
			compatArgError(L, 2, fname, "data string too short")
		}
		if nargs+len(res)+2 > 8000 {
			compatRaise(L, "stack overflow (too many results)")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a'
			res = append(res, lua.LNumber(structGetInteger(data[pos:pos+size], h.big, signed, int(size))))
		case 'x':
		case 'f':
			var v uint32
			if h.big {
				v = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				v = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			}
			res = append(res, lua.LNumber(math.Float32frombits(v)))
		case 'd':
			var v uint64
			if h.big {
				v = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				v = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			}
			res = append(res, lua.LNumber(math.Float64frombits(v)))
		case 'c':
			if size == 0 {
				var prev float64
				ok := false
				if len(res) > 0 {
					prev, ok = compatToNumber(res[len(res)-1])
				}
				if !ok {
					compatRaise(L, "format 'c0' needs a previous size")
				}
				size = compatD2U64(prev)
				res = res[:len(res)-1]
				if !(size <= ld && pos <= ld-size) {
					compatArgError(L, 2, fname, "data string too short")
				}
			}
			res = append(res, lua.LString(data[pos:pos+size]))
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				compatRaise(L, "unfinished string in data")
			}
			size = uint64(e) + 1
			res = append(res, lua.LString(data[pos:pos+uint64(e)]))
		default:
			f.control(opt, &h, fname)
		}
		pos += size
	}
	for _, v := range res {
		L.Push(v)
	}
	L.Push(lua.LNumber(float64(int64(pos + 1))))
	return len(res) + 1
}

func structSize(L *lua.LState) int {
	const fname = "size"
	f := structNewFormat(L, fname)
	h := structHeader{align: 1}
	var pos uint64
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += uint64(structToAlign(pos, &h, opt, size))
		if opt == 's' {
			compatArgError(L, 1, fname, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			compatArgError(L, 1, fname, "option 'c0' has no fixed size")
		}
		if !(opt >= '0' && opt <= '9' || opt|0x20 >= 'a' && opt|0x20 <= 'z') {
			f.control(opt, &h, fname)
		}
		pos += size
	}
	L.Push(lua.LNumber(float64(int64(pos))))
	return 1
}
