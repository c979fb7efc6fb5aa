package core

import "github.com/polyfn/polyfn/core/keyspace"

// XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS, with Redis 7.0's
// fields.

var xinfoHelp = []string{
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
}

// xinfoStream looks up XINFO's key: a missing key is "no such key".
func xinfoStream(ctx *Ctx) *keyspace.Stream {
	s, ok := readStream(ctx, ctx.Args[2])
	if ok && s == nil {
		ctx.Error(ErrNoSuchKey)
	}
	return s
}

func writeLag(w ReplyWriter, s *keyspace.Stream, g *keyspace.Group) {
	if lag, ok := s.Lag(g); ok {
		w.WriteInt(lag)
	} else {
		w.WriteNull()
	}
}

func writeEntriesRead(w ReplyWriter, g *keyspace.Group) {
	if g.EntriesRead != keyspace.EntriesReadInvalid {
		w.WriteInt(g.EntriesRead)
	} else {
		w.WriteNull()
	}
}

func cmdXInfoStream(ctx *Ctx) {
	full := false
	count := int64(10)
	opts := ctx.Args[3:]
	if len(opts) > 0 {
		if (len(opts) != 1 && len(opts) != 3) || !kw(opts[0], "full") {
			subcommandSyntaxError(ctx)
			return
		}
		if len(opts) == 3 {
			if !kw(opts[1], "count") {
				subcommandSyntaxError(ctx)
				return
			}
			n, ok := ParseInt(opts[2])
			if !ok {
				ctx.Error(ErrNotInteger)
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
		full = true
	}
	s := xinfoStream(ctx)
	if s == nil {
		return
	}
	w := ctx.W
	if full {
		w.WriteMap(9)
	} else {
		w.WriteMap(10)
	}
	w.WriteBulkString("length")
	w.WriteInt(int64(s.Len()))
	w.WriteBulkString("radix-tree-keys")
	w.WriteInt(int64(s.RaxKeys()))
	w.WriteBulkString("radix-tree-nodes")
	w.WriteInt(int64(s.RaxNodes()))
	w.WriteBulkString("last-generated-id")
	writeID(w, s.LastID)
	w.WriteBulkString("max-deleted-entry-id")
	writeID(w, s.MaxDeletedID)
	w.WriteBulkString("entries-added")
	w.WriteInt(int64(s.EntriesAdded))
	w.WriteBulkString("recorded-first-entry-id")
	writeID(w, s.FirstID())
	if !full {
		w.WriteBulkString("groups")
		w.WriteInt(int64(s.NumGroups()))
		for _, rev := range []bool{false, true} {
			if rev {
				w.WriteBulkString("last-entry")
			} else {
				w.WriteBulkString("first-entry")
			}
			found := false
			s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, rev, func(e *keyspace.StreamEntry) bool {
				writeEntry(w, e)
				found = true
				return false
			})
			if !found {
				w.WriteNull()
			}
		}
		return
	}
	w.WriteBulkString("entries")
	var buf [16]keyspace.StreamEntry
	writeEntries(w, collectRange(s, keyspace.StreamID{}, keyspace.MaxStreamID, false, count, buf[:]))
	w.WriteBulkString("groups")
	groups := s.Groups()
	w.WriteArray(len(groups))
	limit := func(n int) int {
		if count == 0 || int64(n) < count {
			return n
		}
		return int(count)
	}
	for _, g := range groups {
		w.WriteMap(7)
		w.WriteBulkString("name")
		w.WriteBulkString(g.Name)
		w.WriteBulkString("last-delivered-id")
		writeID(w, g.LastID)
		w.WriteBulkString("entries-read")
		writeEntriesRead(w, g)
		w.WriteBulkString("lag")
		writeLag(w, s, g)
		w.WriteBulkString("pel-count")
		w.WriteInt(int64(g.PEL.Len()))
		w.WriteBulkString("pending")
		n := limit(g.PEL.Len())
		w.WriteArray(n)
		for cur := g.PEL.Seek(keyspace.StreamID{}); n > 0; cur.Next() {
			n--
			w.WriteArray(4)
			writeID(w, cur.ID())
			w.WriteBulkString(cur.NACK().Consumer.Name)
			w.WriteInt(cur.NACK().DeliveryTime)
			w.WriteInt(cur.NACK().DeliveryCount)
		}
		w.WriteBulkString("consumers")
		cs := g.Consumers()
		w.WriteArray(len(cs))
		for _, c := range cs {
			w.WriteMap(4)
			w.WriteBulkString("name")
			w.WriteBulkString(c.Name)
			w.WriteBulkString("seen-time")
			w.WriteInt(c.SeenTime)
			w.WriteBulkString("pel-count")
			w.WriteInt(int64(c.PEL.Len()))
			w.WriteBulkString("pending")
			n := limit(c.PEL.Len())
			w.WriteArray(n)
			for cur := c.PEL.Seek(keyspace.StreamID{}); n > 0; cur.Next() {
				n--
				w.WriteArray(3)
				writeID(w, cur.ID())
				w.WriteInt(cur.NACK().DeliveryTime)
				w.WriteInt(cur.NACK().DeliveryCount)
			}
		}
	}
}

func cmdXInfoGroups(ctx *Ctx) {
	s := xinfoStream(ctx)
	if s == nil {
		return
	}
	w := ctx.W
	groups := s.Groups()
	w.WriteArray(len(groups))
	for _, g := range groups {
		w.WriteMap(6)
		w.WriteBulkString("name")
		w.WriteBulkString(g.Name)
		w.WriteBulkString("consumers")
		w.WriteInt(int64(g.NumConsumers()))
		w.WriteBulkString("pending")
		w.WriteInt(int64(g.PEL.Len()))
		w.WriteBulkString("last-delivered-id")
		writeID(w, g.LastID)
		w.WriteBulkString("entries-read")
		writeEntriesRead(w, g)
		w.WriteBulkString("lag")
		writeLag(w, s, g)
	}
}

func cmdXInfoConsumers(ctx *Ctx) {
	s := xinfoStream(ctx)
	if s == nil {
		return
	}
	g := s.Group(string(ctx.Args[3]))
	if g == nil {
		ctx.Errorf(fmtStreamNoGroupForKey, ctx.Args[3], ctx.Args[2])
		return
	}
	w := ctx.W
	cs := g.Consumers()
	w.WriteArray(len(cs))
	for _, c := range cs {
		w.WriteMap(3)
		w.WriteBulkString("name")
		w.WriteBulkString(c.Name)
		w.WriteBulkString("pending")
		w.WriteInt(int64(c.PEL.Len()))
		w.WriteBulkString("idle")
		w.WriteInt(max(ctx.Now-c.SeenTime, 0))
	}
}
