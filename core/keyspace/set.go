package keyspace

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/polyfn/polyfn/core/dict"
)

// Set is the set type. Like Redis 7.0 it has two encodings:
//
//   - "intset" while every member is an integer in canonical form (what
//     Redis's string2ll accepts) and there are at most
//     set-max-intset-entries members: a sorted []int64, iterated in
//     ascending order.
//   - "hashtable" otherwise: a dict.Dict keyed by member, iterated in no
//     defined order.
//
// The conversion is one-way. Members handed to callbacks are valid only
// during the call and must not be modified.
type Set struct {
	ints []int64
	ht   *dict.Dict[struct{}]
}

// NewSet returns an empty set in the intset encoding; the first
// non-integer member converts it, as Redis creates a set by the type of
// its first member.
func NewSet() *Set { return &Set{} }

// Kind implements Typed.
func (s *Set) Kind() Kind { return KindSet }

// Encoding implements Typed.
func (s *Set) Encoding() string {
	if s.ht != nil {
		return "hashtable"
	}
	return "intset"
}

// Copy implements Typed with a deep copy in the same encoding.
func (s *Set) Copy() Typed {
	if s.ht != nil {
		d := dict.New[struct{}]()
		s.ht.Range(func(k string, _ *struct{}) bool {
			d.Set(k, struct{}{})
			return true
		})
		return &Set{ht: d}
	}
	return &Set{ints: slices.Clone(s.ints)}
}

// IsIntset reports whether the set is in the intset encoding.
func (s *Set) IsIntset() bool { return s.ht == nil }

// Ints returns the members of an intset set, ascending. The slice is the
// set's own storage: read only, valid until the next change.
func (s *Set) Ints() []int64 { return s.ints }

// Len returns the number of members.
func (s *Set) Len() int {
	if s.ht != nil {
		return s.ht.Len()
	}
	return len(s.ints)
}

// ParseInt reports whether b is an integer in the canonical form Redis's
// string2ll accepts (optional '-', no leading zeros or '+', within int64)
// and returns its value.
func ParseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > 20 {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		d := uint64(c - '0')
		if v > 1<<64-1-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// Add inserts member (copied) and reports whether it was new. An intset
// converts to a hashtable for a non-integer member, or once it holds more
// than maxIntset members.
func (s *Set) Add(member []byte, maxIntset int64) bool {
	if s.ht == nil {
		if v, ok := ParseInt(member); ok {
			return s.AddInt(v, maxIntset)
		}
		s.Convert()
	}
	return s.ht.Set(Str(member), struct{}{})
}

// AddInt is Add for an integer member.
func (s *Set) AddInt(v int64, maxIntset int64) bool {
	if s.ht != nil {
		var buf [20]byte
		return s.ht.Set(Str(strconv.AppendInt(buf[:0], v, 10)), struct{}{})
	}
	i, found := slices.BinarySearch(s.ints, v)
	if found {
		return false
	}
	s.ints = slices.Insert(s.ints, i, v)
	if int64(len(s.ints)) > maxIntset {
		s.Convert()
	}
	return true
}

// Has reports whether member is in the set.
func (s *Set) Has(member []byte) bool {
	if s.ht != nil {
		return s.ht.Get(Str(member)) != nil
	}
	v, ok := ParseInt(member)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, v)
	return found
}

// Remove deletes member and reports whether it was present.
func (s *Set) Remove(member []byte) bool {
	if s.ht != nil {
		return s.ht.Delete(Str(member))
	}
	v, ok := ParseInt(member)
	if !ok {
		return false
	}
	i, found := slices.BinarySearch(s.ints, v)
	if !found {
		return false
	}
	s.ints = slices.Delete(s.ints, i, i+1)
	if len(s.ints) == 0 {
		s.ints = nil
	}
	return true
}

// Convert switches an intset set to the hashtable encoding.
func (s *Set) Convert() {
	if s.ht != nil {
		return
	}
	d := dict.New[struct{}]()
	var buf [20]byte
	for _, v := range s.ints {
		d.Set(Str(strconv.AppendInt(buf[:0], v, 10)), struct{}{})
	}
	s.ht = d
	s.ints = nil
}

// Range calls fn for every member (ascending for intset, undefined for
// hashtable) until fn returns false. fn must not modify the set.
func (s *Set) Range(fn func(member []byte) bool) {
	if s.ht != nil {
		s.ht.Range(func(k string, _ *struct{}) bool { return fn(strBytes(k)) })
		return
	}
	buf := make([]byte, 0, 20)
	for _, v := range s.ints {
		if !fn(strconv.AppendInt(buf[:0], v, 10)) {
			return
		}
	}
}

// Members returns every member as a string, in iteration order.
func (s *Set) Members() []string {
	out := make([]string, 0, s.Len())
	if s.ht != nil {
		s.ht.Range(func(k string, _ *struct{}) bool {
			out = append(out, k)
			return true
		})
		return out
	}
	for _, v := range s.ints {
		out = append(out, strconv.FormatInt(v, 10))
	}
	return out
}

// Scan visits one bucket of a hashtable set (see dict.Dict.Scan); it must
// not be called on an intset set.
func (s *Set) Scan(cursor uint64, fn func(member string)) uint64 {
	return s.ht.Scan(cursor, func(k string, _ *struct{}) { fn(k) })
}

// Random returns a random member of a non-empty set, appending the text
// of an integer member to buf.
func (s *Set) Random(buf []byte) []byte {
	if s.ht != nil {
		k, _, _ := s.ht.Random()
		return strBytes(k)
	}
	return strconv.AppendInt(buf, s.ints[randN(len(s.ints))], 10)
}

// PopRandom removes a random member of a non-empty set and returns it
// (its own copy).
func (s *Set) PopRandom() string {
	if s.ht != nil {
		k, _, _ := s.ht.Random()
		s.ht.Delete(k)
		return k
	}
	i := randN(len(s.ints))
	v := s.ints[i]
	s.ints = slices.Delete(s.ints, i, i+1)
	return strconv.FormatInt(v, 10)
}

func randN(n int) int { return rand.IntN(n) }
