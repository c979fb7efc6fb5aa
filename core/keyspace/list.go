package keyspace

import "encoding/binary"

// List is the list type. Like Redis's quicklist it is a doubly linked
// list of nodes, each packing a bounded run of elements into one byte
// buffer, which keeps the cost per element at a few bytes and makes
// pushes and pops at either end O(1) (amortised).
//
// A node's live entries occupy buf[start:end]; free room may remain on
// both sides so that a node can grow towards the head as well as towards
// the tail without moving its contents. Each entry is
//
//	uvarint(len) | element bytes | reverse varint(len)
//
// so that entries can be walked from either end. The reverse varint is
// read backwards from the entry's last byte: each byte carries 7 bits,
// least significant group last, with the high bit set when more groups
// precede it (the flag lives on the byte read first, never on the data).
//
// Element slices returned by the accessors alias the node buffers: they
// are valid until the next change to the list and must not be modified.
type List struct {
	head, tail *listNode
	n          int
}

type listNode struct {
	prev, next *listNode
	buf        []byte
	start, end int
	count      int
}

// maxNodeBytes bounds the packed size of a node (Redis's default
// list-max-listpack-size of -2 means 8 KiB). A larger element gets a node
// of its own.
const maxNodeBytes = 8192

// minNodeCap is the smallest buffer allocated for a growing node.
const minNodeCap = 32

// newNodeCap is the initial size of a node added to a non-empty list.
const newNodeCap = 512

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Kind implements Typed.
func (l *List) Kind() Kind { return KindList }

// Encoding implements Typed: Redis 7.0 always reports quicklist.
func (l *List) Encoding() string { return "quicklist" }

// Len is the number of elements.
func (l *List) Len() int { return l.n }

// Copy implements Typed with a deep copy whose nodes are trimmed to size.
func (l *List) Copy() Typed {
	c := &List{n: l.n}
	for nd := l.head; nd != nil; nd = nd.next {
		used := nd.end - nd.start
		cp := &listNode{buf: make([]byte, used), end: used, count: nd.count}
		copy(cp.buf, nd.buf[nd.start:nd.end])
		c.linkBack(cp)
	}
	return c
}

// --- entry encoding ---

// uvarintLen is shared with the hash listpack (hash.go).

func entrySize(l int) int { return 2*uvarintLen(l) + l }

// putEntry encodes v into dst, which is exactly entrySize(len(v)) long.
func putEntry(dst []byte, v []byte) {
	h := binary.PutUvarint(dst, uint64(len(v)))
	copy(dst[h:], v)
	i := len(dst) - 1
	x := len(v)
	for {
		b := byte(x & 0x7f)
		x >>= 7
		if x != 0 {
			b |= 0x80
		}
		dst[i] = b
		if x == 0 {
			return
		}
		i--
	}
}

// readFwd decodes the entry starting at off; it returns the element and
// the offset just past the entry.
func readFwd(buf []byte, off int) ([]byte, int) {
	l, h := binary.Uvarint(buf[off:])
	s := off + h
	e := s + int(l)
	return buf[s:e:e], e + h
}

// readBack decodes the entry ending at end; it returns the element and
// the offset where the entry starts.
func readBack(buf []byte, end int) ([]byte, int) {
	i := end - 1
	b := buf[i]
	x := int(b & 0x7f)
	for shift := 7; b&0x80 != 0; shift += 7 {
		i--
		b = buf[i]
		x |= int(b&0x7f) << shift
	}
	k := end - i
	e := end - k
	s := e - x
	return buf[s:e:e], s - k
}

// --- node management ---

func (l *List) linkBack(nd *listNode) {
	nd.prev, nd.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = nd
	} else {
		l.head = nd
	}
	l.tail = nd
}

func (l *List) linkFront(nd *listNode) {
	nd.prev, nd.next = nil, l.head
	if l.head != nil {
		l.head.prev = nd
	} else {
		l.tail = nd
	}
	l.head = nd
}

func (l *List) linkAfter(at, nd *listNode) {
	nd.prev, nd.next = at, at.next
	if at.next != nil {
		at.next.prev = nd
	} else {
		l.tail = nd
	}
	at.next = nd
}

func (l *List) unlink(nd *listNode) {
	if nd.prev != nil {
		nd.prev.next = nd.next
	} else {
		l.head = nd.next
	}
	if nd.next != nil {
		nd.next.prev = nd.prev
	} else {
		l.tail = nd.prev
	}
	nd.prev, nd.next = nil, nil
}

