package keyspace

import (
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/polyfn/polyfn/core/dict"
)

// ZSet is a sorted set: unique members ordered by (score, member bytes).
//
// Like Redis it has two encodings. The small one ("listpack") is a slice
// sorted by (score, member); it is used while the set has at most
// zset-max-listpack-entries members of at most zset-max-listpack-value
// bytes. Beyond that the set converts, for good, to the large one
// ("skiplist"): a skiplist with spans (ranks in O(log n)) plus a dict from
// member to skiplist node (scores in O(1), and ZSCAN's cursor).
//
// Ranks are 0-based positions in ascending order. Scores are never NaN.
// The small encoding stores -0 as 0, as Redis's listpack does.
type ZSet struct {
	lp   []ZEntry
	sl   *skiplist
	dict *dict.Dict[*zslNode]
}

// ZEntry is one member and its score.
type ZEntry struct {
	Member string
	Score  float64
}

// NewZSet returns an empty set in the small encoding, or in the large one
// when large is set.
func NewZSet(large bool) *ZSet {
	z := &ZSet{}
	if large {
		z.sl = newSkiplist()
		z.dict = dict.New[*zslNode]()
	}
	return z
}

func (z *ZSet) Kind() Kind { return KindZSet }

// Encoding is "listpack" or "skiplist".
func (z *ZSet) Encoding() string {
	if z.sl != nil {
		return "skiplist"
	}
	return "listpack"
}

// IsListpack reports whether the set uses the small encoding.
func (z *ZSet) IsListpack() bool { return z.sl == nil }

// Copy returns a deep copy in the same encoding.
func (z *ZSet) Copy() Typed {
	if z.sl == nil {
		return &ZSet{lp: append([]ZEntry(nil), z.lp...)}
	}
	c := NewZSet(true)
	for n := z.sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		c.insertLarge(n.member, n.score)
	}
	return c
}

// Len is the number of members.
func (z *ZSet) Len() int {
	if z.sl != nil {
		return z.sl.length
	}
	return len(z.lp)
}

func lpScore(f float64) float64 {
	if f == 0 {
		return 0 // the listpack keeps no negative zero
	}
	return f
}

// lpSearch returns the index where (score, member) is or would be.
func (z *ZSet) lpSearch(score float64, member string) int {
	return sort.Search(len(z.lp), func(i int) bool {
		e := &z.lp[i]
		return !zless(e.Score, e.Member, score, member)
	})
}

func (z *ZSet) lpFind(member string) int {
	for i := range z.lp {
		if z.lp[i].Member == member {
			return i
		}
	}
	return -1
}

// Score returns member's score.
func (z *ZSet) Score(member string) (float64, bool) {
	if z.sl != nil {
		n := z.dict.Get(member)
		if n == nil {
			return 0, false
		}
		return (*n).score, true
	}
	if i := z.lpFind(member); i >= 0 {
		return z.lp[i].Score, true
	}
	return 0, false
}

// Convert switches to the large encoding (nothing if already there).
func (z *ZSet) Convert() {
	if z.sl != nil {
		return
	}
	z.sl = newSkiplist()
	z.dict = dict.New[*zslNode]()
	for _, e := range z.lp {
		z.insertLarge(e.Member, e.Score)
	}
	z.lp = nil
}

// ConvertToListpackIfFits switches a large set back to the small encoding
// when it fits the limits (only the STORE commands do this, on results).
func (z *ZSet) ConvertToListpackIfFits(maxEntries, maxValue int) {
	if z.sl == nil || z.sl.length > maxEntries {
		return
	}
	lp := make([]ZEntry, 0, z.sl.length)
	for n := z.sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		if len(n.member) > maxValue {
			return
		}
		lp = append(lp, ZEntry{n.member, lpScore(n.score)})
	}
	z.lp, z.sl, z.dict = lp, nil, nil
}

func (z *ZSet) insertLarge(member string, score float64) {
	n := z.sl.insert(score, member)
	p, _ := z.dict.UpsertOwned(n.member)
	*p = n
}

