package core

import (
	"encoding/binary"
	"math/bits"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP (BITFIELD is in
// bitfield.go). Bits are numbered from the most significant bit of the
// first byte, as in Redis.

func registerBitmapCommands(t *Table) {
	t.Add("setbit", cmdSetBit)
	t.Add("getbit", cmdGetBit)
	t.Add("bitcount", cmdBitCount)
	t.Add("bitpos", cmdBitPos)
	t.Add("bitop", cmdBitOp)
	t.Add("bitfield", cmdBitField)
	t.Add("bitfield_ro", cmdBitFieldRO)
}

// bitOffset parses a bit offset as Redis's getBitOffsetFromArgument: a
// non-negative integer whose byte stays below proto-max-bulk-len; with
// hashBits > 0 the "#N" form means N*hashBits (BITFIELD).
func bitOffset(ctx *Ctx, arg []byte, hashBits int) (uint64, bool) {
	useHash := hashBits > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	off, ok := ParseInt(arg)
	if ok && useHash {
		off *= int64(hashBits) // wraps like Redis's long long product
	}
	if !ok || off < 0 || off>>3 >= ctx.S.Config.ProtoMaxBulkLen() {
		ctx.Error(ErrBitOffset)
		return 0, false
	}
	return uint64(off), true
}

// bitString is Redis's lookupStringForBitCommand: the string at key
// (created when missing) grown with zero bytes to hold bit maxBit. The
// entry becomes "raw". changed reports whether it was created or grown.
func bitString(ctx *Ctx, key []byte, maxBit uint64) (e *keyspace.Entry, changed, ok bool) {
	e, ok = ctx.WriteKind(key, keyspace.KindString)
	if !ok {
		return nil, false, false
	}
	n := int(maxBit>>3) + 1
	if e == nil {
		e = ctx.Store(key, make([]byte, n), false)
		e.Raw = true
		return e, true, true
	}
	b := e.Value.([]byte)
	e.Raw = true
	if len(b) < n {
		e.Value = growZero(b, n)
		changed = true
	}
	return e, changed, true
}

func cmdSetBit(ctx *Ctx) {
	off, ok := bitOffset(ctx, ctx.Args[2], 0)
	if !ok {
		return
	}
	on, ok := ParseInt(ctx.Args[3])
	if !ok || on&^1 != 0 {
		ctx.Error(ErrBitValue)
		return
	}
	e, changed, ok := bitString(ctx, ctx.Args[1], off)
	if !ok {
		return
	}
	b := e.Value.([]byte)
	mask := byte(1) << (7 - off&7)
	old := b[off>>3]&mask != 0
	if changed || old != (on == 1) {
		if on == 1 {
			b[off>>3] |= mask
		} else {
			b[off>>3] &^= mask
		}
		ctx.Modified(ctx.Args[1])
		ctx.Notify(NotifyString, "setbit", ctx.Args[1])
	}
	if old {
		ctx.W.WriteInt(1)
	} else {
		ctx.W.WriteInt(0)
	}
}

func cmdGetBit(ctx *Ctx) {
	off, ok := bitOffset(ctx, ctx.Args[2], 0)
	if !ok {
		return
	}
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	b := strValue(e)
	if off>>3 < uint64(len(b)) && b[off>>3]&(1<<(7-off&7)) != 0 {
		ctx.W.WriteInt(1)
		return
	}
	ctx.W.WriteInt(0)
}

// bitRange resolves BITCOUNT / BITPOS start and end (in bytes, or in bits
// when isBit) against a string of n bytes into an inclusive bit range.
// empty is set when the range selects nothing.
func bitRange(start, end int64, n int64, isBit bool) (first, last int64, empty bool) {
	total := n
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if start > end {
		return 0, 0, true
	}
	if isBit {
		return start, end, false
	}
	return start << 3, end<<3 | 7, false
}

// parseBitUnit parses the optional BYTE|BIT argument.
func parseBitUnit(ctx *Ctx, i int) (isBit, ok bool) {
	if i >= len(ctx.Args) {
		return false, true
	}
	switch {
	case kw(ctx.Args[i], "bit"):
		return true, true
	case kw(ctx.Args[i], "byte"):
		return false, true
	}
	ctx.SyntaxError()
	return false, false
}

func cmdBitCount(ctx *Ctx) {
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		ctx.W.WriteInt(0)
		return
	}
	b := e.Value.([]byte)
	argc := len(ctx.Args)
	if argc == 2 {
		ctx.W.WriteInt(int64(popcount(b)))
		return
	}
	if argc != 4 && argc != 5 {
		ctx.SyntaxError()
		return
	}
	start, ok := ctx.Int(2)
	if !ok {
		return
	}
	end, ok := ctx.Int(3)
	if !ok {
		return
	}
	// As Redis 7.0: an empty negative range answers 0 before the unit
	// is parsed.
	if start < 0 && end < 0 && start > end {
		ctx.W.WriteInt(0)
		return
	}
	isBit, ok := parseBitUnit(ctx, 4)
	if !ok {
		return
	}
	first, last, empty := bitRange(start, end, int64(len(b)), isBit)
	if empty {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(countBits(b, first, last))
}

func popcount(b []byte) int {
	n := 0
	for len(b) >= 8 {
		n += bits.OnesCount64(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
		b = b[8:]
	}
	for _, c := range b {
		n += bits.OnesCount8(c)
	}
	return n
}

// countBits counts the set bits from bit first to bit last inclusive.
func countBits(b []byte, first, last int64) int64 {
	fb, lb := first>>3, last>>3
	n := int64(popcount(b[fb : lb+1]))
	n -= int64(bits.OnesCount8(b[fb] & ^byte(0xff>>(first&7))))
	n -= int64(bits.OnesCount8(b[lb] & byte(0xff>>(last&7+1))))
	return n
}

func cmdBitPos(ctx *Ctx) {
	bit, ok := ctx.Int(2)
	if !ok {
		return
	}
	if bit != 0 && bit != 1 {
		ctx.Error(ErrBitArg)
		return
	}
	e := ctx.Read(ctx.Args[1])
	if e == nil {
		ctx.W.WriteInt(-bit)
		return
	}
	if e.Kind() != keyspace.KindString {
		ctx.Error(ErrWrongType)
		return
	}
	b := e.Value.([]byte)
	n := int64(len(b))
	argc := len(ctx.Args)
	var first, last int64
	var empty, endGiven bool
	switch argc {
	case 3:
		first, last, empty = 0, n<<3-1, n == 0
	case 4, 5, 6:
		start, ok := ctx.Int(3)
		if !ok {
			return
		}
		isBit, ok := parseBitUnit(ctx, 5)
		if !ok {
			return
		}
		end := n - 1
		if argc >= 5 {
			if end, ok = ctx.Int(4); !ok {
				return
			}
			endGiven = true
		}
		first, last, empty = bitRange(start, end, n, isBit)
	default:
		ctx.SyntaxError()
		return
	}
	if empty {
		ctx.W.WriteInt(-1)
		return
	}
	pos := findBit(b, first, last, bit == 1)
	if pos < 0 && bit == 0 && !endGiven {
		// Without an explicit end the string counts as padded with
		// zero bits on the right.
		pos = (last + 1)
	}
	ctx.W.WriteInt(pos)
}

// findBit returns the position of the first bit equal to want between bit
// first and bit last inclusive, or -1.
func findBit(b []byte, first, last int64, want bool) int64 {
	var skip byte // a byte value that contains no wanted bit
	if !want {
		skip = 0xff
	}
	skip64 := uint64(0)
	if !want {
		skip64 = ^skip64
	}
	for p := first; p <= last; {
		c := b[p>>3]
		if p&7 == 0 && p+63 <= last && binary.LittleEndian.Uint64(b[p>>3:]) == skip64 {
			p += 64
			continue
		}
		if p&7 == 0 && p+7 <= last && c == skip {
			p += 8
			continue
		}
		if (c&(0x80>>(p&7)) != 0) == want {
			return p
		}
		p++
	}
	return -1
}

func cmdBitOp(ctx *Ctx) {
	op := ctx.Args[1]
	var kind byte
	switch {
	case kw(op, "and"):
		kind = '&'
	case kw(op, "or"):
		kind = '|'
	case kw(op, "xor"):
		kind = '^'
	case kw(op, "not"):
		kind = '~'
	default:
		ctx.SyntaxError()
		return
	}
	if kind == '~' && len(ctx.Args) != 4 {
		ctx.Error(ErrBitopNot)
		return
	}
	srcKeys := ctx.Args[3:]
	srcs := make([][]byte, len(srcKeys))
	maxLen := 0
	for i, k := range srcKeys {
		e, ok := ctx.ReadKind(k, keyspace.KindString)
		if !ok {
			return
		}
		srcs[i] = strValue(e)
		maxLen = max(maxLen, len(srcs[i]))
	}
	dest := ctx.Args[2]
	if maxLen == 0 {
		if ctx.Write(dest) != nil {
			ctx.Delete(dest)
			ctx.Notify(NotifyGeneric, "del", dest)
		}
		ctx.W.WriteInt(0)
		return
	}
	res := make([]byte, maxLen)
	switch kind {
	case '~':
		for i, c := range srcs[0] {
			res[i] = ^c
		}
	case '&':
		copy(res, srcs[0])
		for _, s := range srcs[1:] {
			for i := range res {
				if i < len(s) {
					res[i] &= s[i]
				} else {
					res[i] = 0
				}
			}
		}
	default:
		for _, s := range srcs {
			for i, c := range s {
				if kind == '|' {
					res[i] |= c
				} else {
					res[i] ^= c
				}
			}
		}
	}
	ctx.Store(dest, res, false).Raw = true
	ctx.Notify(NotifyString, "set", dest)
	ctx.W.WriteInt(int64(maxLen))
}