// newNodeFor returns an empty node able to take an entry of sz bytes. The
// first node of a list is sized exactly (many lists stay small); a node
// added next to full ones starts larger, as more pushes are likely.
func (l *List) newNodeFor(sz int, front bool) *listNode {
	c := sz
	if l.head != nil {
		c = max(sz, newNodeCap)
	}
	nd := &listNode{buf: make([]byte, c)}
	if front {
		nd.start, nd.end = c, c
	}
	return nd
}

// fits reports whether an entry of sz bytes may be added to nd at the
// given end: either there is room on that side already, or the node is
// small enough to be worth growing or recentring.
func (nd *listNode) fits(sz int, front bool) bool {
	used := nd.end - nd.start
	if used+sz > maxNodeBytes {
		return false
	}
	if front && nd.start >= sz || !front && len(nd.buf)-nd.end >= sz {
		return true
	}
	return used+sz <= maxNodeBytes*3/4
}

// room makes sure nd has sz free bytes on the requested side, moving or
// reallocating its contents.
func (nd *listNode) room(sz int, front bool) {
	if front && nd.start >= sz || !front && len(nd.buf)-nd.end >= sz {
		return
	}
	used := nd.end - nd.start
	free := len(nd.buf) - used
	if free >= sz && (free >= len(nd.buf)/4 || len(nd.buf) >= maxNodeBytes) {
		// Enough room overall (the node is used at both ends):
		// recentre, giving the needed side sz plus half of the rest.
		side := sz + (free-sz)/2
		ns := free - side
		if front {
			ns = side
		}
		copy(nd.buf[ns:], nd.buf[nd.start:nd.end])
		nd.start, nd.end = ns, ns+used
		return
	}
	c := max(2*len(nd.buf), used+sz, minNodeCap)
	if c > maxNodeBytes {
		c = max(maxNodeBytes, used+sz)
	}
	nb := make([]byte, c)
	// The other side keeps its slack; the needed side gets the growth.
	ns := min(nd.start, c-used-sz)
	if front {
		ns = c - used - min(len(nd.buf)-nd.end, c-used-sz)
	}
	copy(nb[ns:], nd.buf[nd.start:nd.end])
	nd.buf, nd.start, nd.end = nb, ns, ns+used
}

// --- ends ---

// PushBack appends a copy of v.
func (l *List) PushBack(v []byte) {
	sz := entrySize(len(v))
	nd := l.tail
	if nd == nil || !nd.fits(sz, false) {
		nd = l.newNodeFor(sz, false)
		l.linkBack(nd)
	}
	nd.room(sz, false)
	putEntry(nd.buf[nd.end:nd.end+sz], v)
	nd.end += sz
	nd.count++
	l.n++
}

// PushFront prepends a copy of v.
func (l *List) PushFront(v []byte) {
	sz := entrySize(len(v))
	nd := l.head
	if nd == nil || !nd.fits(sz, true) {
		nd = l.newNodeFor(sz, true)
		l.linkFront(nd)
	}
	nd.room(sz, true)
	putEntry(nd.buf[nd.start-sz:nd.start], v)
	nd.start -= sz
	nd.count++
	l.n++
}

// PopFront removes and returns the first element.
func (l *List) PopFront() ([]byte, bool) {
	nd := l.head
	if nd == nil {
		return nil, false
	}
	v, next := readFwd(nd.buf, nd.start)
	nd.start = next
	nd.count--
	l.n--
	if nd.count == 0 {
		l.unlink(nd)
	}
	return v, true
}

// PopBack removes and returns the last element.
func (l *List) PopBack() ([]byte, bool) {
	nd := l.tail
	if nd == nil {
		return nil, false
	}
	v, prev := readBack(nd.buf, nd.end)
	nd.end = prev
	nd.count--
	l.n--
	if nd.count == 0 {
		l.unlink(nd)
	}
	return v, true
}

// TrimFront removes the first k elements (all when k >= Len).
func (l *List) TrimFront(k int) {
	for k > 0 && l.head != nil {
		nd := l.head
		if nd.count <= k {
			k -= nd.count
			l.n -= nd.count
			l.unlink(nd)
			continue
		}
		off := nd.start
		for i := 0; i < k; i++ {
			_, off = readFwd(nd.buf, off)
		}
		nd.start = off
		nd.count -= k
		l.n -= k
		nd.shrink()
		return
	}
}