// Insert adds member, which must be absent, converting first when the
// small encoding would exceed maxEntries members or maxValue bytes. The
// member is copied.
func (z *ZSet) Insert(member string, score float64, maxEntries, maxValue int) {
	if z.sl == nil && (len(z.lp)+1 > maxEntries || len(member) > maxValue) {
		z.Convert()
	}
	member = strings.Clone(member)
	if z.sl != nil {
		z.insertLarge(member, score)
		return
	}
	score = lpScore(score)
	i := z.lpSearch(score, member)
	z.lp = append(z.lp, ZEntry{})
	copy(z.lp[i+1:], z.lp[i:])
	z.lp[i] = ZEntry{member, score}
}

// SetScore changes the score of a present member.
func (z *ZSet) SetScore(member string, score float64) {
	if z.sl != nil {
		p := z.dict.Get(member)
		n := *p
		// Same position: update in place.
		if (n.backward == nil || zless(n.backward.score, n.backward.member, score, member)) &&
			(n.level[0].forward == nil || zless(score, member, n.level[0].forward.score, n.level[0].forward.member)) {
			n.score = score
			return
		}
		z.sl.delete(n.score, n.member)
		*p = z.sl.insert(score, n.member)
		return
	}
	i := z.lpFind(member)
	m := z.lp[i].Member
	z.lp = append(z.lp[:i], z.lp[i+1:]...)
	score = lpScore(score)
	j := z.lpSearch(score, m)
	z.lp = append(z.lp, ZEntry{})
	copy(z.lp[j+1:], z.lp[j:])
	z.lp[j] = ZEntry{m, score}
}

// Delete removes member and reports whether it was present.
func (z *ZSet) Delete(member string) bool {
	if z.sl != nil {
		p := z.dict.Get(member)
		if p == nil {
			return false
		}
		n := *p
		z.sl.delete(n.score, n.member)
		z.dict.Delete(member)
		return true
	}
	i := z.lpFind(member)
	if i < 0 {
		return false
	}
	z.lp = append(z.lp[:i], z.lp[i+1:]...)
	return true
}

// Rank returns member's 0-based ascending rank and score.
func (z *ZSet) Rank(member string) (int, float64, bool) {
	if z.sl != nil {
		p := z.dict.Get(member)
		if p == nil {
			return 0, 0, false
		}
		n := *p
		return z.sl.rank(n.score, n.member), n.score, true
	}
	i := z.lpFind(member)
	if i < 0 {
		return 0, 0, false
	}
	return i, z.lp[i].Score, true
}

// At returns the entry of rank r (0 <= r < Len).
func (z *ZSet) At(r int) ZEntry {
	if z.sl != nil {
		n := z.sl.byRank(r)
		return ZEntry{n.member, n.score}
	}
	return z.lp[r]
}

// ScoreRange is a score interval; MinEx / MaxEx make a bound exclusive.
type ScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

func (r *ScoreRange) belowMin(s float64) bool {
	if r.MinEx {
		return s <= r.Min
	}
	return s < r.Min
}

func (r *ScoreRange) atMostMax(s float64) bool {
	if r.MaxEx {
		return s < r.Max
	}
	return s <= r.Max
}

// LexBound is one end of a lexicographic range: '-' (Inf < 0), '+'
// (Inf > 0), or Value, inclusive unless Ex.
type LexBound struct {
	Value string
	Ex    bool
	Inf   int
}

// LexRange is a lexicographic interval of members.
type LexRange struct{ Min, Max LexBound }

func (r *LexRange) belowMin(m string) bool {
	switch {
	case r.Min.Inf < 0:
		return false
	case r.Min.Inf > 0:
		return true
	case r.Min.Ex:
		return m <= r.Min.Value
	}
	return m < r.Min.Value
}

func (r *LexRange) atMostMax(m string) bool {
	switch {
	case r.Max.Inf > 0:
		return true
	case r.Max.Inf < 0:
		return false
	case r.Max.Ex:
		return m < r.Max.Value
	}
	return m <= r.Max.Value
}

