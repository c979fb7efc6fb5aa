package rdb

import (
	"errors"
	"math"
	"sync"
)

// LZF stream format (liblzf):
//
//	000LLLLL <L+1 bytes>         literal run of L+1 (1..32) bytes
//	LLLooooo oooooooo            back reference of L+2 (3..8) bytes
//	111ooooo LLLLLLLL oooooooo   back reference of L+9 (9..264) bytes
//
// where the 13-bit o is the distance minus one from the output position
// back to the start of the copy.
const (
	lzfHashLog = 16                 // liblzf HLOG as Redis builds it
	lzfHashSz  = 1 << lzfHashLog    // hash table slots
	lzfMaxLit  = 1 << 5             // longest literal run
	lzfMaxOff  = 1 << 13            // farthest back reference
	lzfMaxRef  = 1<<8 + 1<<3        // longest back reference
	lzfMaxGain = lzfMaxRef / 3      // best output/input ratio of a stream
	lzfMaxIn   = math.MaxUint32 - 1 // positions are stored as uint32 + 1
)

// ErrLZF reports LZF data that does not decompress to the announced
// length: truncated, referring before the start of the output, or
// producing more or fewer bytes.
var ErrLZF = errors.New("rdb: invalid LZF compressed data")

// lzfTables recycles compressor hash tables. A table is returned all zero:
// CompressLZF clears exactly the slots it may have set.
var lzfTables = sync.Pool{New: func() any { return new([lzfHashSz]uint32) }}

// lzfIdx is liblzf's hash of the three bytes in the low 24 bits of h (its
// "VERY_FAST" variant), computed in 32-bit arithmetic as the C code does.
func lzfIdx(h uint32) uint32 {
	return (h>>(3*8-lzfHashLog) - h*5) & (lzfHashSz - 1)
}

// CompressLZF compresses src exactly as liblzf 3.6's lzf_compress does
// with Redis's build settings (HLOG 16, VERY_FAST, an empty hash table),
// into an output buffer of limit bytes. It returns the compressed bytes,
// or nil where lzf_compress returns 0: src is empty, limit is not
// positive, or the output does not fit in limit bytes by liblzf's own
// (slightly conservative) space checks. Inputs of 4 GiB or more are not
// compressed (nil).
//
// Redis stores a string compressed only when CompressLZF(s, len(s)-4)
// succeeds, so the limit is part of the observable format.
//
// Redis's lzf_compress leaves its hash table uninitialised; a stale entry
// left by an earlier call could in principle make it emit a different
// (equally valid) stream. That was never observed in the differential
// tests, which compare hundreds of DUMP payloads byte for byte.
func CompressLZF(src []byte, limit int) []byte {
	n := len(src)
	if n == 0 || limit <= 0 || uint64(n) > lzfMaxIn {
		return nil
	}
	tab := lzfTables.Get().(*[lzfHashSz]uint32)
	defer func() {
		// Every slot set holds a position p <= n-3; rehash them all.
		if n >= 3 {
			h := uint32(src[0])<<8 | uint32(src[1])
			for p := 0; p+2 < n; p++ {
				h = h<<8 | uint32(src[p+2])
				tab[lzfIdx(h)] = 0
			}
		}
		lzfTables.Put(tab)
	}()

	out := make([]byte, limit)
	ip, op, lit := 0, 1, 0 // op starts past the first run's header byte
	var hval uint32
	if n >= 2 {
		hval = uint32(src[0])<<8 | uint32(src[1])
	}
	for ip+2 < n {
		hval = hval<<8 | uint32(src[ip+2])
		slot := &tab[lzfIdx(hval)]
		ref := int(*slot) - 1 // -1: empty
		*slot = uint32(ip + 1)

		if ref > 0 && ip-ref-1 < lzfMaxOff &&
			src[ref+2] == src[ip+2] && src[ref] == src[ip] && src[ref+1] == src[ip+1] {
			off := ip - ref - 1
			maxlen := n - ip - 2
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}
			if op+4 >= limit {
				adj := op
				if lit == 0 {
					adj--
				}
				if adj+4 >= limit {
					return nil
				}
			}
			out[op-lit-1] = byte(lit - 1) // close the literal run
			if lit == 0 {
				op-- // it was empty: drop its header
			}

			// Extend the match. liblzf first compares up to 16 bytes
			// without the maxlen bound when maxlen > 16, so a match can
			// run to maxlen+2 (the very end of the input) when maxlen is
			// 17 or 18; that quirk is reproduced.
			l := 2
			unrolled := false
			if maxlen > 16 {
				for range 16 {
					l++
					if src[ref+l] != src[ip+l] {
						unrolled = true
						break
					}
				}
			}
			if !unrolled {
				for {
					l++
					if !(l < maxlen && src[ref+l] == src[ip+l]) {
						break
					}
				}
			}

			l -= 2 // encoded length: bytes copied minus 2
			ip++
			if l < 7 {
				out[op] = byte(off>>8 + l<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(l - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // and open the next literal run
			lit = 0

			ip += l + 1
			if ip+2 >= n {
				break
			}
			// Hash the two positions before the new ip (VERY_FAST).
			ip -= 2
			hval = uint32(src[ip])<<8 | uint32(src[ip+1])
			hval = hval<<8 | uint32(src[ip+2])
			tab[lzfIdx(hval)] = uint32(ip + 1)
			ip++
			hval = hval<<8 | uint32(src[ip+2])
			tab[lzfIdx(hval)] = uint32(ip + 1)
			ip++
		} else {
			if op >= limit {
				return nil
			}
			out[op] = src[ip]
			op++
			ip++
			lit++
			if lit == lzfMaxLit {
				out[op-lit-1] = byte(lit - 1)
				lit = 0
				op++
			}
		}
	}

	if op+3 > limit {
		return nil
	}
	for ip < n {
		out[op] = src[ip]
		op++
		ip++
		lit++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return out[:op:op]
}

// DecompressLZF decompresses the LZF stream src, which must produce
// exactly n bytes, and returns them. Any malformed stream (truncated,
// overflowing n, referring before the start of the output, or short of
// n) is ErrLZF; it never reads or writes out of bounds. Allocation is
// bounded by what src could possibly expand to, so a huge n with a short
// src fails without allocating n bytes.
//
// liblzf's lzf_decompress reports failure by returning 0, so Redis takes
// any stream as a valid empty string when n is 0; callers that must
// reproduce that (see Reader.ReadString) check n == 0 themselves.
func DecompressLZF(src []byte, n int) ([]byte, error) {
	if n < 0 || uint64(n) > uint64(len(src))*lzfMaxGain+lzfMaxGain {
		return nil, ErrLZF
	}
	out := make([]byte, n)
	ip, op := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 1<<5 { // literal run
			ctrl++
			if op+ctrl > n || ip+ctrl > len(src) {
				return nil, ErrLZF
			}
			copy(out[op:op+ctrl], src[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		l := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if ip >= len(src) {
			return nil, ErrLZF
		}
		if l == 7 {
			l += int(src[ip])
			ip++
			if ip >= len(src) {
				return nil, ErrLZF
			}
		}
		ref -= int(src[ip])
		ip++
		l += 2
		if op+l > n || ref < 0 {
			return nil, ErrLZF
		}
		// Byte by byte: the source may overlap what is being written.
		for i := range l {
			out[op+i] = out[ref+i]
		}
		op += l
	}
	if op != n {
		return nil, ErrLZF
	}
	return out, nil
}
