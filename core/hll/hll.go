// Package hll implements Redis's HyperLogLog string format and its
// cardinality estimator, bit for bit, so that HLL values move freely
// between polyfn and Redis (GET / SET / DUMP of the raw bytes).
//
// A HyperLogLog is a string: a 16-byte header ("HYLL", an encoding byte,
// three unused bytes, the cached cardinality as 8 little-endian bytes
// whose top bit marks the cache invalid) followed by the registers, either
// dense (16384 registers of 6 bits packed LSB first, 12288 bytes) or
// sparse (a run-length code of ZERO, XZERO and VAL opcodes). New values
// are sparse; they become dense when a register needs a value above 32 or
// when the sparse code would grow beyond hll-sparse-max-bytes.
//
// Functions that modify a value take and return the byte slice: the sparse
// code may grow or the value may be replaced by its dense form, so the
// caller must store the returned slice.
package hll

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// Format constants.
const (
	P         = 14          // register index bits
	Q         = 64 - P      // bits left for the run length
	Registers = 1 << P      // 16384
	bits      = 6           // bits per dense register
	regMax    = 1<<bits - 1 // 63
	HdrSize   = 16          // header bytes
	DenseSize = HdrSize + (Registers*bits+7)/8
	Dense     = 0 // encoding byte values
	Sparse    = 1

	spValMax   = 32    // largest value a VAL opcode holds
	spValLen   = 4     // longest run of a VAL opcode
	spZeroLen  = 64    // longest run of a ZERO opcode
	spXZeroLen = 16384 // longest run of an XZERO opcode

	seed     = 0xadc83b19
	alphaInf = 0.721347520444481703680 // 1 / (2 ln 2)
)

