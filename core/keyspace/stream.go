package keyspace

import (
	"bytes"
	"encoding/binary"
	"strconv"
)

// StreamID is a stream entry ID: milliseconds and sequence number.
type StreamID struct{ Ms, Seq uint64 }

// MaxStreamID is the largest ID ("+").
var MaxStreamID = StreamID{^uint64(0), ^uint64(0)}

// Less orders IDs.
func (a StreamID) Less(b StreamID) bool { return a.Ms < b.Ms || (a.Ms == b.Ms && a.Seq < b.Seq) }

// Cmp returns -1, 0 or 1.
func (a StreamID) Cmp(b StreamID) int {
	switch {
	case a.Less(b):
		return -1
	case a == b:
		return 0
	}
	return 1
}

// IsZero reports whether the ID is 0-0.
func (a StreamID) IsZero() bool { return a.Ms == 0 && a.Seq == 0 }

// Incr returns the successor of a; ok is false when a is the largest ID
// (the result is then 0-0).
func (a StreamID) Incr() (StreamID, bool) {
	if a.Seq == ^uint64(0) {
		if a.Ms == ^uint64(0) {
			return StreamID{}, false
		}
		return StreamID{a.Ms + 1, 0}, true
	}
	return StreamID{a.Ms, a.Seq + 1}, true
}

// Decr returns the predecessor of a; ok is false when a is 0-0 (the
// result is then the largest ID).
func (a StreamID) Decr() (StreamID, bool) {
	if a.Seq == 0 {
		if a.Ms == 0 {
			return MaxStreamID, false
		}
		return StreamID{a.Ms - 1, ^uint64(0)}, true
	}
	return StreamID{a.Ms, a.Seq - 1}, true
}

// AppendTo appends "ms-seq".
func (a StreamID) AppendTo(b []byte) []byte {
	b = strconv.AppendUint(b, a.Ms, 10)
	b = append(b, '-')
	return strconv.AppendUint(b, a.Seq, 10)
}

func (a StreamID) String() string { return string(a.AppendTo(nil)) }

// Stream is a Redis stream. Like Redis it stores entries in "nodes" of up
// to stream-node-max-entries entries / stream-node-max-bytes bytes, each a
// compact byte buffer that delta-encodes IDs against the node's first
// (master) ID and omits field names equal to the master entry's. The
// nodes are indexed by their master ID in an ordered skiplist, so XADD is
// O(1) amortised at the tail (plus O(log n) for a new node), and seeks are
// O(log n). Deleted entries are flagged in place; a node whose entries are
// all deleted is removed.
//
// Node boundaries follow Redis's exactly (MAXLEN ~ trims whole nodes): the
// size Redis's listpack would have is tracked alongside (lpBytes).
type Stream struct {
	index        *idList[*streamNode]
	length       uint64
	LastID       StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	groups       *groupSet
}

// Entry flags.
const (
	sfDeleted = 1 << iota
	sfSameFields
)

// streamNode is one node. Each entry in buf is:
//
//	flags byte | uvarint ms delta | zigzag varint seq delta |
//	[uvarint nfields, (uvarint len, field, uvarint len, value)*]   (no samefields)
//	[(uvarint len, value)*]                                         (samefields)
//	entry length (of the part above) as a byte-reversed uvarint
//
// so that entries can be walked in both directions.
type streamNode struct {
	master  StreamID
	last    StreamID // the last entry appended, deleted or not
	fields  [][]byte // the master entry's field names
	buf     []byte
	live    int
	deleted int
	lpRest  int // Redis listpack size without the count / deleted elements
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{index: newIDList[*streamNode]()} }

func (s *Stream) Kind() Kind { return KindStream }

// Encoding is "stream".
func (s *Stream) Encoding() string { return "stream" }

// Len is the number of entries.
func (s *Stream) Len() uint64 { return s.length }

// Copy returns a deep copy (groups and pending lists included).
func (s *Stream) Copy() Typed {
	c := NewStream()
	c.length, c.LastID, c.MaxDeletedID, c.EntriesAdded = s.length, s.LastID, s.MaxDeletedID, s.EntriesAdded
	for n := s.index.First(); n != nil; n = n.Next() {
		nd := *n.val
		nd.buf = bytes.Clone(nd.buf)
		c.index.Set(n.id, &nd)
	}
	if s.groups != nil {
		c.groups = s.groups.copy()
	}
	return c
}

