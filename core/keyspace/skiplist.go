package keyspace

import "math/rand/v2"

// The skiplist of the large sorted set encoding: Pugh's skiplist ordered
// by (score, member), with a span on every forward link (how many level-0
// steps it jumps) so that ranks are found in O(log n), and a backward link
// at level 0 for reverse iteration. Ranks here are 0-based.

const (
	zslMaxLevel  = 32
	zslThreshold = 0xFFFF / 4 // p = 1/4 per level
)

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	level    []zslLevel
	// l0 holds the single level of most nodes (3 in 4), saving an
	// allocation.
	l0 [1]zslLevel
}

type skiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int
}

func newSkiplist() *skiplist {
	h := &zslNode{}
	h.level = make([]zslLevel, zslMaxLevel)
	return &skiplist{header: h, level: 1}
}

func zslRandomLevel() int {
	l := 1
	for l < zslMaxLevel && rand.Uint32()&0xFFFF < zslThreshold {
		l++
	}
	return l
}

// less reports whether (s1, m1) sorts before (s2, m2).
func zless(s1 float64, m1 string, s2 float64, m2 string) bool {
	return s1 < s2 || (s1 == s2 && m1 < m2)
}

// insert adds a member known to be absent; member is stored as given.
func (sl *skiplist) insert(score float64, member string) *zslNode {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		if i < sl.level-1 {
			rank[i] = rank[i+1]
		}
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			rank[i] += x.level[i].span
			x = f
		}
		update[i] = x
	}
	lvl := zslRandomLevel()
	if lvl > sl.level {
		for i := sl.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = sl.header
			update[i].level[i].span = sl.length
		}
		sl.level = lvl
	}
	n := &zslNode{member: member, score: score}
	if lvl == 1 {
		n.level = n.l0[:]
	} else {
		n.level = make([]zslLevel, lvl)
	}
	for i := 0; i < lvl; i++ {
		n.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = n
		n.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.header {
		n.backward = update[0]
	}
	if n.level[0].forward != nil {
		n.level[0].forward.backward = n
	} else {
		sl.tail = n
	}
	sl.length++
	return n
}

func (sl *skiplist) unlink(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.header.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

// delete removes the node (score, member) and returns it, or nil.
func (sl *skiplist) delete(score float64, member string) *zslNode {
	var update [zslMaxLevel]*zslNode
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && zless(f.score, f.member, score, member); f = x.level[i].forward {
			x = f
		}
		update[i] = x
	}
	x = x.level[0].forward
	if x != nil && x.score == score && x.member == member {
		sl.unlink(x, &update)
		return x
	}
	return nil
}

// rank returns the 0-based rank of (score, member), or -1.
func (sl *skiplist) rank(score float64, member string) int {
	r := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && (f.score < score || (f.score == score && f.member <= member)); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
		if x != sl.header && x.member == member {
			return r - 1
		}
	}
	return -1
}

// byRank returns the node at 0-based rank r, or nil.
func (sl *skiplist) byRank(r int) *zslNode {
	if r < 0 || r >= sl.length {
		return nil
	}
	r++ // spans count from the header
	t := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && t+x.level[i].span <= r {
			t += x.level[i].span
			x = x.level[i].forward
		}
		if t == r {
			return x
		}
	}
	return nil
}

// countBefore returns how many nodes satisfy before (a predicate that is
// true for a prefix of the list).
func (sl *skiplist) countBefore(before func(n *zslNode) bool) int {
	r := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for f := x.level[i].forward; f != nil && before(f); f = x.level[i].forward {
			r += x.level[i].span
			x = f
		}
	}
	return r
}

// deleteRange unlinks the nodes of ranks [lo, hi) and calls fn for each.
func (sl *skiplist) deleteRange(lo, hi int, fn func(n *zslNode)) {
	var update [zslMaxLevel]*zslNode
	t := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && t+x.level[i].span <= lo {
			t += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	x = x.level[0].forward
	for r := lo; x != nil && r < hi; r++ {
		next := x.level[0].forward
		sl.unlink(x, &update)
		fn(x)
		x = next
	}
}
