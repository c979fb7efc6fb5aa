// Package rdbvalue encodes and decodes key values in Redis 7.0's RDB
// object format: the body of a DUMP payload and of each key in an RDB
// file. Writing picks the RDB type Redis 7.0 would for the value's
// encoding and produces Redis's bytes wherever the in-memory layout
// allows it (see WriteValue); reading accepts every object type Redis 7.0
// loads, validates it fully and never panics nor allocates more than the
// input can justify.
package rdbvalue

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"unsafe"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

// RDB object types (the byte before a value).
const (
	TypeString           = 0
	TypeList             = 1
	TypeSet              = 2
	TypeZSet             = 3
	TypeHash             = 4
	TypeZSet2            = 5
	TypeModulePreGA      = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18
	TypeStreamListpacks2 = 19
)

// Quicklist node containers in TypeListQuicklist2.
const (
	containerPlain  = 1
	containerPacked = 2
)

// Options are the settings that shape the bytes written.
type Options struct {
	// Compress is rdbcompression: strings longer than 20 bytes are LZF
	// compressed when that saves at least 4 bytes.
	Compress bool
	// ListFill is list-max-listpack-size: the quicklist node limit used
	// to split a list into listpacks (negative: -1..-5 for 4..64 KiB,
	// positive: an element count, bounded by 8 KiB).
	ListFill int
	// ListCompressDepth is list-compress-depth: when positive, the nodes
	// that many places away from both ends are LZF compressed as a
	// quicklist compresses them, and written in that form.
	ListCompressDepth int
}

// Dump returns the DUMP payload of v (a string as []byte, or a
// keyspace.Typed value): its RDB type byte and body, then the RDB version
// and CRC-64 footer.
func Dump(v any, opt Options) ([]byte, error) {
	w := rdb.NewWriter(nil, opt.Compress)
	if err := WriteValue(w, v, opt); err != nil {
		return nil, err
	}
	return rdb.AppendFooter(w.Bytes()), nil
}

// WriteValue appends v's RDB type byte and body, as rdbSaveObjectType and
// rdbSaveObject do in Redis 7.0:
//
//   - strings: TypeString, an RDB string (int-encoded or LZF when Redis
//     would);
//   - lists: TypeListQuicklist2, the elements split into listpack nodes as
//     a quicklist filled by RPUSH with opt.ListFill would split them
//     (byte-identical to Redis for lists built at the tail, and for every
//     list that fits one node);
//   - sets: TypeSetIntset (narrowest width) or TypeSet (members in our
//     hash order);
//   - sorted sets: TypeZSetListpack (members in score order, scores
//     formatted as Redis's d2string) or TypeZSet2 (from the highest
//     score down, binary doubles), both byte-identical to Redis;
//   - hashes: TypeHashListpack (insertion order, byte-identical) or
//     TypeHash (pairs in our hash order);
//   - streams: TypeStreamListpacks2, node by node (nodes split where
//     Redis's do, so byte-identical, groups in name order).
func WriteValue(w *rdb.Writer, v any, opt Options) error {
	switch x := v.(type) {
	case []byte:
		w.WriteType(TypeString)
		w.WriteString(x)
	case *keyspace.List:
		w.WriteType(TypeListQuicklist2)
		writeList(w, x, opt.ListFill, opt.ListCompressDepth)
	case *keyspace.Set:
		if x.IsIntset() {
			w.WriteType(TypeSetIntset)
			w.WriteString(AppendIntset(make([]byte, 0, 8+8*x.Len()), x.Ints()))
			return nil
		}
		w.WriteType(TypeSet)
		w.WriteLen(uint64(x.Len()))
		x.Range(func(m []byte) bool {
			w.WriteString(m)
			return true
		})
	case *keyspace.ZSet:
		writeZSet(w, x)
	case *keyspace.Hash:
		if x.IsListpack() {
			w.WriteType(TypeHashListpack)
			lp := NewListpack(0)
			x.Range(func(f, val []byte) bool {
				lp.Append(f)
				lp.Append(val)
				return true
			})
			w.WriteString(lp.Finish())
			return nil
		}
		w.WriteType(TypeHash)
		w.WriteLen(uint64(x.Len()))
		x.Range(func(f, val []byte) bool {
			w.WriteString(f)
			w.WriteString(val)
			return true
		})
	case *keyspace.Stream:
		writeStream(w, x)
	default:
		return errors.New("rdbvalue: unknown value type")
	}
	return nil
}