// lpIntSize is the size of an integer element in a Redis listpack.
func lpIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 2
	case v >= -4096 && v <= 4095:
		return 3
	case v >= -32768 && v <= 32767:
		return 4
	case v >= -8388608 && v <= 8388607:
		return 5
	case v >= -2147483648 && v <= 2147483647:
		return 6
	}
	return 10
}

// lpStrSize is the size of a string element in a Redis listpack (strings
// that read as integers are stored as integers).
func lpStrSize(b []byte) int {
	if len(b) > 0 && len(b) <= 20 {
		if v, ok := ParseInt(b); ok {
			return lpIntSize(v)
		}
	}
	l := len(b)
	var n int
	switch {
	case l < 64:
		n = 1 + l
	case l < 4096:
		n = 2 + l
	default:
		n = 5 + l
	}
	switch {
	case n < 128:
		return n + 1
	case n < 16384:
		return n + 2
	case n < 2097152:
		return n + 3
	case n < 268435456:
		return n + 4
	}
	return n + 5
}

func (n *streamNode) lpBytes() int {
	return n.lpRest + lpIntSize(int64(n.live)) + lpIntSize(int64(n.deleted))
}

// StreamListpackMaxSize caps node sizes as Redis does.
const StreamListpackMaxSize = 1 << 30

// Append adds an entry with the given ID (the caller checked it is greater
// than LastID) and field/value pairs (alternating, copied). maxBytes and
// maxEntries are stream-node-max-bytes / -entries.
func (s *Stream) Append(id StreamID, pairs [][]byte, maxBytes, maxEntries int64) {
	nf := len(pairs) / 2
	tot := 0
	for _, p := range pairs {
		tot += len(p)
	}
	var n *streamNode
	if last := s.index.Last(); last != nil {
		n = last.val
		if maxBytes <= 0 || maxBytes > StreamListpackMaxSize {
			maxBytes = StreamListpackMaxSize
		}
		if int64(n.lpBytes()+tot) >= maxBytes || (maxEntries != 0 && int64(n.live+n.deleted) >= maxEntries) {
			n = nil
		}
	}
	flags := byte(0)
	if n == nil {
		n = &streamNode{master: id}
		n.fields = make([][]byte, nf)
		n.lpRest = 7 + lpIntSize(int64(nf)) + lpIntSize(0)
		for i := 0; i < nf; i++ {
			n.fields[i] = bytes.Clone(pairs[2*i])
			n.lpRest += lpStrSize(pairs[2*i])
		}
		s.index.Set(id, n)
		flags = sfSameFields
	} else if nf == len(n.fields) {
		flags = sfSameFields
		for i := 0; i < nf; i++ {
			if !bytes.Equal(pairs[2*i], n.fields[i]) {
				flags = 0
				break
			}
		}
	}
	msd := int64(id.Ms - n.master.Ms)
	seqd := int64(id.Seq - n.master.Seq)
	start := len(n.buf)
	b := append(n.buf, flags)
	b = binary.AppendUvarint(b, uint64(msd))
	b = binary.AppendVarint(b, seqd)
	lpCount := int64(nf + 3)
	n.lpRest += lpIntSize(int64(flags)) + lpIntSize(msd) + lpIntSize(seqd)
	if flags&sfSameFields == 0 {
		b = binary.AppendUvarint(b, uint64(nf))
		n.lpRest += lpIntSize(int64(nf))
		lpCount += int64(nf) + 1
	}
	for i := 0; i < nf; i++ {
		if flags&sfSameFields == 0 {
			b = binary.AppendUvarint(b, uint64(len(pairs[2*i])))
			b = append(b, pairs[2*i]...)
			n.lpRest += lpStrSize(pairs[2*i])
		}
		b = binary.AppendUvarint(b, uint64(len(pairs[2*i+1])))
		b = append(b, pairs[2*i+1]...)
		n.lpRest += lpStrSize(pairs[2*i+1])
	}
	n.lpRest += lpIntSize(lpCount)
	b = appendRevUvarint(b, uint64(len(b)-start))
	n.buf = b
	n.live++
	n.last = id
	s.length++
	s.EntriesAdded++
	s.LastID = id
}

