package keyspace

import "sort"

// Score-ordered walks that jump: geo searches visit only the parts of a
// geohash cell that can hold matches, skipping the rest in O(log n)
// instead of stepping over every member.

// IterFrom starts a forward walk at the first member whose score is at
// least min.
func (z *ZSet) IterFrom(min float64) ZIter {
	it := ZIter{z: z}
	if z.sl != nil {
		it.n = z.sl.firstAtLeast(min)
		it.done = it.n == nil
		return it
	}
	it.i = sort.Search(len(z.lp), func(i int) bool { return z.lp[i].Score >= min })
	it.done = it.i >= len(z.lp)
	return it
}

// SkipTo moves a forward walk on to the first member not yet returned
// whose score is at least min (nothing when the next one already is).
// The cost grows with the logarithm of the distance skipped.
func (it *ZIter) SkipTo(min float64) {
	if it.done || it.rev {
		return
	}
	if it.z.sl == nil {
		lp := it.z.lp
		if it.i < len(lp) && lp[it.i].Score < min {
			it.i += sort.Search(len(lp)-it.i, func(j int) bool { return lp[it.i+j].Score >= min })
		}
		return
	}
	// A finger search from the next node: take the highest link of the
	// current node that stays below min; the nodes reached are at least
	// as tall as the link taken, so the search never has to come back up.
	x := it.n
	for x != nil && x.score < min {
		l := len(x.level) - 1
		for l >= 0 && (x.level[l].forward == nil || x.level[l].forward.score >= min) {
			l--
		}
		if l < 0 {
			x = x.level[0].forward
			break
		}
		x = x.level[l].forward
	}
	it.n = x
}

// firstAtLeast returns the first node whose score is at least min, or nil.
func (sl *skiplist) firstAtLeast(min float64) *zslNode {
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && f.score < min; f = x.level[i].forward {
			x = f
		}
	}
	return x.level[0].forward
}
