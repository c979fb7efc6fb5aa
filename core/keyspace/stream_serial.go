package keyspace

import (
	"bytes"
	"encoding/binary"
)

// Serialisation support for streams (DUMP / RESTORE, package rdbvalue):
// read access to the nodes as Redis lays them out, and a builder that
// appends nodes read back from a payload. The builder trusts its caller
// to have validated the data (IDs increasing, counts consistent).

// StreamNodeView is read access to one node of a stream.
type StreamNodeView struct{ n *streamNode }

// RangeNodes calls fn for each node in master ID order until fn returns
// false.
func (s *Stream) RangeNodes(fn func(v StreamNodeView) bool) {
	for nd := s.index.First(); nd != nil; nd = nd.Next() {
		if !fn(StreamNodeView{nd.val}) {
			return
		}
	}
}

// Master is the node's master ID (its key in Redis's radix tree).
func (v StreamNodeView) Master() StreamID { return v.n.master }

// MasterFields are the master entry's field names (not to be modified).
func (v StreamNodeView) MasterFields() [][]byte { return v.n.fields }

// Live and Deleted are the master entry's count and deleted counters.
func (v StreamNodeView) Live() int    { return v.n.live }
func (v StreamNodeView) Deleted() int { return v.n.deleted }

// LPBytes is the size of Redis's listpack for this node.
func (v StreamNodeView) LPBytes() int { return v.n.lpBytes() }

// Entries calls fn for every entry of the node in order, deleted ones
// included.
func (v StreamNodeView) Entries(fn func(e *StreamEntry)) {
	var e StreamEntry
	for pos := 0; pos < len(v.n.buf); pos = e.end {
		v.n.decodeAt(pos, &e)
		fn(&e)
	}
}

// IsDeleted reports whether the entry is flagged deleted.
func (e *StreamEntry) IsDeleted() bool { return e.flags&sfDeleted != 0 }

// SameFields reports whether the entry's field names are the master
// entry's (they are then not stored with it).
func (e *StreamEntry) SameFields() bool { return e.flags&sfSameFields != 0 }

// Flags is the entry's flags value as Redis stores it (1: deleted, 2:
// same fields).
func (e *StreamEntry) Flags() int64 { return int64(e.flags) }

// StreamNodeBuilder appends one node to a stream being loaded. Use
// Entry, then Field for each field (or only each value with same
// fields), then EndEntry, for every entry in order; then Finish.
type StreamNodeBuilder struct {
	s     *Stream
	n     *streamNode
	start int
}

// LoadNode starts a node with the given master ID and master field names
// (copied). Its master ID must be greater than every ID in the stream.
func (s *Stream) LoadNode(master StreamID, fields [][]byte) *StreamNodeBuilder {
	n := &streamNode{master: master, fields: make([][]byte, len(fields))}
	for i, f := range fields {
		n.fields[i] = bytes.Clone(f)
	}
	return &StreamNodeBuilder{s: s, n: n}
}

// Entry starts an entry: its ID, whether it is deleted, whether it uses
// the master fields, and its number of fields (ignored with same
// fields).
func (b *StreamNodeBuilder) Entry(id StreamID, deleted, same bool, nf int) {
	n := b.n
	flags := byte(0)
	if deleted {
		flags |= sfDeleted
		n.deleted++
	} else {
		n.live++
	}
	if same {
		flags |= sfSameFields
	}
	b.start = len(n.buf)
	n.buf = append(n.buf, flags)
	n.buf = binary.AppendUvarint(n.buf, id.Ms-n.master.Ms)
	n.buf = binary.AppendVarint(n.buf, int64(id.Seq-n.master.Seq))
	if !same {
		n.buf = binary.AppendUvarint(n.buf, uint64(nf))
	}
	n.last = id
}

// Field appends a field name or value of the current entry.
func (b *StreamNodeBuilder) Field(p []byte) {
	b.n.buf = binary.AppendUvarint(b.n.buf, uint64(len(p)))
	b.n.buf = append(b.n.buf, p...)
}

// EndEntry closes the current entry.
func (b *StreamNodeBuilder) EndEntry() {
	b.n.buf = appendRevUvarint(b.n.buf, uint64(len(b.n.buf)-b.start))
}

// Finish adds the node to the stream. lpBytes is the size of its
// listpack in the payload (what Redis's node splitting measures).
func (b *StreamNodeBuilder) Finish(lpBytes int) {
	n := b.n
	n.lpRest = max(lpBytes-lpIntSize(int64(n.live))-lpIntSize(int64(n.deleted)), 0)
	b.s.index.Set(n.master, n)
	b.s.length += uint64(n.live)
}

// LastEntryID returns the ID of the last entry stored, deleted or not
// (0-0 when there is none).
func (s *Stream) LastEntryID() StreamID {
	if last := s.index.Last(); last != nil {
		return last.val.last
	}
	return StreamID{}
}

// Range over a PEL for serialisation.

// Range calls fn for every item in ID order until fn returns false.
func (p *PEL) Range(fn func(id StreamID, n *NACK) bool) {
	for it := p.l.First(); it != nil; it = it.Next() {
		if !fn(it.id, it.val) {
			return
		}
	}
}