// Murmur64A is MurmurHash64A, the 64-bit MurmurHash2 variant Redis uses,
// reading the input as little-endian words.
func Murmur64A(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	n := len(key) &^ 7
	for i := 0; i < n; i += 8 {
		k := binary.LittleEndian.Uint64(key[i:])
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
	}
	tail := key[n:]
	if len(tail) > 0 {
		for i := len(tail) - 1; i >= 0; i-- {
			h ^= uint64(tail[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// patLen returns the register an element hashes to and the length of the
// 0...01 pattern that follows the index bits (1 to Q+1).
func patLen(ele []byte) (index int, count uint8) {
	h := Murmur64A(ele, seed)
	index = int(h & (Registers - 1))
	h >>= P
	h |= 1 << Q
	count = 1
	for bit := uint64(1); h&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

// New returns an empty HyperLogLog: sparse, one XZERO opcode covering all
// registers, cached cardinality 0 (valid).
func New() []byte {
	b := make([]byte, HdrSize+2, HdrSize+16)
	copy(b, "HYLL")
	b[4] = Sparse
	putXZero(b[HdrSize:], Registers)
	return b
}

// Valid reports whether b is acceptable as a HyperLogLog: long enough for
// the header, the magic, a known encoding, and the exact dense size.
func Valid(b []byte) bool {
	if len(b) < HdrSize || string(b[:4]) != "HYLL" || b[4] > Sparse {
		return false
	}
	return b[4] != Dense || len(b) == DenseSize
}

// IsSparse reports whether b uses the sparse encoding.
func IsSparse(b []byte) bool { return b[4] == Sparse }

// Cached returns the cached cardinality and whether it is valid.
func Cached(b []byte) (uint64, bool) {
	if b[15]&0x80 != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:16]), true
}

// SetCached stores card as the cached cardinality (marking it valid).
func SetCached(b []byte, card uint64) { binary.LittleEndian.PutUint64(b[8:16], card) }

// Invalidate marks the cached cardinality stale.
func Invalidate(b []byte) { b[15] |= 0x80 }

// Sparse opcodes.
func isZero(c byte) bool  { return c&0xc0 == 0 }
func isXZero(c byte) bool { return c&0xc0 == 0x40 }
func isVal(c byte) bool   { return c&0x80 != 0 }
func zeroLen(c byte) int  { return int(c&0x3f) + 1 }
func valLen(c byte) int   { return int(c&3) + 1 }
func valValue(c byte) int { return int(c>>2&0x1f) + 1 }
func valOp(val, n int) byte {
	return byte((val-1)<<2|(n-1)) | 0x80
}
func putXZero(p []byte, n int) {
	n--
	p[0] = byte(n>>8) | 0x40
	p[1] = byte(n)
}

// at returns b[i], or 0 past the end (Redis reads the string's terminator).
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}

func xzeroLen(b []byte, p int) int { return (int(b[p]&0x3f)<<8 | int(at(b, p+1))) + 1 }

// getReg and setReg access dense register i in regs (the bytes after the
// header).
func getReg(regs []byte, i int) uint8 {
	byt := i * bits / 8
	fb := uint(i * bits & 7)
	v := uint(regs[byt]) >> fb
	if byt+1 < len(regs) {
		v |= uint(regs[byt+1]) << (8 - fb)
	}
	return uint8(v & regMax)
}

func setReg(regs []byte, i int, val uint8) {
	byt := i * bits / 8
	fb := uint(i * bits & 7)
	v := uint(val)
	regs[byt] &^= byte(regMax << fb)
	regs[byt] |= byte(v << fb)
	if byt+1 < len(regs) {
		regs[byt+1] &^= byte(regMax >> (8 - fb))
		regs[byt+1] |= byte(v >> (8 - fb))
	}
}

// denseSet raises register index to count; it reports whether it changed.
func denseSet(regs []byte, index int, count uint8) bool {
	if count > getReg(regs, index) {
		setReg(regs, index, count)
		return true
	}
	return false
}

// Add adds ele to the HyperLogLog b. changed is 1 when a register was
// raised, 0 when not, -1 when b is a corrupt sparse value. The cache is
// not touched; callers invalidate it when something changed.
func Add(b []byte, ele []byte, sparseMax int) (out []byte, changed int) {
	index, count := patLen(ele)
	return Set(b, index, count, sparseMax)
}

// Set raises register index to count in b, as Add does for an element.
func Set(b []byte, index int, count uint8, sparseMax int) ([]byte, int) {
	switch b[4] {
	case Dense:
		if denseSet(b[HdrSize:], index, count) {
			return b, 1
		}
		return b, 0
	case Sparse:
		return sparseSet(b, index, count, sparseMax)
	}
	return b, -1
}

// ToDense converts a sparse value to the dense encoding (a dense value is
// returned as it is); ok is false when the sparse code is corrupt.
func ToDense(b []byte) (out []byte, ok bool) {
	if b[4] == Dense {
		return b, true
	}
	d := make([]byte, DenseSize)
	copy(d, b[:HdrSize])
	d[4] = Dense
	regs := d[HdrSize:]
	idx := 0
	for p := HdrSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			idx += zeroLen(c)
			p++
		case isXZero(c):
			idx += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), valValue(c)
			if idx+n > Registers {
				p = len(b) // overflow: corrupt
				break
			}
			for ; n > 0; n-- {
				setReg(regs, idx, uint8(v))
				idx++
			}
			p++
		}
	}
	if idx != Registers {
		return nil, false
	}
	return d, true
}