// TrimBack removes the last k elements (all when k >= Len).
func (l *List) TrimBack(k int) {
	for k > 0 && l.tail != nil {
		nd := l.tail
		if nd.count <= k {
			k -= nd.count
			l.n -= nd.count
			l.unlink(nd)
			continue
		}
		off := nd.end
		for i := 0; i < k; i++ {
			_, off = readBack(nd.buf, off)
		}
		nd.end = off
		nd.count -= k
		l.n -= k
		nd.shrink()
		return
	}
}

// --- positions ---

// locate returns the node holding element i (0 <= i < Len) and the
// offset of that entry's start.
func (l *List) locate(i int) (*listNode, int) {
	var nd *listNode
	if i < l.n/2 {
		nd = l.head
		for i >= nd.count {
			i -= nd.count
			nd = nd.next
		}
	} else {
		j := l.n - 1 - i // index from the tail
		nd = l.tail
		for j >= nd.count {
			j -= nd.count
			nd = nd.prev
		}
		i = nd.count - 1 - j
	}
	if i <= nd.count/2 {
		off := nd.start
		for ; i > 0; i-- {
			_, off = readFwd(nd.buf, off)
		}
		return nd, off
	}
	off := nd.end
	for j := nd.count - i; j > 0; j-- {
		_, off = readBack(nd.buf, off)
	}
	return nd, off
}

// Index returns element i, counting from 0 at the head; negative i counts
// from the tail (-1 is the last element).
func (l *List) Index(i int) ([]byte, bool) {
	if i < 0 {
		i += l.n
	}
	if i < 0 || i >= l.n {
		return nil, false
	}
	nd, off := l.locate(i)
	v, _ := readFwd(nd.buf, off)
	return v, true
}

// Set replaces element i (negative counts from the tail) with a copy of
// v and reports whether i was in range.
func (l *List) Set(i int, v []byte) bool {
	if i < 0 {
		i += l.n
	}
	if i < 0 || i >= l.n {
		return false
	}
	nd, off := l.locate(i)
	_, next := readFwd(nd.buf, off)
	nd.splice(off, next-off, v, true)
	nd.shrink()
	l.split(nd)
	return true
}

// shrink releases a buffer left mostly empty (a big element replaced or
// removed, a trimmed node), as a listpack would be reallocated.
func (nd *listNode) shrink() {
	used := nd.end - nd.start
	if len(nd.buf) <= 1024 || used*4 >= len(nd.buf) {
		return
	}
	nb := make([]byte, used+used/4)
	copy(nb, nd.buf[nd.start:nd.end])
	nd.buf, nd.start, nd.end = nb, 0, used
}

// splice replaces the del bytes at off with the entry for v (or with
// nothing when !ins). v must not alias nd's buffer.
func (nd *listNode) splice(off, del int, v []byte, ins bool) {
	sz := 0
	if ins {
		sz = entrySize(len(v))
	}
	delta := sz - del
	switch {
	case delta <= 0 || nd.end+delta <= len(nd.buf):
		copy(nd.buf[off+sz:], nd.buf[off+del:nd.end])
		nd.end += delta
	case nd.start >= delta:
		copy(nd.buf[nd.start-delta:], nd.buf[nd.start:off])
		nd.start -= delta
		off -= delta
	default:
		used := nd.end - nd.start + delta
		nb := make([]byte, max(used, min(2*len(nd.buf), maxNodeBytes)))
		n := copy(nb, nd.buf[nd.start:off])
		copy(nb[n+sz:], nd.buf[off+del:nd.end])
		nd.buf, nd.start, nd.end = nb, 0, used
		off = n
	}
	if ins {
		putEntry(nd.buf[off:off+sz], v)
	}
}

// split halves nd, and the halves in turn, while it is larger than the
// node size and holds more than one element.
func (l *List) split(nd *listNode) {
	if nd.end-nd.start <= maxNodeBytes || nd.count < 2 {
		return
	}
	half := nd.count / 2
	off := nd.start
	for i := 0; i < half; i++ {
		_, off = readFwd(nd.buf, off)
	}
	used := nd.end - off
	nn := &listNode{buf: make([]byte, used), end: used, count: nd.count - half}
	copy(nn.buf, nd.buf[off:nd.end])
	nd.end = off
	nd.count = half
	l.linkAfter(nd, nn)
	l.split(nd)
	l.split(nn)
}

