package rdbvalue

import (
	"bytes"
	"errors"
	"math"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

// ErrBadData reports a value that Redis would refuse to load (RESTORE
// replies "ERR Bad data format"): an unknown type, malformed or
// truncated data, an empty aggregate, duplicate members, NaN scores.
var ErrBadData = errors.New("rdbvalue: bad data format")

// Limits are the encoding thresholds applied to loaded values, read from
// the configuration (hash-max-listpack-entries and so on).
type Limits struct {
	HashMaxListpackEntries int64
	HashMaxListpackValue   int64
	SetMaxIntsetEntries    int64
	ZSetMaxListpackEntries int64
	ZSetMaxListpackValue   int64
}

// Load decodes the value of a DUMP payload whose footer was verified
// (rdb.VerifyPayload). As in Redis the value may run into the footer
// bytes, and bytes left between the value and the footer are ignored.
func Load(payload []byte, lim Limits) (any, error) {
	r := rdb.NewReader(payload)
	t, err := r.ReadType()
	if err != nil {
		return nil, ErrBadData
	}
	return ReadValue(r, t, lim)
}

// ReadValue decodes the body of a value of RDB type t into polyfn's
// in-memory types, choosing their encodings as Redis 7.0's rdbLoadObject
// does:
//
//   - TypeSet with more than SetMaxIntsetEntries members, or a
//     non-integer one, is a hashtable; TypeSetIntset converts beyond the
//     limit;
//   - TypeHash starts as listpack and converts beyond the entry count or
//     on a long field or value; TypeHashListpack (and ziplist hashes)
//     converts only beyond the entry count;
//   - TypeZSet/TypeZSet2 become listpack when within both limits;
//     TypeZSetListpack (and ziplist sets) converts only beyond the count;
//   - TypeStreamListpacks2 and TypeStreamListpacks are validated at least
//     as deeply as Redis's sanitize-dump-payload yes does (readStream).
//
// Results never alias the input. Every failure is ErrBadData.
func ReadValue(r *rdb.Reader, t byte, lim Limits) (any, error) {
	var v any
	var err error
	switch t {
	case TypeString:
		var s []byte
		if s, err = r.ReadString(); err == nil {
			v = bytes.Clone(s)
		}
	case TypeList:
		v, err = readLinkedList(r)
	case TypeListQuicklist2:
		v, err = readQuicklist2(r)
	case TypeListQuicklist:
		v, err = readQuicklistZiplist(r)
	case TypeListZiplist:
		v, err = readListZiplist(r)
	case TypeSet:
		v, err = readSet(r, lim)
	case TypeSetIntset:
		v, err = readIntset(r, lim)
	case TypeZSet, TypeZSet2:
		v, err = readZSet(r, t == TypeZSet2, lim)
	case TypeZSetListpack, TypeZSetZiplist:
		v, err = readZSetPacked(r, t == TypeZSetZiplist, lim)
	case TypeHash:
		v, err = readHash(r, lim)
	case TypeHashListpack, TypeHashZiplist:
		v, err = readHashPacked(r, t == TypeHashZiplist, lim)
	case TypeHashZipmap:
		v, err = readHashZipmap(r, lim)
	case TypeStreamListpacks, TypeStreamListpacks2:
		v, err = readStream(r, t == TypeStreamListpacks2)
	default:
		return nil, ErrBadData
	}
	if err != nil {
		return nil, ErrBadData
	}
	return v, nil
}

// readCount reads an element count; 0 is an error (Redis refuses empty
// keys).
func readCount(r *rdb.Reader) (uint64, error) {
	n, enc, err := r.ReadLen()
	if err != nil || enc || n == 0 {
		return 0, ErrBadData
	}
	return n, nil
}

func readLinkedList(r *rdb.Reader) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	l := keyspace.NewList()
	for ; n > 0; n-- {
		s, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		l.PushBack(s) // PushBack copies
	}
	return l, nil
}

