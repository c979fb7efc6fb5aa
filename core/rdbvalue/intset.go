package rdbvalue

import (
	"encoding/binary"
	"errors"
	"math"
)

// An intset blob, as Redis stores small all-integer sets:
//
//	encoding (uint32 LE: 2, 4 or 8 bytes per element) | length (uint32 LE) |
//	length elements, little-endian signed, strictly ascending

// ErrIntset reports an intset blob that is not well formed.
var ErrIntset = errors.New("rdbvalue: malformed intset")

// intsetWidth is the element width Redis picks for v (_intsetValueEncoding).
func intsetWidth(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return 8
	case v < math.MinInt16 || v > math.MaxInt16:
		return 4
	}
	return 2
}

// AppendIntset appends the intset blob of the ascending values vals, in
// the narrowest encoding that holds them all. (Redis never narrows an
// intset whose widest members were removed; such a set dumps wider
// there.)
func AppendIntset(dst []byte, vals []int64) []byte {
	w := 2
	if len(vals) > 0 {
		w = max(intsetWidth(vals[0]), intsetWidth(vals[len(vals)-1]))
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(w))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vals)))
	for _, v := range vals {
		switch w {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst
}

// DecodeIntset checks an intset blob (a known encoding, a size matching
// the length, strictly ascending elements) and returns its elements.
func DecodeIntset(blob []byte) ([]int64, error) {
	if len(blob) < 8 {
		return nil, ErrIntset
	}
	w := binary.LittleEndian.Uint32(blob)
	n := uint64(binary.LittleEndian.Uint32(blob[4:]))
	if w != 2 && w != 4 && w != 8 || uint64(len(blob)-8) != n*uint64(w) {
		return nil, ErrIntset
	}
	out := make([]int64, n)
	p := blob[8:]
	for i := range out {
		var v int64
		switch w {
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(p[2*i:])))
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(p[4*i:])))
		default:
			v = int64(binary.LittleEndian.Uint64(p[8*i:]))
		}
		if i > 0 && v <= out[i-1] {
			return nil, ErrIntset
		}
		out[i] = v
	}
	return out, nil
}