// sparseSet is Set on a sparse value: it finds the opcode covering index,
// splits it as needed, merges equal adjacent VAL opcodes and promotes the
// value to dense when count does not fit a VAL opcode or the code would
// grow beyond sparseMax bytes.
func sparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, int) {
	if count > spValMax {
		return promote(b, index, count)
	}
	if cap(b) < len(b)+3 {
		nb := make([]byte, len(b), len(b)+len(b)/2+8)
		copy(nb, b)
		b = nb
	}
	p, end := HdrSize, len(b)
	first, span, prev := 0, 0, -1
	for p < end {
		oplen := 1
		c := b[p]
		switch {
		case isZero(c):
			span = zeroLen(c)
		case isVal(c):
			span = valLen(c)
		default:
			span = xzeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, -1
	}
	c := b[p]
	next := p + 1
	if isXZero(c) {
		next = p + 2
	}
	if next >= end {
		next = -1
	}
	var runlen int
	switch {
	case isZero(c):
		runlen = zeroLen(c)
	case isXZero(c):
		runlen = xzeroLen(b, p)
	default:
		runlen = valLen(c)
		if uint8(valValue(c)) >= count {
			return b, 0
		}
		if runlen == 1 {
			b[p] = valOp(int(count), 1)
			return sparseMerge(b, prev, end), 1
		}
	}
	if isZero(c) && runlen == 1 {
		b[p] = valOp(int(count), 1)
		return sparseMerge(b, prev, end), 1
	}
	// General case: split the opcode into up to three.
	var seq [5]byte
	n := 0
	last := first + span - 1
	if !isVal(c) {
		if index != first {
			n += putZeros(seq[n:], index-first)
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			n += putZeros(seq[n:], last-index)
		}
	} else {
		cur := valValue(c)
		if index != first {
			seq[n] = valOp(cur, index-first)
			n++
		}
		seq[n] = valOp(int(count), 1)
		n++
		if index != last {
			seq[n] = valOp(cur, last-index)
			n++
		}
	}
	oldlen := 1
	if isXZero(c) {
		oldlen = 2
	}
	delta := n - oldlen
	if delta > 0 && len(b)+delta > sparseMax {
		return promote(b, index, count)
	}
	if delta != 0 && next >= 0 {
		grown := b[:end+max(delta, 0)]
		copy(grown[next+delta:], b[next:end])
	}
	b = b[:len(b)+delta]
	copy(b[p:], seq[:n])
	end += delta
	return sparseMerge(b, prev, end), 1
}

// putZeros writes a ZERO or XZERO opcode for n registers and returns its
// size.
func putZeros(p []byte, n int) int {
	if n > spZeroLen {
		putXZero(p, n)
		return 2
	}
	p[0] = byte(n - 1)
	return 1
}

// sparseMerge merges adjacent VAL opcodes of equal value, scanning up to
// five opcodes from prev (or the first one).
func sparseMerge(b []byte, prev, end int) []byte {
	p := HdrSize
	if prev >= 0 {
		p = prev
	}
	for scan := 5; p < end && scan > 0; scan-- {
		c := b[p]
		if isXZero(c) {
			p += 2
			continue
		}
		if isZero(c) {
			p++
			continue
		}
		if p+1 < end && isVal(b[p+1]) {
			v1, v2 := valValue(c), valValue(b[p+1])
			if v1 == v2 {
				if n := valLen(c) + valLen(b[p+1]); n <= spValLen {
					b[p+1] = valOp(v1, n)
					copy(b[p:], b[p+1:end])
					end--
					b = b[:end]
					continue
				}
			}
		}
		p++
	}
	return b
}

func promote(b []byte, index int, count uint8) ([]byte, int) {
	d, ok := ToDense(b)
	if !ok {
		return b, -1
	}
	denseSet(d[HdrSize:], index, count)
	return d, 1
}

// histogram counts the registers of b by value; ok is false for a
// corrupt sparse value.
func histogram(b []byte, h *[64]int) bool {
	switch b[4] {
	case Dense:
		r := b[HdrSize:]
		for j := 0; j < Registers/16; j++ {
			x := r[j*12 : j*12+12]
			h[x[0]&63]++
			h[(x[0]>>6|x[1]<<2)&63]++
			h[(x[1]>>4|x[2]<<4)&63]++
			h[(x[2]>>2)&63]++
			h[x[3]&63]++
			h[(x[3]>>6|x[4]<<2)&63]++
			h[(x[4]>>4|x[5]<<4)&63]++
			h[(x[5]>>2)&63]++
			h[x[6]&63]++
			h[(x[6]>>6|x[7]<<2)&63]++
			h[(x[7]>>4|x[8]<<4)&63]++
			h[(x[8]>>2)&63]++
			h[x[9]&63]++
			h[(x[9]>>6|x[10]<<2)&63]++
			h[(x[10]>>4|x[11]<<4)&63]++
			h[(x[11]>>2)&63]++
		}
		return true
	case Sparse:
		idx := 0
		for p := HdrSize; p < len(b); {
			c := b[p]
			switch {
			case isZero(c):
				n := zeroLen(c)
				idx += n
				h[0] += n
				p++
			case isXZero(c):
				n := xzeroLen(b, p)
				idx += n
				h[0] += n
				p += 2
			default:
				n := valLen(c)
				idx += n
				h[valValue(c)] += n
				p++
			}
		}
		return idx == Registers
	}
	return false
}

// Count estimates the cardinality of b from its registers (ignoring the
// cache); ok is false for a corrupt sparse value.
func Count(b []byte) (uint64, bool) {
	var h [64]int
	if !histogram(b, &h) {
		return 0, false
	}
	return estimate(&h), true
}

// Max is a register array for unions: one byte per register.
type Max [Registers]uint8

// Merge raises every register of m to the matching register of the
// HyperLogLog b; it reports false when b is a corrupt sparse value.
func (m *Max) Merge(b []byte) bool {
	if b[4] == Dense {
		// Eight 6-bit registers in every six bytes, least significant
		// bits first (as getReg reads them): spread into the eight bytes
		// of a word and raised bytewise without branches (the values are
		// below 64, so the bytes' top bits are free for the comparison).
		r := b[HdrSize : HdrSize+Registers*bits/8]
		for g := 0; g < Registers/8; g++ {
			s := r[6*g : 6*g+6]
			w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 | uint64(s[4])<<32 | uint64(s[5])<<40
			x := w&regMax | (w>>6&regMax)<<8 | (w>>12&regMax)<<16 | (w>>18&regMax)<<24 |
				(w>>24&regMax)<<32 | (w>>30&regMax)<<40 | (w>>36&regMax)<<48 | (w>>42)<<56
			y := binary.LittleEndian.Uint64(m[8*g:])
			ge := ((x | 0x8080808080808080) - y) & 0x8080808080808080 // x >= y
			mask := (ge >> 7) * 0xff
			binary.LittleEndian.PutUint64(m[8*g:], x&mask|y&^mask)
		}
		return true
	}
	i := 0
	for p := HdrSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			i += zeroLen(c)
			p++
		case isXZero(c):
			i += xzeroLen(b, p)
			p += 2
		default:
			n, v := valLen(c), uint8(valValue(c))
			if n+i > Registers {
				p = len(b)
				break
			}
			for ; n > 0; n-- {
				if v > m[i] {
					m[i] = v
				}
				i++
			}
			p++
		}
	}
	return i == Registers
}

