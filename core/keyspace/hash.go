package keyspace

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"github.com/polyfn/polyfn/core/dict"
)

// Hash is the hash type. Like Redis 7.0 it has two encodings:
//
//   - "listpack" while small: one byte buffer holding a 4-byte pair count,
//     then field, value, field, value... each as a uvarint length followed
//     by the bytes. It keeps
//     insertion order (HGETALL answers in that order); an update rewrites
//     the value in place and a deletion closes the gap, so the order of the
//     other pairs never changes. Lookups are linear, as in Redis, which is
//     cheap for the bounded sizes this form is used for.
//   - "hashtable" once it has more than hash-max-listpack-entries pairs or
//     a field or value longer than hash-max-listpack-value bytes: a
//     dict.Dict of strings, iterated in no defined order.
//
// The conversion is one-way. Slices returned by Get, Range, Scan and
// Random alias the hash's storage: they are valid until the next change
// and must not be modified.
type Hash struct {
	lp []byte // nil when empty
	ht *dict.Dict[string]
}

const lpHeader = 4 // little-endian uint32 pair count

func (h *Hash) count() int {
	if len(h.lp) == 0 {
		return 0
	}
	return int(binary.LittleEndian.Uint32(h.lp))
}

func (h *Hash) setCount(n int) { binary.LittleEndian.PutUint32(h.lp, uint32(n)) }

// NewHash returns an empty hash in the listpack encoding.
func NewHash() *Hash { return &Hash{} }

// Kind implements Typed.
func (h *Hash) Kind() Kind { return KindHash }

// Encoding implements Typed.
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

// Copy implements Typed with a deep copy in the same encoding.
func (h *Hash) Copy() Typed {
	c := &Hash{}
	if h.ht != nil {
		c.ht = dict.New[string]()
		h.ht.Range(func(k string, v *string) bool {
			c.ht.Set(k, *v)
			return true
		})
		return c
	}
	c.lp = bytes.Clone(h.lp)
	return c
}

// IsListpack reports whether the hash is in the small encoding.
func (h *Hash) IsListpack() bool { return h.ht == nil }

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.Len()
	}
	return h.count()
}

// lpNext decodes the element at off and returns it and the offset after it.
func lpNext(lp []byte, off int) (elem []byte, next int) {
	l, w := binary.Uvarint(lp[off:])
	start := off + w
	end := start + int(l)
	return lp[start:end:end], end
}

// lpFind returns the offsets of field's entry and of its value's entry, and
// the offset after the value, or ok == false.
func (h *Hash) lpFind(field []byte) (foff, voff, end int, ok bool) {
	lp := h.lp
	for off := lpHeader; off < len(lp); {
		f, v := lpNext(lp, off)
		_, e := lpNext(lp, v)
		if bytes.Equal(f, field) {
			return off, v, e, true
		}
		off = e
	}
	return 0, 0, 0, false
}

func uvarintLen(n int) int {
	w := 1
	for n >= 0x80 {
		n >>= 7
		w++
	}
	return w
}

// lpSplice replaces lp[from:to] with the encoding of elems.
func (h *Hash) lpSplice(from, to int, elems ...[]byte) {
	need := 0
	for _, e := range elems {
		need += uvarintLen(len(e)) + len(e)
	}
	newLen := len(h.lp) - (to - from) + need
	if newLen > cap(h.lp) {
		// Grow by a quarter rather than doubling: small hashes are many,
		// and their slack is memory Redis does not spend.
		nb := make([]byte, len(h.lp), newLen+newLen/4)
		copy(nb, h.lp)
		h.lp = nb
	}
	old := len(h.lp)
	h.lp = h.lp[:max(old, newLen)]
	copy(h.lp[from+need:], h.lp[to:old])
	h.lp = h.lp[:newLen]
	off := from
	for _, e := range elems {
		off += binary.PutUvarint(h.lp[off:], uint64(len(e)))
		off += copy(h.lp[off:], e)
	}
}

// Reserve makes room for extra more bytes of listpack data, so that a
// command adding several pairs grows the buffer once, to its exact size.
func (h *Hash) Reserve(extra int) {
	if h.ht != nil {
		return
	}
	if len(h.lp) == 0 {
		h.lp = make([]byte, lpHeader, lpHeader+extra)
		return
	}
	if cap(h.lp)-len(h.lp) < extra {
		nb := make([]byte, len(h.lp), len(h.lp)+extra)
		copy(nb, h.lp)
		h.lp = nb
	}
}