func appendRevUvarint(b []byte, v uint64) []byte {
	var tmp [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(tmp[:], v)
	for i := k - 1; i >= 0; i-- {
		b = append(b, tmp[i])
	}
	return b
}

// readRevUvarint reads the byte-reversed uvarint ending at end; it returns
// the value and the offset where it starts.
func readRevUvarint(b []byte, end int) (uint64, int) {
	var v uint64
	var shift uint
	i := end - 1
	for {
		c := b[i]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, i
		}
		shift += 7
		i--
	}
}

// StreamEntry is a view of one entry during an iteration; it is valid
// until the iteration moves on.
type StreamEntry struct {
	ID    StreamID
	node  *streamNode
	flags byte
	pos   int // offset of the entry start in node.buf
	body  int // offset of the first field (or value) in node.buf
	end   int // offset just past the entry (trailer included)
	nf    int
}

// NumFields is the number of field/value pairs.
func (e *StreamEntry) NumFields() int { return e.nf }

// Fields calls fn for each field/value pair in order.
func (e *StreamEntry) Fields(fn func(f, v []byte)) {
	b := e.node.buf
	p := e.body
	for i := 0; i < e.nf; i++ {
		var f []byte
		if e.flags&sfSameFields != 0 {
			f = e.node.fields[i]
		} else {
			l, k := binary.Uvarint(b[p:])
			p += k
			f = b[p : p+int(l)]
			p += int(l)
		}
		l, k := binary.Uvarint(b[p:])
		p += k
		fn(f, b[p:p+int(l)])
		p += int(l)
	}
}

// decodeAt decodes the entry starting at pos.
func (n *streamNode) decodeAt(pos int, e *StreamEntry) {
	b := n.buf
	e.node = n
	e.pos = pos
	e.flags = b[pos]
	p := pos + 1
	msd, k := binary.Uvarint(b[p:])
	p += k
	seqd, k := binary.Varint(b[p:])
	p += k
	e.ID = StreamID{n.master.Ms + msd, n.master.Seq + uint64(seqd)}
	if e.flags&sfSameFields != 0 {
		e.nf = len(n.fields)
	} else {
		nf, k := binary.Uvarint(b[p:])
		p += k
		e.nf = int(nf)
	}
	e.body = p
	// Skip the body to find the end.
	for i := 0; i < e.nf; i++ {
		if e.flags&sfSameFields == 0 {
			l, k := binary.Uvarint(b[p:])
			p += k + int(l)
		}
		l, k := binary.Uvarint(b[p:])
		p += k + int(l)
	}
	e.end = p + uvarintLen(p-pos) // then the reversed length
}

// prevStart returns the start offset of the entry ending at end.
func (n *streamNode) prevStart(end int) int {
	l, at := readRevUvarint(n.buf, end)
	return at - int(l)
}

// Range calls fn for each live entry with start <= ID <= end, ascending
// (or descending when rev), until fn returns false.
func (s *Stream) Range(start, end StreamID, rev bool, fn func(e *StreamEntry) bool) {
	if end.Less(start) || s.length == 0 {
		return
	}
	var e StreamEntry
	if !rev {
		nd := s.index.SeekLE(start)
		if nd == nil {
			nd = s.index.First()
		}
		for ; nd != nil; nd = nd.Next() {
			n := nd.val
			if end.Less(n.master) {
				return
			}
			if n.last.Less(start) {
				continue
			}
			for pos := 0; pos < len(n.buf); pos = e.end {
				n.decodeAt(pos, &e)
				if e.flags&sfDeleted != 0 || e.ID.Less(start) {
					continue
				}
				if end.Less(e.ID) {
					return
				}
				if !fn(&e) {
					return
				}
			}
		}
		return
	}
	nd := s.index.SeekLE(end)
	for ; nd != nil; nd = nd.prev {
		n := nd.val
		if n.last.Less(start) {
			return
		}
		for endOff := len(n.buf); endOff > 0; {
			pos := n.prevStart(endOff)
			n.decodeAt(pos, &e)
			endOff = pos
			if e.flags&sfDeleted != 0 || end.Less(e.ID) {
				continue
			}
			if e.ID.Less(start) {
				return
			}
			if !fn(&e) {
				return
			}
		}
	}
}