// Insert adds a copy of v before (or after) the first element equal to
// pivot, scanning from the head. It reports whether pivot was found.
func (l *List) Insert(pivot, v []byte, after bool) bool {
	for nd := l.head; nd != nil; nd = nd.next {
		for off := nd.start; off < nd.end; {
			e, next := readFwd(nd.buf, off)
			if string(e) == string(pivot) {
				at := off
				if after {
					at = next
				}
				nd.splice(at, 0, v, true)
				nd.count++
				l.n++
				l.split(nd)
				return true
			}
			off = next
		}
	}
	return false
}

// Remove deletes elements equal to v as LREM does: up to count of them
// from the head when count > 0, from the tail when count < 0, all of
// them when count == 0. It returns how many were removed.
func (l *List) Remove(v []byte, count int) int {
	limit := count
	if limit < 0 {
		limit = -limit
	}
	removed := 0
	if count >= 0 {
		for nd := l.head; nd != nil && (limit == 0 || removed < limit); {
			next := nd.next
			w := nd.start
			for r := nd.start; r < nd.end; {
				e, rn := readFwd(nd.buf, r)
				if string(e) == string(v) && (limit == 0 || removed < limit) {
					removed++
					nd.count--
				} else {
					if w != r {
						copy(nd.buf[w:], nd.buf[r:rn])
					}
					w += rn - r
				}
				r = rn
			}
			nd.end = w
			if nd.count == 0 {
				l.unlink(nd)
			} else {
				nd.shrink()
			}
			nd = next
		}
	} else {
		for nd := l.tail; nd != nil && removed < limit; {
			prev := nd.prev
			w := nd.end
			for r := nd.end; r > nd.start; {
				e, rp := readBack(nd.buf, r)
				if string(e) == string(v) && removed < limit {
					removed++
					nd.count--
				} else {
					if w != r {
						copy(nd.buf[w-(r-rp):], nd.buf[rp:r])
					}
					w -= r - rp
				}
				r = rp
			}
			nd.start = w
			if nd.count == 0 {
				l.unlink(nd)
			} else {
				nd.shrink()
			}
			nd = prev
		}
	}
	l.n -= removed
	return removed
}

// --- iteration ---

// ListIter walks a list in either direction. The list must not change
// while it is used.
type ListIter struct {
	nd  *listNode
	off int // forward: start of the next entry; reverse: its end
	rev bool
	val []byte
}

// Iter returns an iterator whose first Next yields element i (0 <= i <
// Len), moving towards the tail, or towards the head when rev.
func (l *List) Iter(i int, rev bool) ListIter {
	if i < 0 || i >= l.n {
		return ListIter{}
	}
	nd, off := l.locate(i)
	if rev {
		_, off = readFwd(nd.buf, off)
	}
	return ListIter{nd: nd, off: off, rev: rev}
}

// Next advances to the next element and reports whether there is one.
func (it *ListIter) Next() bool {
	nd := it.nd
	if nd == nil {
		return false
	}
	if !it.rev {
		if it.off >= nd.end {
			nd = nd.next
			if nd == nil {
				it.nd = nil
				return false
			}
			it.nd, it.off = nd, nd.start
		}
		it.val, it.off = readFwd(nd.buf, it.off)
		return true
	}
	if it.off <= nd.start {
		nd = nd.prev
		if nd == nil {
			it.nd = nil
			return false
		}
		it.nd, it.off = nd, nd.end
	}
	it.val, it.off = readBack(nd.buf, it.off)
	return true
}

// Value is the current element (valid until the list changes).
func (it *ListIter) Value() []byte { return it.val }

// MemoryUsage estimates the bytes used as Redis's MEMORY USAGE does for a
// quicklist: the list header plus the average size of up to samples
// nodes (0: all) times the number of nodes.
func (l *List) MemoryUsage(samples int64) int64 {
	const listHeader, nodeHeader = 40, 32
	var nodes, seen, size int64
	for nd := l.head; nd != nil; nd = nd.next {
		nodes++
		if samples == 0 || seen < samples {
			seen++
			size += nodeHeader + int64(cap(nd.buf))
		}
	}
	if seen == 0 {
		return listHeader
	}
	return listHeader + size*nodes/seen
}