// Get returns the value of field.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.ht != nil {
		v := h.ht.Get(Str(field))
		if v == nil {
			return nil, false
		}
		return strBytes(*v), true
	}
	_, voff, _, ok := h.lpFind(field)
	if !ok {
		return nil, false
	}
	v, _ := lpNext(h.lp, voff)
	return v, true
}

// Exists reports whether field is present.
func (h *Hash) Exists(field []byte) bool {
	_, ok := h.Get(field)
	return ok
}

// Set stores value under field and reports whether the field is new.
// field and value are copied. A listpack hash converts to a hashtable
// first when field or value is longer than maxValue, and after the
// insertion or update when it holds more than maxEntries pairs.
func (h *Hash) Set(field, value []byte, maxEntries, maxValue int64) bool {
	if h.ht == nil && (int64(len(field)) > maxValue || int64(len(value)) > maxValue) {
		h.Convert()
	}
	if h.ht != nil {
		p, created := h.ht.Upsert(Str(field))
		*p = string(value)
		return created
	}
	if _, voff, end, ok := h.lpFind(field); ok {
		h.lpSplice(voff, end, value)
		// Redis checks the size after an update too: a hash left above a
		// lowered hash-max-listpack-entries converts on its next write.
		if int64(h.count()) > maxEntries {
			h.Convert()
		}
		return false
	}
	if len(h.lp) == 0 {
		h.lp = make([]byte, lpHeader, lpHeader+2+len(field)+len(value))
	}
	h.lpSplice(len(h.lp), len(h.lp), field, value)
	n := h.count() + 1
	h.setCount(n)
	if int64(n) > maxEntries {
		h.Convert()
	}
	return true
}

// TooLong reports whether any of args is longer than maxValue bytes (the
// check HSET makes on all its arguments before inserting any).
func TooLong(args [][]byte, maxValue int64) bool {
	for _, a := range args {
		if int64(len(a)) > maxValue {
			return true
		}
	}
	return false
}

// Delete removes field and reports whether it was present.
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		return h.ht.Delete(Str(field))
	}
	foff, _, end, ok := h.lpFind(field)
	if !ok {
		return false
	}
	h.lpSplice(foff, end)
	n := h.count() - 1
	h.setCount(n)
	if n == 0 {
		h.lp = nil
	}
	return true
}

// Convert switches a listpack hash to the hashtable encoding.
func (h *Hash) Convert() {
	if h.ht != nil {
		return
	}
	d := dict.New[string]()
	for off := lpHeader; off < len(h.lp); {
		f, v := lpNext(h.lp, off)
		val, e := lpNext(h.lp, v)
		d.Set(Str(f), string(val))
		off = e
	}
	h.ht = d
	h.lp = nil
}

// Range calls fn for every pair (insertion order for listpack, undefined
// for hashtable) until fn returns false. fn must not modify the hash.
func (h *Hash) Range(fn func(field, value []byte) bool) {
	if h.ht != nil {
		h.ht.Range(func(k string, v *string) bool { return fn(strBytes(k), strBytes(*v)) })
		return
	}
	for off := lpHeader; off < len(h.lp); {
		f, v := lpNext(h.lp, off)
		val, e := lpNext(h.lp, v)
		if !fn(f, val) {
			return
		}
		off = e
	}
}

// Pairs returns every pair in iteration order, as alternating fields and
// values (for random sampling of listpack hashes).
func (h *Hash) Pairs() [][]byte {
	out := make([][]byte, 0, 2*h.Len())
	h.Range(func(f, v []byte) bool {
		out = append(out, f, v)
		return true
	})
	return out
}

// Scan visits one bucket of a hashtable hash (see dict.Dict.Scan); it must
// not be called on a listpack hash.
func (h *Hash) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	return h.ht.Scan(cursor, func(k string, v *string) { fn(strBytes(k), strBytes(*v)) })
}

// Random returns a random pair of a non-empty hash.
func (h *Hash) Random() (field, value []byte) {
	if h.ht != nil {
		k, v, _ := h.ht.Random()
		return strBytes(k), strBytes(*v)
	}
	i := randN(h.count())
	off := lpHeader
	for ; i > 0; i-- {
		_, v := lpNext(h.lp, off)
		_, off = lpNext(h.lp, v)
	}
	f, v := lpNext(h.lp, off)
	val, _ := lpNext(h.lp, v)
	return f, val
}

// strBytes views s as bytes without copying; the result must not be
// modified.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
