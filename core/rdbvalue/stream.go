package rdbvalue

import (
	"encoding/binary"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

// Streams (TypeStreamListpacks2, and TypeStreamListpacks on load), as
// Redis 7.0's rdbSaveObject / rdbLoadObject lay them out:
//
//	node count, then per node: master ID (16 bytes, ms and seq big-endian)
//	    as a string, the node's listpack as a string;
//	length, last ID ms, seq;
//	[type 19: first ID ms, seq; max deleted entry ID ms, seq; entries added]
//	group count, then per group (in name order): name, last delivered ID
//	    ms, seq, [type 19: entries read], global PEL, consumers.
//	PEL: count, then per entry: raw ID (16 bytes), delivery time (ms, 8
//	    bytes little-endian), delivery count.
//	consumers: count, then per consumer (in name order): name, seen time
//	    (8 bytes little-endian), PEL count and raw IDs only.
//
// A node's listpack (t_stream.c) holds the master entry
//
//	count | deleted | master field count | master fields... | 0
//
// then each entry
//
//	flags | ms - master ms | seq - master seq |
//	[field count | field, value ...]  or, with SAMEFIELDS, [value ...] |
//	lp-count (the number of elements of the entry before it)
//
// Numbers are listpack integers; the ID deltas are int64 differences.

// Stream entry flags as stored in the listpack.
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

func writeStream(w *rdb.Writer, s *keyspace.Stream) {
	w.WriteType(TypeStreamListpacks2)
	w.WriteLen(uint64(s.RaxKeys()))
	var key [16]byte
	s.RangeNodes(func(v keyspace.StreamNodeView) bool {
		m := v.Master()
		binary.BigEndian.PutUint64(key[:8], m.Ms)
		binary.BigEndian.PutUint64(key[8:], m.Seq)
		w.WriteString(key[:])
		lp := NewListpack(v.LPBytes())
		lp.AppendInt(int64(v.Live()))
		lp.AppendInt(int64(v.Deleted()))
		mf := v.MasterFields()
		lp.AppendInt(int64(len(mf)))
		for _, f := range mf {
			lp.Append(f)
		}
		lp.AppendInt(0)
		v.Entries(func(e *keyspace.StreamEntry) {
			lp.AppendInt(e.Flags())
			lp.AppendInt(int64(e.ID.Ms - m.Ms))
			lp.AppendInt(int64(e.ID.Seq - m.Seq))
			nf := e.NumFields()
			count := int64(nf + 3)
			same := e.SameFields()
			if !same {
				lp.AppendInt(int64(nf))
				count += int64(nf) + 1
			}
			e.Fields(func(f, val []byte) {
				if !same {
					lp.Append(f)
				}
				lp.Append(val)
			})
			lp.AppendInt(count)
		})
		w.WriteString(lp.Finish())
		return true
	})
	w.WriteLen(s.Len())
	writeID(w, s.LastID)
	writeID(w, s.FirstID())
	writeID(w, s.MaxDeletedID)
	w.WriteLen(s.EntriesAdded)
	groups := s.Groups()
	w.WriteLen(uint64(len(groups)))
	var raw [16]byte
	var ms [8]byte
	for _, g := range groups {
		w.WriteString(strBytes(g.Name))
		writeID(w, g.LastID)
		w.WriteLen(uint64(g.EntriesRead))
		w.WriteLen(uint64(g.PEL.Len()))
		g.PEL.Range(func(id keyspace.StreamID, n *keyspace.NACK) bool {
			w.WriteRaw(rawID(raw[:], id))
			binary.LittleEndian.PutUint64(ms[:], uint64(n.DeliveryTime))
			w.WriteRaw(ms[:])
			w.WriteLen(uint64(n.DeliveryCount))
			return true
		})
		cs := g.Consumers()
		w.WriteLen(uint64(len(cs)))
		for _, c := range cs {
			w.WriteString(strBytes(c.Name))
			binary.LittleEndian.PutUint64(ms[:], uint64(c.SeenTime))
			w.WriteRaw(ms[:])
			w.WriteLen(uint64(c.PEL.Len()))
			c.PEL.Range(func(id keyspace.StreamID, _ *keyspace.NACK) bool {
				w.WriteRaw(rawID(raw[:], id))
				return true
			})
		}
	}
}

func writeID(w *rdb.Writer, id keyspace.StreamID) {
	w.WriteLen(id.Ms)
	w.WriteLen(id.Seq)
}

func rawID(dst []byte, id keyspace.StreamID) []byte {
	binary.BigEndian.PutUint64(dst[:8], id.Ms)
	binary.BigEndian.PutUint64(dst[8:16], id.Seq)
	return dst[:16]
}

func parseRawID(p []byte) keyspace.StreamID {
	return keyspace.StreamID{Ms: binary.BigEndian.Uint64(p[:8]), Seq: binary.BigEndian.Uint64(p[8:16])}
}

// readLen reads a length as rdbLoadLen(rdb, NULL) does (an encoding byte
// reads as its 6-bit value).
func readLen(r *rdb.Reader) (uint64, error) {
	n, _, err := r.ReadLen()
	return n, err
}

func readID(r *rdb.Reader) (keyspace.StreamID, error) {
	ms, err := readLen(r)
	if err != nil {
		return keyspace.StreamID{}, err
	}
	seq, err := readLen(r)
	return keyspace.StreamID{Ms: ms, Seq: seq}, err
}

func readMs(r *rdb.Reader) (int64, error) {
	p, err := r.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return int64(leUint64(p)), nil
}

// readStream decodes a stream. Beyond what Redis checks (node keys of 16
// bytes, listpacks of the stream layout, no duplicate node, group,
// consumer or PEL entry, consumer PEL entries present in the group's
// PEL), it refuses what Redis never writes and polyfn relies on: entry
// IDs not increasing, master counters or the length disagreeing with the
// entries, nodes without live entries, a last ID below an entry, group
// PEL entries without a consumer.
func readStream(r *rdb.Reader, v2 bool) (any, error) {
	s := keyspace.NewStream()
	nodes, err := readLen(r)
	if err != nil {
		return nil, err
	}
	var fields [][]byte
	var scratch []byte
	for ; nodes > 0; nodes-- {
		key, err := r.ReadString()
		if err != nil || len(key) != 16 {
			return nil, ErrBadData
		}
		master := parseRawID(key)
		if s.RaxKeys() > 0 && !s.LastEntryID().Less(master) {
			return nil, ErrBadData
		}
		lp, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if fields, scratch, err = readStreamNode(s, master, lp, fields[:0], scratch); err != nil {
			return nil, err
		}
	}
	length, err := readLen(r)
	if err != nil || length != s.Len() {
		return nil, ErrBadData
	}
	if s.LastID, err = readID(r); err != nil || s.LastID.Less(s.LastEntryID()) {
		return nil, ErrBadData
	}
	if v2 {
		// The first ID is derived from the entries.
		if _, err := readID(r); err != nil {
			return nil, err
		}
		if s.MaxDeletedID, err = readID(r); err != nil {
			return nil, err
		}
		if s.EntriesAdded, err = readLen(r); err != nil {
			return nil, err
		}
	} else {
		s.EntriesAdded = s.Len()
	}
	if err := readGroups(r, s, v2); err != nil {
		return nil, err
	}
	return s, nil
}

// lpCursor walks the elements of a listpack already validated by
// WalkListpack.
type lpCursor struct {
	lp   []byte
	p    int
	left int // elements not yet read
}

func (c *lpCursor) next() (LPEntry, bool) {
	if c.left == 0 {
		return LPEntry{}, false
	}
	e, size, ok := lpDecode(c.lp[c.p : len(c.lp)-1])
	if !ok {
		return LPEntry{}, false
	}
	bl, ok := lpBacklen(c.lp[c.p+size:len(c.lp)-1], size)
	if !ok {
		return LPEntry{}, false
	}
	c.p += size + bl
	c.left--
	return e, true
}

// int reads an integer element.
func (c *lpCursor) int() (int64, bool) {
	e, ok := c.next()
	return e.Int, ok && e.IsInt
}

// count reads a non-negative integer element no greater than the
// elements left divided by per.
func (c *lpCursor) count(per int) (int, bool) {
	v, ok := c.int()
	if !ok || v < 0 || v > int64(c.left/per) {
		return 0, false
	}
	return int(v), true
}

// readStreamNode decodes one node's listpack into s. fields and scratch
// are buffers reused across nodes.
func readStreamNode(s *keyspace.Stream, master keyspace.StreamID, lp []byte, fields [][]byte, scratch []byte) ([][]byte, []byte, error) {
	n, err := WalkListpack(lp, nil)
	if err != nil {
		return fields, scratch, ErrBadData
	}
	c := lpCursor{lp: lp, p: lpHeaderSize, left: n}
	live, ok1 := c.count(1)
	deleted, ok2 := c.count(1)
	nmf, ok3 := c.count(1)
	if !ok1 || !ok2 || !ok3 || live == 0 {
		return fields, scratch, ErrBadData
	}
	// Master fields, copied out of the listpack (ints as decimal).
	scratch = scratch[:0]
	offs := make([]int, 0, nmf+1)
	for i := 0; i < nmf; i++ {
		e, ok := c.next()
		if !ok {
			return fields, scratch, ErrBadData
		}
		offs = append(offs, len(scratch))
		scratch = e.AppendTo(scratch)
	}
	offs = append(offs, len(scratch))
	for i := 0; i < nmf; i++ {
		fields = append(fields, scratch[offs[i]:offs[i+1]])
	}
	if z, ok := c.int(); !ok || z != 0 {
		return fields, scratch, ErrBadData
	}
	b := s.LoadNode(master, fields)
	prev, first := master, true
	gotLive, gotDeleted := 0, 0
	var buf [20]byte
	for c.left > 0 {
		flags, ok := c.int()
		msd, ok2 := c.int()
		seqd, ok3 := c.int()
		if !ok || !ok2 || !ok3 || flags < 0 || flags > streamFlagDeleted|streamFlagSameFields {
			return fields, scratch, ErrBadData
		}
		id := keyspace.StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		if id.Less(prev) || !first && id == prev {
			return fields, scratch, ErrBadData
		}
		prev, first = id, false
		same := flags&streamFlagSameFields != 0
		nf, want := nmf, int64(nmf+3)
		if !same {
			if nf, ok = c.count(2); !ok {
				return fields, scratch, ErrBadData
			}
			want = int64(2*nf + 4)
		} else if nf > c.left {
			return fields, scratch, ErrBadData
		}
		if flags&streamFlagDeleted != 0 {
			gotDeleted++
		} else {
			gotLive++
		}
		b.Entry(id, flags&streamFlagDeleted != 0, same, nf)
		k := nf
		if !same {
			k *= 2
		}
		for ; k > 0; k-- {
			e, ok := c.next()
			if !ok {
				return fields, scratch, ErrBadData
			}
			if e.IsInt {
				b.Field(strconv.AppendInt(buf[:0], e.Int, 10))
			} else {
				b.Field(e.Str)
			}
		}
		if lc, ok := c.int(); !ok || lc != want {
			return fields, scratch, ErrBadData
		}
		b.EndEntry()
	}
	if gotLive != live || gotDeleted != deleted {
		return fields, scratch, ErrBadData
	}
	b.Finish(len(lp))
	return fields, scratch, nil
}

func readGroups(r *rdb.Reader, s *keyspace.Stream, v2 bool) error {
	ng, err := readLen(r)
	if err != nil {
		return err
	}
	var raw []byte
	for ; ng > 0; ng-- {
		name, err := r.ReadString()
		if err != nil {
			return err
		}
		last, err := readID(r)
		if err != nil {
			return err
		}
		var read int64
		if v2 {
			u, err := readLen(r)
			if err != nil {
				return err
			}
			read = int64(u)
		} else {
			read = s.EstimateDistance(last)
		}
		g := s.CreateGroup(string(name), last, read)
		if g == nil {
			return ErrBadData
		}
		np, err := readLen(r)
		if err != nil {
			return err
		}
		for ; np > 0; np-- {
			if raw, err = r.ReadRaw(16); err != nil {
				return err
			}
			t, err := readMs(r)
			if err != nil {
				return err
			}
			dc, err := readLen(r)
			if err != nil {
				return err
			}
			if !g.PEL.Set(parseRawID(raw), &keyspace.NACK{DeliveryTime: t, DeliveryCount: int64(dc)}) {
				return ErrBadData
			}
		}
		nc, err := readLen(r)
		if err != nil {
			return err
		}
		owned := 0
		for ; nc > 0; nc-- {
			cname, err := r.ReadString()
			if err != nil {
				return err
			}
			if g.Consumer(string(cname)) != nil {
				return ErrBadData
			}
			seen, err := readMs(r)
			if err != nil {
				return err
			}
			con := g.CreateConsumer(string(cname), seen)
			np, err := readLen(r)
			if err != nil {
				return err
			}
			for ; np > 0; np-- {
				if raw, err = r.ReadRaw(16); err != nil {
					return err
				}
				id := parseRawID(raw)
				nack, ok := g.PEL.Get(id)
				if !ok || nack.Consumer != nil {
					return ErrBadData
				}
				nack.Consumer = con
				con.PEL.Set(id, nack)
				owned++
			}
		}
		if owned != g.PEL.Len() {
			return ErrBadData
		}
	}
	return nil
}