// Count estimates the cardinality of the union held in m.
func (m *Max) Count() uint64 {
	var h [64]int
	for _, v := range m {
		h[v&63]++
	}
	return estimate(&h)
}

// Store writes the registers of m into the HyperLogLog b (raising only),
// as PFMERGE does, and returns the possibly reallocated value.
func (m *Max) Store(b []byte, sparseMax int) []byte {
	for j, v := range m {
		if v == 0 {
			continue
		}
		switch b[4] {
		case Dense:
			denseSet(b[HdrSize:], j, v)
		case Sparse:
			b, _ = sparseSet(b, j, v, sparseMax)
		}
	}
	return b
}

// estimate is Ertl's improved estimator ("New cardinality estimation
// algorithms for HyperLogLog sketches") over the register histogram, as
// Redis computes it. The float64 conversions keep each operation rounded
// on its own (no fused multiply-add).
func estimate(h *[64]int) uint64 {
	const m = float64(Registers)
	z := float64(m * tau(float64(m-float64(h[Q+1]))/m))
	for j := Q; j >= 1; j-- {
		z = float64(z + float64(h[j]))
		z *= 0.5
	}
	z = float64(z + float64(m*sigma(float64(h[0])/m)))
	return uint64(math.Round(float64(float64(alphaInf*m)*m) / z))
}

func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z = float64(z + float64(x*y))
		y += y
		if zp == z {
			return z
		}
	}
}

func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		d := 1 - x
		z = float64(z - float64(float64(d*d)*y))
		if zp == z {
			return z / 3
		}
	}
}

// DenseRegisters returns the 16384 register values of a dense value.
func DenseRegisters(b []byte) []uint8 {
	out := make([]uint8, Registers)
	r := b[HdrSize:]
	for i := range out {
		out[i] = getReg(r, i)
	}
	return out
}

// Decode describes a sparse value's opcodes as PFDEBUG DECODE prints them
// ("z:3 Z:16000 v:2,1 ...").
func Decode(b []byte) string {
	var sb strings.Builder
	for p := HdrSize; p < len(b); {
		c := b[p]
		switch {
		case isZero(c):
			sb.WriteString("z:")
			sb.WriteString(strconv.Itoa(zeroLen(c)))
			p++
		case isXZero(c):
			sb.WriteString("Z:")
			sb.WriteString(strconv.Itoa(xzeroLen(b, p)))
			p += 2
		default:
			sb.WriteString("v:")
			sb.WriteString(strconv.Itoa(valValue(c)))
			sb.WriteByte(',')
			sb.WriteString(strconv.Itoa(valLen(c)))
			p++
		}
		sb.WriteByte(' ')
	}
	return strings.TrimRight(sb.String(), " ")
}
