package keyspace

import "math/rand/v2"

// idList is an ordered map from stream IDs to values: a skiplist, so that
// insertion, removal and seeks are O(log n) and iteration from any point
// is O(1) per step. Streams index their nodes with it (appends happen at
// the tail, removals anywhere) and consumer groups keep their pending
// entries lists in it.
type idList[V any] struct {
	head  idNode[V] // sentinel; head.next[i] is the first node of level i
	tail  *idNode[V]
	level int
	n     int
}

type idNode[V any] struct {
	id   StreamID
	val  V
	prev *idNode[V]
	next []*idNode[V]
}

const idListMaxLevel = 32

func newIDList[V any]() *idList[V] {
	l := &idList[V]{level: 1}
	l.head.next = make([]*idNode[V], idListMaxLevel)
	return l
}

// Len is the number of keys.
func (l *idList[V]) Len() int { return l.n }

func randomLevel() int {
	lvl := 1
	for lvl < idListMaxLevel && rand.Uint32()&3 == 0 {
		lvl++
	}
	return lvl
}

// findUpdate fills update with, for every level, the last node whose id
// is < id, and returns the first node at level 0 with id >= id.
func (l *idList[V]) findUpdate(id StreamID, update *[idListMaxLevel]*idNode[V]) *idNode[V] {
	x := &l.head
	for i := l.level - 1; i >= 0; i-- {
		for x.next[i] != nil && x.next[i].id.Less(id) {
			x = x.next[i]
		}
		update[i] = x
	}
	return x.next[0]
}

// Set stores v under id, replacing any value there; it reports whether
// the key is new.
func (l *idList[V]) Set(id StreamID, v V) bool {
	// Fast path: appending after the tail (stream nodes, new PEL entries).
	var update [idListMaxLevel]*idNode[V]
	n := l.findUpdate(id, &update)
	if n != nil && n.id == id {
		n.val = v
		return false
	}
	lvl := randomLevel()
	if lvl > l.level {
		for i := l.level; i < lvl; i++ {
			update[i] = &l.head
		}
		l.level = lvl
	}
	nd := newIDNode[V](lvl)
	nd.id, nd.val = id, v
	for i := 0; i < lvl; i++ {
		nd.next[i] = update[i].next[i]
		update[i].next[i] = nd
	}
	if update[0] != &l.head {
		nd.prev = update[0]
	}
	if nd.next[0] != nil {
		nd.next[0].prev = nd
	} else {
		l.tail = nd
	}
	l.n++
	return true
}

// Get returns the value under id.
func (l *idList[V]) Get(id StreamID) (V, bool) {
	x := &l.head
	for i := l.level - 1; i >= 0; i-- {
		for x.next[i] != nil && x.next[i].id.Less(id) {
			x = x.next[i]
		}
	}
	if n := x.next[0]; n != nil && n.id == id {
		return n.val, true
	}
	var zero V
	return zero, false
}

// Delete removes id and reports whether it was there.
func (l *idList[V]) Delete(id StreamID) bool {
	var update [idListMaxLevel]*idNode[V]
	n := l.findUpdate(id, &update)
	if n == nil || n.id != id {
		return false
	}
	for i := 0; i < len(n.next); i++ {
		update[i].next[i] = n.next[i]
	}
	if n.next[0] != nil {
		n.next[0].prev = n.prev
	} else {
		l.tail = n.prev
	}
	for l.level > 1 && l.head.next[l.level-1] == nil {
		l.level--
	}
	l.n--
	return true
}

// First and Last return the extreme nodes (nil when empty).
func (l *idList[V]) First() *idNode[V] { return l.head.next[0] }
func (l *idList[V]) Last() *idNode[V]  { return l.tail }

// SeekGE returns the first node with id >= id.
func (l *idList[V]) SeekGE(id StreamID) *idNode[V] {
	x := &l.head
	for i := l.level - 1; i >= 0; i-- {
		for x.next[i] != nil && x.next[i].id.Less(id) {
			x = x.next[i]
		}
	}
	return x.next[0]
}

// SeekLE returns the last node with id <= id.
func (l *idList[V]) SeekLE(id StreamID) *idNode[V] {
	x := &l.head
	for i := l.level - 1; i >= 0; i-- {
		for x.next[i] != nil && !id.Less(x.next[i].id) {
			x = x.next[i]
		}
	}
	if x == &l.head {
		return nil
	}
	return x
}

// Next returns the following node (nil at the end).
func (n *idNode[V]) Next() *idNode[V] { return n.next[0] }

// newIDNode allocates a node with its forward pointers in the same
// allocation for the common low levels, so that a search step touches
// one cache line instead of two.
func newIDNode[V any](lvl int) *idNode[V] {
	switch lvl {
	case 1:
		x := &struct {
			n idNode[V]
			a [1]*idNode[V]
		}{}
		x.n.next = x.a[:]
		return &x.n
	case 2:
		x := &struct {
			n idNode[V]
			a [2]*idNode[V]
		}{}
		x.n.next = x.a[:]
		return &x.n
	case 3, 4:
		x := &struct {
			n idNode[V]
			a [4]*idNode[V]
		}{}
		x.n.next = x.a[:lvl]
		return &x.n
	}
	return &idNode[V]{next: make([]*idNode[V], lvl)}
}
