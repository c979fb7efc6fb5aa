package core

import (
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
)

// BITFIELD and BITFIELD_RO: integer fields of 1..64 bits (signed) or
// 1..63 bits (unsigned) at arbitrary bit offsets of a string, read with
// GET, written with SET and INCRBY under the WRAP, SAT or FAIL overflow
// policy in force when the operation is parsed.

const (
	bfGet = iota
	bfSet
	bfIncr
)

const (
	bfWrap = iota
	bfSat
	bfFail
)

type bfOp struct {
	op       int
	overflow int
	signed   bool
	bits     uint
	offset   uint64
	value    int64
}

func cmdBitField(ctx *Ctx)   { bitfieldGeneric(ctx, false) }
func cmdBitFieldRO(ctx *Ctx) { bitfieldGeneric(ctx, true) }

// bitfieldType parses "i<bits>" or "u<bits>" (lower case only).
func bitfieldType(ctx *Ctx, a []byte) (signed bool, nbits uint, ok bool) {
	if len(a) == 0 || (a[0] != 'i' && a[0] != 'u') {
		ctx.Error(ErrBitfieldType)
		return false, 0, false
	}
	signed = a[0] == 'i'
	num := a[1:]
	for i, c := range num { // parsed as a C string
		if c == 0 {
			num = num[:i]
			break
		}
	}
	n, ok := ParseInt(num)
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		ctx.Error(ErrBitfieldType)
		return false, 0, false
	}
	return signed, uint(n), true
}

func bitfieldGeneric(ctx *Ctx, readOnly bool) {
	args := ctx.Args
	var ops []bfOp
	overflow := bfWrap
	writes := false
	changes := 0
	var highest uint64
	for j := 2; j < len(args); j++ {
		rem := len(args) - j - 1
		var op bfOp
		switch a := args[j]; {
		case kw(a, "get") && rem >= 2:
			op.op = bfGet
		case kw(a, "set") && rem >= 3:
			op.op = bfSet
		case kw(a, "incrby") && rem >= 3:
			op.op = bfIncr
		case kw(a, "overflow") && rem >= 1:
			j++
			switch {
			case kw(args[j], "wrap"):
				overflow = bfWrap
			case kw(args[j], "sat"):
				overflow = bfSat
			case kw(args[j], "fail"):
				overflow = bfFail
			default:
				ctx.Error(ErrBitfieldOverflow)
				return
			}
			continue
		default:
			ctx.SyntaxError()
			return
		}
		var ok bool
		if op.signed, op.bits, ok = bitfieldType(ctx, args[j+1]); !ok {
			return
		}
		if op.offset, ok = bitOffset(ctx, args[j+2], int(op.bits)); !ok {
			return
		}
		if op.op != bfGet {
			writes = true
			highest = max(highest, op.offset+uint64(op.bits)-1)
			if op.value, ok = ctx.intArg(args[j+3]); !ok {
				return
			}
			j++
		}
		op.overflow = overflow
		ops = append(ops, op)
		j += 2
	}

	var e *keyspace.Entry
	grown := false // the string was created or lengthened
	if !writes {
		var ok bool
		if e, ok = ctx.ReadKind(args[1], keyspace.KindString); !ok {
			return
		}
	} else {
		if readOnly {
			ctx.Error(ErrBitfieldROWrite)
			return
		}
		var ok bool
		if e, grown, ok = bitString(ctx, args[1], highest); !ok {
			return
		}
	}

	ctx.W.WriteArray(len(ops))
	b := strValue(e)
	for _, op := range ops {
		if op.op == bfGet {
			v := getBits(b, op.offset, op.bits)
			if op.signed {
				ctx.W.WriteInt(signExtend(v, op.bits))
			} else {
				ctx.W.WriteInt(int64(v))
			}
			continue
		}
		old := getBits(b, op.offset, op.bits)
		var newv, ret uint64
		var over bool
		if op.signed {
			oldS := signExtend(old, op.bits)
			var n int64
			if op.op == bfIncr {
				n, over = signedOverflow(oldS, op.value, op.bits, op.overflow)
				ret = uint64(n)
			} else {
				n, over = signedOverflow(op.value, 0, op.bits, op.overflow)
				ret = uint64(oldS)
			}
			newv = uint64(n)
		} else {
			if op.op == bfIncr {
				newv, over = unsignedOverflow(old, op.value, op.bits, op.overflow)
				ret = newv
			} else {
				newv, over = unsignedOverflow(uint64(op.value), 0, op.bits, op.overflow)
				ret = old
			}
		}
		if over && op.overflow == bfFail {
			ctx.W.WriteNull()
			continue
		}
		ctx.W.WriteInt(int64(ret))
		setBits(b, op.offset, op.bits, newv)
		if grown || getBits(b, op.offset, op.bits) != old {
			changes++
		}
	}
	// As Redis: only writes that changed something count; when none did
	// (every one failed with OVERFLOW FAIL, or wrote the value already
	// there), the key is not signalled and no event is sent.
	if changes > 0 {
		ctx.Modified(args[1])
		ctx.S.Dirty += int64(changes - 1)
		ctx.Notify(NotifyString, "setbit", args[1])
	}
}

// getBits reads an unsigned field of n bits at bit offset off; bits past
// the end of b read as zero.
func getBits(b []byte, off uint64, n uint) uint64 {
	var v uint64
	for i := uint64(0); i < uint64(n); i++ {
		p := off + i
		v <<= 1
		if p>>3 < uint64(len(b)) && b[p>>3]&(0x80>>(p&7)) != 0 {
			v |= 1
		}
	}
	return v
}

// setBits writes the low n bits of v at bit offset off (b is long enough).
func setBits(b []byte, off uint64, n uint, v uint64) {
	for i := uint64(0); i < uint64(n); i++ {
		p := off + i
		m := byte(0x80) >> (p & 7)
		if v&(1<<(uint64(n)-1-i)) != 0 {
			b[p>>3] |= m
		} else {
			b[p>>3] &^= m
		}
	}
}

func signExtend(v uint64, n uint) int64 {
	if n < 64 && v&(1<<(n-1)) != 0 {
		v |= math.MaxUint64 << n
	}
	return int64(v)
}

// unsignedOverflow computes value+incr for an n-bit unsigned field and
// reports overflow; the result is wrapped or saturated per policy (FAIL
// leaves it meaningless).
func unsignedOverflow(value uint64, incr int64, n uint, policy int) (uint64, bool) {
	maxv := uint64(1)<<n - 1
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	switch {
	case value > maxv || (incr > 0 && incr > maxIncr):
		if policy == bfSat {
			return maxv, true
		}
	case incr < 0 && incr < minIncr:
		if policy == bfSat {
			return 0, true
		}
	default:
		return value + uint64(incr), false
	}
	return (value + uint64(incr)) & maxv, true
}

// signedOverflow is unsignedOverflow for n-bit two's complement fields.
func signedOverflow(value, incr int64, n uint, policy int) (int64, bool) {
	maxv := int64(math.MaxInt64)
	if n < 64 {
		maxv = 1<<(n-1) - 1
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := int64(uint64(minv) - uint64(value))
	switch {
	case value > maxv || (n != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if policy == bfSat {
			return maxv, true
		}
	case value < minv || (n != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if policy == bfSat {
			return minv, true
		}
	default:
		return value + incr, false
	}
	c := uint64(value) + uint64(incr)
	if n < 64 {
		if c&(1<<(n-1)) != 0 {
			c |= math.MaxUint64 << n
		} else {
			c &^= math.MaxUint64 << n
		}
	}
	return int64(c), true
}