func readQuicklist2(r *rdb.Reader) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	l := keyspace.NewList()
	var buf []byte
	for ; n > 0; n-- {
		c, enc, err := r.ReadLen()
		if err != nil || enc || c != containerPlain && c != containerPacked {
			return nil, ErrBadData
		}
		blob, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if c == containerPlain {
			l.PushBack(blob)
			continue
		}
		if _, err := WalkListpack(blob, func(e LPEntry) error {
			buf = e.AppendTo(buf[:0])
			l.PushBack(buf)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if l.Len() == 0 {
		return nil, ErrBadData
	}
	return l, nil
}

func readQuicklistZiplist(r *rdb.Reader) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	l := keyspace.NewList()
	var buf []byte
	for ; n > 0; n-- {
		blob, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if _, err := WalkZiplist(blob, func(e LPEntry) error {
			buf = e.AppendTo(buf[:0])
			l.PushBack(buf)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if l.Len() == 0 {
		return nil, ErrBadData
	}
	return l, nil
}

func readListZiplist(r *rdb.Reader) (any, error) {
	blob, err := r.ReadString()
	if err != nil {
		return nil, err
	}
	l := keyspace.NewList()
	var buf []byte
	if _, err := WalkZiplist(blob, func(e LPEntry) error {
		buf = e.AppendTo(buf[:0])
		l.PushBack(buf)
		return nil
	}); err != nil {
		return nil, err
	}
	if l.Len() == 0 {
		return nil, ErrBadData
	}
	return l, nil
}

func readSet(r *rdb.Reader, lim Limits) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	s := keyspace.NewSet()
	if n > uint64(max(lim.SetMaxIntsetEntries, 0)) {
		s.Convert()
	}
	for ; n > 0; n-- {
		m, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if !s.Add(m, math.MaxInt64) {
			return nil, ErrBadData // duplicate member
		}
	}
	return s, nil
}

func readIntset(r *rdb.Reader, lim Limits) (any, error) {
	blob, err := r.ReadString()
	if err != nil {
		return nil, err
	}
	vals, err := DecodeIntset(blob)
	if err != nil || len(vals) == 0 {
		return nil, ErrBadData
	}
	s := keyspace.NewSet()
	if int64(len(vals)) > lim.SetMaxIntsetEntries {
		s.Convert()
	}
	for _, v := range vals {
		s.AddInt(v, math.MaxInt64)
	}
	return s, nil
}

// readDouble reads a TypeZSet score: a length byte (253 NaN, 254 +inf,
// 255 -inf) and that many bytes of decimal text.
func readDouble(r *rdb.Reader) (float64, error) {
	l, err := r.ReadType()
	if err != nil {
		return 0, err
	}
	switch l {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := r.ReadRaw(int(l))
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(string(p), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, ErrBadData
	}
	return f, nil
}

func readZSet(r *rdb.Reader, binary bool, lim Limits) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	z := keyspace.NewZSet(true)
	maxLen := 0
	for ; n > 0; n-- {
		m, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		var score float64
		if binary {
			p, err := r.ReadRaw(8)
			if err != nil {
				return nil, err
			}
			score = math.Float64frombits(leUint64(p))
		} else if score, err = readDouble(r); err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, ErrBadData
		}
		if _, dup := z.Score(keyspace.Str(m)); dup {
			return nil, ErrBadData
		}
		z.Insert(string(m), score, math.MaxInt, math.MaxInt)
		maxLen = max(maxLen, len(m))
	}
	if int64(z.Len()) <= lim.ZSetMaxListpackEntries && int64(maxLen) <= lim.ZSetMaxListpackValue {
		z.ConvertToListpackIfFits(int(lim.ZSetMaxListpackEntries), int(lim.ZSetMaxListpackValue))
	}
	return z, nil
}

// walkPacked walks a listpack or, when ziplist, a ziplist.
func walkPacked(blob []byte, ziplist bool, fn func(LPEntry) error) (int, error) {
	if ziplist {
		return WalkZiplist(blob, fn)
	}
	return WalkListpack(blob, fn)
}

func readZSetPacked(r *rdb.Reader, ziplist bool, lim Limits) (any, error) {
	blob, err := r.ReadString()
	if err != nil {
		return nil, err
	}
	n, err := walkPacked(blob, ziplist, nil)
	if err != nil || n == 0 || n%2 != 0 {
		return nil, ErrBadData
	}
	z := keyspace.NewZSet(int64(n/2) > lim.ZSetMaxListpackEntries)
	var member []byte
	var prev keyspace.ZEntry
	i := 0
	_, err = walkPacked(blob, ziplist, func(e LPEntry) error {
		i++
		if i%2 == 1 {
			member = e.AppendTo(member[:0])
			return nil
		}
		score := float64(e.Int)
		if !e.IsInt {
			f, err := strconv.ParseFloat(string(e.Str), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
				return ErrBadData
			}
			score = f
		}
		m := keyspace.Str(member)
		// Members must be in (score, member) order, without duplicates.
		if i > 2 && !(prev.Score < score || prev.Score == score && prev.Member < m) {
			return ErrBadData
		}
		if _, dup := z.Score(m); dup {
			return ErrBadData
		}
		prev = keyspace.ZEntry{Member: string(member), Score: score}
		z.Insert(prev.Member, score, math.MaxInt, math.MaxInt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return z, nil
}

func readHash(r *rdb.Reader, lim Limits) (any, error) {
	n, err := readCount(r)
	if err != nil {
		return nil, err
	}
	h := keyspace.NewHash()
	if n > uint64(max(lim.HashMaxListpackEntries, 0)) {
		h.Convert()
	}
	for ; n > 0; n-- {
		f, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		v, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if h.IsListpack() && (int64(len(f)) > lim.HashMaxListpackValue || int64(len(v)) > lim.HashMaxListpackValue) {
			h.Convert()
		}
		if !h.Set(f, v, math.MaxInt64, math.MaxInt64) {
			return nil, ErrBadData // duplicate field
		}
	}
	return h, nil
}

func readHashPacked(r *rdb.Reader, ziplist bool, lim Limits) (any, error) {
	blob, err := r.ReadString()
	if err != nil {
		return nil, err
	}
	n, err := walkPacked(blob, ziplist, nil)
	if err != nil || n == 0 || n%2 != 0 {
		return nil, ErrBadData
	}
	h := keyspace.NewHash()
	if int64(n/2) > lim.HashMaxListpackEntries {
		h.Convert()
	}
	var field, val []byte
	i := 0
	_, err = walkPacked(blob, ziplist, func(e LPEntry) error {
		i++
		if i%2 == 1 {
			field = e.AppendTo(field[:0])
			return nil
		}
		val = e.AppendTo(val[:0])
		if !h.Set(field, val, math.MaxInt64, math.MaxInt64) {
			return ErrBadData
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func leUint64(p []byte) uint64 {
	_ = p[7]
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}