// Lookup reports whether a live entry id exists.
func (s *Stream) Lookup(id StreamID) bool {
	found := false
	s.Range(id, id, false, func(*StreamEntry) bool { found = true; return false })
	return found
}

// FirstID returns the first live entry's ID (0-0 when empty).
func (s *Stream) FirstID() StreamID {
	var id StreamID
	s.Range(StreamID{}, MaxStreamID, false, func(e *StreamEntry) bool { id = e.ID; return false })
	return id
}

// LastLiveID returns the last live entry's ID (0-0 when empty).
func (s *Stream) LastLiveID() StreamID {
	var id StreamID
	s.Range(StreamID{}, MaxStreamID, true, func(e *StreamEntry) bool { id = e.ID; return false })
	return id
}

// markDeleted flags entry e (decoded from node nd) deleted, removing the
// node when it was its last live entry.
func (s *Stream) markDeleted(nd *idNode[*streamNode], e *StreamEntry) {
	n := nd.val
	n.buf[e.pos] |= sfDeleted
	n.live--
	n.deleted++
	s.length--
	if n.live == 0 {
		s.index.Delete(nd.id)
	}
}

// Delete removes the live entry id and reports whether it existed.
func (s *Stream) Delete(id StreamID) bool {
	nd := s.index.SeekLE(id)
	if nd == nil || nd.val.last.Less(id) {
		return false
	}
	n := nd.val
	var e StreamEntry
	for pos := 0; pos < len(n.buf); pos = e.end {
		n.decodeAt(pos, &e)
		if e.ID == id {
			if e.flags&sfDeleted != 0 {
				return false
			}
			s.markDeleted(nd, &e)
			return true
		}
		if id.Less(e.ID) {
			return false
		}
	}
	return false
}

// Trim strategies.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are XADD's / XTRIM's trimming options.
type TrimArgs struct {
	Strategy int
	MaxLen   int64
	MinID    StreamID
	Approx   bool
	Limit    int64 // 0: no limit
}

// Trim removes entries from the head as Redis's streamTrim does (whole
// nodes first; with Approx only whole nodes) and returns how many.
func (s *Stream) Trim(a TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for nd := s.index.First(); nd != nil; {
		if a.Strategy == TrimMaxLen && s.length <= uint64(a.MaxLen) {
			break
		}
		n := nd.val
		entries := int64(n.live)
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = int64(s.length)-entries >= a.MaxLen
		} else {
			remove = n.last.Less(a.MinID)
		}
		if remove {
			next := nd.Next()
			s.index.Delete(nd.id)
			s.length -= uint64(entries)
			deleted += entries
			nd = next
			continue
		}
		if a.Approx {
			break
		}
		var e StreamEntry
		for pos := 0; pos < len(n.buf); pos = e.end {
			n.decodeAt(pos, &e)
			if a.Strategy == TrimMaxLen {
				if s.length <= uint64(a.MaxLen) {
					break
				}
			} else if !e.ID.Less(a.MinID) {
				break
			}
			if e.flags&sfDeleted == 0 {
				n.buf[e.pos] |= sfDeleted
				n.live--
				n.deleted++
				s.length--
				deleted++
			}
		}
		break
	}
	return deleted
}

// RaxKeys is the number of nodes (XINFO's radix-tree-keys).
func (s *Stream) RaxKeys() int { return s.index.Len() }

// RaxNodes is the number of nodes Redis's radix tree would have for the
// node keys (XINFO's radix-tree-nodes): a compressed trie of the 16-byte
// big-endian master IDs.
func (s *Stream) RaxNodes() int {
	keys := make([][16]byte, 0, s.index.Len())
	for nd := s.index.First(); nd != nil; nd = nd.Next() {
		var k [16]byte
		binary.BigEndian.PutUint64(k[:8], nd.id.Ms)
		binary.BigEndian.PutUint64(k[8:], nd.id.Seq)
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return 1
	}
	return raxCount(keys, 0)
}

func raxCount(keys [][16]byte, depth int) int {
	if len(keys) == 1 {
		if depth < 16 {
			return 2
		}
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	d := depth
	for d < 16 && first[d] == last[d] {
		d++
	}
	total := 1 // the branching node
	if d > depth {
		total++ // the compressed prefix
	}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		total += raxCount(keys[i:j], d+1)
		i = j
	}
	return total
}