func writeZSet(w *rdb.Writer, z *keyspace.ZSet) {
	if z.IsListpack() {
		w.WriteType(TypeZSetListpack)
		lp := NewListpack(0)
		var buf [32]byte
		it := z.Iter(0, false)
		for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
			lp.Append([]byte(m))
			lp.Append(D2String(buf[:0], s))
		}
		w.WriteString(lp.Finish())
		return
	}
	w.WriteType(TypeZSet2)
	w.WriteLen(uint64(z.Len()))
	it := z.Iter(z.Len()-1, true)
	var d [8]byte
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		w.WriteString(strBytes(m))
		binary.LittleEndian.PutUint64(d[:], math.Float64bits(s))
		w.WriteRaw(d[:])
	}
}

// D2String appends v as Redis's d2string formats a score for a listpack:
// "nan", "inf", "-inf", "0" / "-0", integers in (-2^52, 2^52) in decimal,
// anything else as "%.17g".
func D2String(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "nan"...)
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case v > -4503599627370495 && v < 4503599627370496 && v == math.Trunc(v):
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return strconv.AppendFloat(dst, v, 'g', 17, 64)
}

// Quicklist node sizing (quicklist.c): the byte limits of negative fills
// (-1..-5; smaller fills use the last), the safety limit for count-based
// fills, and the per-entry overhead estimate.
var fillBytes = [...]int{4096, 8192, 16384, 32768, 65536}

const (
	nodeSafetyLimit      = 8192
	sizeEstimateOverhead = 8
)

// nodeAllows reports whether a quicklist node of lpBytes bytes and count
// entries may take one more element of sz bytes
// (_quicklistNodeAllowInsert and quicklistNodeExceedsLimit).
func nodeAllows(lpBytes, count, sz, fill int) bool {
	newSz := lpBytes + sz + sizeEstimateOverhead
	if fill < 0 {
		off := min(-fill-1, len(fillBytes)-1)
		return newSz <= fillBytes[off]
	}
	if newSz > nodeSafetyLimit {
		return false
	}
	return count+1 <= max(fill, 1)
}

// Quicklist node compression (__quicklistCompressNode): nodes smaller
// than minCompressBytes stay plain, and so do nodes that LZF does not
// shrink by more than minCompressImprove bytes.
const (
	minCompressBytes   = 48
	minCompressImprove = 8
)

func writeList(w *rdb.Writer, l *keyspace.List, fill, depth int) {
	var nodes [][]byte
	var cur *ListpackBuilder
	it := l.Iter(0, false)
	for it.Next() {
		v := it.Value()
		if cur == nil || !nodeAllows(cur.Bytes(), cur.Count(), len(v), fill) {
			if cur != nil {
				nodes = append(nodes, cur.Finish())
			}
			cur = NewListpack(0)
		}
		cur.Append(v)
	}
	if cur != nil {
		nodes = append(nodes, cur.Finish())
	}
	w.WriteLen(uint64(len(nodes)))
	for i, n := range nodes {
		w.WriteLen(containerPacked)
		if depth > 0 && i >= depth && i < len(nodes)-depth && len(n) >= minCompressBytes {
			if c := rdb.CompressLZF(n, len(n)); c != nil && len(c)+minCompressImprove < len(n) {
				w.WriteRaw([]byte{0xC3})
				w.WriteLen(uint64(len(c)))
				w.WriteLen(uint64(len(n)))
				w.WriteRaw(c)
				continue
			}
		}
		w.WriteString(n)
	}
}

// strBytes views s as bytes without copying; the result must not be
// modified.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