func (z *ZSet) countWhile(lpPred func(e *ZEntry) bool, slPred func(n *zslNode) bool) int {
	if z.sl != nil {
		return z.sl.countBefore(slPred)
	}
	return sort.Search(len(z.lp), func(i int) bool { return !lpPred(&z.lp[i]) })
}

// ScoreRanks returns the ranks [lo, hi) of the members within r; lo >= hi
// means none.
func (z *ZSet) ScoreRanks(r ScoreRange) (lo, hi int) {
	lo = z.countWhile(func(e *ZEntry) bool { return r.belowMin(e.Score) },
		func(n *zslNode) bool { return r.belowMin(n.score) })
	hi = z.countWhile(func(e *ZEntry) bool { return r.atMostMax(e.Score) },
		func(n *zslNode) bool { return r.atMostMax(n.score) })
	return lo, max(lo, hi)
}

// LexRanks returns the ranks [lo, hi) of the members within r, assuming
// (as Redis does) that all members have the same score.
func (z *ZSet) LexRanks(r LexRange) (lo, hi int) {
	lo = z.countWhile(func(e *ZEntry) bool { return r.belowMin(e.Member) },
		func(n *zslNode) bool { return r.belowMin(n.member) })
	hi = z.countWhile(func(e *ZEntry) bool { return r.atMostMax(e.Member) },
		func(n *zslNode) bool { return r.atMostMax(n.member) })
	return lo, max(lo, hi)
}

// DeleteRange removes the members of ranks [lo, hi).
func (z *ZSet) DeleteRange(lo, hi int) {
	lo, hi = max(lo, 0), min(hi, z.Len())
	if lo >= hi {
		return
	}
	if z.sl != nil {
		z.sl.deleteRange(lo, hi, func(n *zslNode) { z.dict.Delete(n.member) })
		return
	}
	z.lp = append(z.lp[:lo], z.lp[hi:]...)
}

// ZIter walks a sorted set from a rank, forward or in reverse. The set
// must not change during the walk.
type ZIter struct {
	z    *ZSet
	i    int
	n    *zslNode
	rev  bool
	done bool
}

// Iter starts a walk at rank r (toward higher ranks, or lower when rev).
func (z *ZSet) Iter(r int, rev bool) ZIter {
	it := ZIter{z: z, i: r, rev: rev}
	if r < 0 || r >= z.Len() {
		it.done = true
	} else if z.sl != nil {
		it.n = z.sl.byRank(r)
	}
	return it
}

// Next returns the next entry, or ok == false at the end.
func (it *ZIter) Next() (member string, score float64, ok bool) {
	if it.done {
		return "", 0, false
	}
	if it.z.sl != nil {
		n := it.n
		if n == nil {
			it.done = true
			return "", 0, false
		}
		if it.rev {
			it.n = n.backward
		} else {
			it.n = n.level[0].forward
		}
		return n.member, n.score, true
	}
	if it.i < 0 || it.i >= len(it.z.lp) {
		it.done = true
		return "", 0, false
	}
	e := it.z.lp[it.i]
	if it.rev {
		it.i--
	} else {
		it.i++
	}
	return e.Member, e.Score, true
}

// Random returns a uniformly chosen member (the set must not be empty).
func (z *ZSet) Random() ZEntry {
	if z.sl != nil {
		_, p, _ := z.dict.Random()
		return ZEntry{(*p).member, (*p).score}
	}
	return z.lp[rand.IntN(len(z.lp))]
}

// Scan visits the members of one dict bucket of a large set and returns
// the next cursor (see dict.Dict.Scan). A small set is visited whole and
// the cursor returned is 0.
func (z *ZSet) Scan(cursor uint64, fn func(member string, score float64)) uint64 {
	if z.sl == nil {
		for _, e := range z.lp {
			fn(e.Member, e.Score)
		}
		return 0
	}
	return z.dict.Scan(cursor, func(_ string, p **zslNode) { fn((*p).member, (*p).score) })
}
