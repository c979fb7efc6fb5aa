package rdbvalue

import (
	"encoding/binary"
	"errors"
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

// Ziplists and zipmaps are the compact encodings of RDB files written
// before Redis 7.0 (types 9, 10, 12, 13 and 14). Redis 7.0 still loads
// them, converting to listpacks, and so does ReadValue.
//
// A ziplist is
//
//	zlbytes (uint32 LE) | zltail (uint32 LE) | zllen (uint16 LE) |
//	entries... | 0xFF
//
// and each entry is prevlen (1 byte below 254, else 0xFE + uint32 LE),
// an encoding and its data:
//
//	00LLLLLL / 01LLLLLL LLLLLLLL / 10______ + uint32 BE   string
//	0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8
//	0xF1..0xFD immediate 0..12

// ErrZiplist reports a ziplist or zipmap blob that is not well formed.
var ErrZiplist = errors.New("rdbvalue: malformed ziplist")

const zlHeaderSize = 10

// WalkZiplist checks a ziplist's structure (sizes, terminator, prevlen
// chain, tail offset, count unless 65535) and calls fn for each entry in
// order. It returns the number of entries.
func WalkZiplist(zl []byte, fn func(LPEntry) error) (int, error) {
	if len(zl) < zlHeaderSize+1 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xFF {
		return 0, ErrZiplist
	}
	tail := int(binary.LittleEndian.Uint32(zl[4:]))
	want := int(binary.LittleEndian.Uint16(zl[8:]))
	end := len(zl) - 1
	p, prevSize, last, n := zlHeaderSize, 0, zlHeaderSize, 0
	for p < end {
		start := p
		var prev int
		if zl[p] < 254 {
			prev = int(zl[p])
			p++
		} else if zl[p] == 254 && end-p >= 5 {
			prev = int(binary.LittleEndian.Uint32(zl[p+1:]))
			p += 5
		} else {
			return n, ErrZiplist
		}
		if prev != prevSize {
			return n, ErrZiplist
		}
		e, size, ok := zlDecode(zl[p:end])
		if !ok {
			return n, ErrZiplist
		}
		p += size
		prevSize = p - start
		last = start
		n++
		if fn != nil {
			if err := fn(e); err != nil {
				return n, err
			}
		}
	}
	if tail != last || want != 65535 && want != n {
		return n, ErrZiplist
	}
	return n, nil
}

func zlDecode(p []byte) (LPEntry, int, bool) {
	if len(p) == 0 {
		return LPEntry{}, 0, false
	}
	b := p[0]
	var l, h int
	switch b >> 6 {
	case 0:
		l, h = int(b&0x3f), 1
	case 1:
		if len(p) < 2 {
			return LPEntry{}, 0, false
		}
		l, h = int(b&0x3f)<<8|int(p[1]), 2
	case 2:
		if len(p) < 5 {
			return LPEntry{}, 0, false
		}
		u := binary.BigEndian.Uint32(p[1:])
		if uint64(u) > uint64(len(p)) {
			return LPEntry{}, 0, false
		}
		l, h = int(u), 5
	default:
		var w int
		switch {
		case b == 0xC0:
			w = 2
		case b == 0xD0:
			w = 4
		case b == 0xE0:
			w = 8
		case b == 0xF0:
			w = 3
		case b == 0xFE:
			w = 1
		case b >= 0xF1 && b <= 0xFD:
			return LPEntry{Int: int64(b&0x0f) - 1, IsInt: true}, 1, true
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
		shift := uint(64 - 8*w)
		return LPEntry{Int: int64(u<<shift) >> shift, IsInt: true}, 1 + w, true
	}
	if len(p)-h < l {
		return LPEntry{}, 0, false
	}
	return LPEntry{Str: p[h : h+l : h+l]}, h + l, true
}

// zipmapLen reads a zipmap length: one byte below 254, or 254 and a
// uint32 LE.
func zipmapLen(p []byte) (int, int, bool) {
	if len(p) == 0 || p[0] == 255 {
		return 0, 0, false
	}
	if p[0] < 254 {
		return int(p[0]), 1, true
	}
	if len(p) < 5 {
		return 0, 0, false
	}
	return int(binary.LittleEndian.Uint32(p[1:])), 5, true
}

// readHashZipmap loads a TypeHashZipmap hash: zmlen (1 byte), then
// key length, key, value length, free byte count, value, free bytes...,
// then 0xFF. Redis converts it to a listpack, or to a hashtable beyond
// either listpack limit.
func readHashZipmap(r *rdb.Reader, lim Limits) (any, error) {
	zm, err := r.ReadString()
	if err != nil {
		return nil, err
	}
	if len(zm) < 2 || zm[len(zm)-1] != 255 {
		return nil, ErrZiplist
	}
	var pairs [][]byte
	maxLen := 0
	p := zm[1 : len(zm)-1]
	for len(p) > 0 {
		kl, w, ok := zipmapLen(p)
		if !ok || len(p)-w < kl {
			return nil, ErrZiplist
		}
		k := p[w : w+kl]
		p = p[w+kl:]
		vl, w, ok := zipmapLen(p)
		if !ok || len(p)-w < 1 {
			return nil, ErrZiplist
		}
		free := int(p[w])
		p = p[w+1:]
		if len(p) < vl || len(p)-vl < free {
			return nil, ErrZiplist
		}
		pairs = append(pairs, k, p[:vl])
		p = p[vl+free:]
		maxLen = max(maxLen, kl, vl)
	}
	if len(pairs) == 0 {
		return nil, ErrBadData
	}
	h := keyspace.NewHash()
	if int64(len(pairs)/2) > lim.HashMaxListpackEntries || int64(maxLen) > lim.HashMaxListpackValue {
		h.Convert()
	}
	for i := 0; i < len(pairs); i += 2 {
		if !h.Set(pairs[i], pairs[i+1], math.MaxInt64, math.MaxInt64) {
			return nil, ErrBadData
		}
	}
	return h, nil
}
