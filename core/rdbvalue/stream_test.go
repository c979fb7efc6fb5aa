package rdbvalue

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

func sid(ms, seq uint64) keyspace.StreamID { return keyspace.StreamID{Ms: ms, Seq: seq} }

func kv(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

// testStream has several nodes, deleted entries, entries with and without
// the master fields, and two groups with pending entries and consumers.
func testStream() *keyspace.Stream {
	s := keyspace.NewStream()
	for i := uint64(1); i <= 40; i++ {
		if i%5 == 0 {
			s.Append(sid(i, i%3), kv("other", strconv.Itoa(int(i)), "x", ""), 4096, 7)
		} else {
			s.Append(sid(i, i%3), kv("f", strconv.Itoa(int(i*1000003)), "g", "v"+strconv.Itoa(int(i))), 4096, 7)
		}
	}
	for _, i := range []uint64{1, 2, 3, 4, 5, 6, 7, 9, 20, 40} {
		s.Delete(sid(i, i%3))
	}
	s.MaxDeletedID = sid(40, 1)
	g := s.CreateGroup("grp", sid(30, 0), 30)
	a := g.CreateConsumer("a", 111)
	b := g.CreateConsumer("b", 222)
	g.CreateConsumer("idle", 333)
	for i, id := range []keyspace.StreamID{sid(10, 1), sid(11, 2), sid(12, 0), sid(30, 0)} {
		c := a
		if i%2 == 1 {
			c = b
		}
		n := &keyspace.NACK{DeliveryTime: int64(1000 + i), DeliveryCount: int64(i + 1), Consumer: c}
		g.PEL.Set(id, n)
		c.PEL.Set(id, n)
	}
	s.CreateGroup("123", sid(0, 0), keyspace.EntriesReadInvalid)
	return s
}

func streamEntries(s *keyspace.Stream) []string {
	var out []string
	s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, false, func(e *keyspace.StreamEntry) bool {
		line := e.ID.String()
		e.Fields(func(f, v []byte) { line += " " + string(f) + "=" + string(v) })
		out = append(out, line)
		return true
	})
	return out
}

func TestStreamRoundTrip(t *testing.T) {
	s := testStream()
	p, err := Dump(s, Options{Compress: true})
	require.NoError(t, err)
	require.Equal(t, byte(TypeStreamListpacks2), p[0])
	v, err := Load(p, defaultLimits)
	require.NoError(t, err)
	g := v.(*keyspace.Stream)
	require.Equal(t, streamEntries(s), streamEntries(g))
	require.Equal(t, s.Len(), g.Len())
	require.Equal(t, s.RaxKeys(), g.RaxKeys())
	require.Equal(t, s.LastID, g.LastID)
	require.Equal(t, s.MaxDeletedID, g.MaxDeletedID)
	require.Equal(t, s.EntriesAdded, g.EntriesAdded)
	grp := g.Group("grp")
	require.NotNil(t, grp)
	require.Equal(t, int64(30), grp.EntriesRead)
	require.Equal(t, 4, grp.PEL.Len())
	n, ok := grp.PEL.Get(sid(11, 2))
	require.True(t, ok)
	require.Equal(t, "b", n.Consumer.Name)
	require.Equal(t, int64(1001), n.DeliveryTime)
	require.Equal(t, int64(2), n.DeliveryCount)
	require.Equal(t, int64(222), grp.Consumer("b").SeenTime)
	require.Equal(t, 2, grp.Consumer("b").PEL.Len())
	require.Equal(t, 3, grp.NumConsumers())
	require.Equal(t, int64(keyspace.EntriesReadInvalid), g.Group("123").EntriesRead)
	p2, err := Dump(g, Options{Compress: true})
	require.NoError(t, err)
	require.Equal(t, p, p2)
}

// A loaded stream goes on splitting nodes where the original would.
func TestStreamLoadedNodesSplitAlike(t *testing.T) {
	for _, lim := range []struct{ bytes, entries int64 }{{4096, 100}, {300, 0}, {4096, 5}} {
		a := keyspace.NewStream()
		for i := uint64(1); i <= 150; i++ {
			a.Append(sid(i, 0), kv("f", strconv.Itoa(int(i)*7), "g", "xyz"), lim.bytes, lim.entries)
		}
		b := keyspace.NewStream()
		for i := uint64(1); i <= 99; i++ {
			b.Append(sid(i, 0), kv("f", strconv.Itoa(int(i)*7), "g", "xyz"), lim.bytes, lim.entries)
		}
		p, err := Dump(b, Options{})
		require.NoError(t, err)
		v, err := Load(p, defaultLimits)
		require.NoError(t, err)
		c := v.(*keyspace.Stream)
		for i := uint64(100); i <= 150; i++ {
			c.Append(sid(i, 0), kv("f", strconv.Itoa(int(i)*7), "g", "xyz"), lim.bytes, lim.entries)
		}
		pa, _ := Dump(a, Options{})
		pc, _ := Dump(c, Options{})
		require.Equal(t, pa, pc, "limits %v", lim)
	}
}

// TestStreamType15 loads the Redis 5/6 layout: no first / max deleted ID,
// entries added nor entries read (estimated from the stream).
func TestStreamType15(t *testing.T) {
	s := keyspace.NewStream()
	s.Append(sid(1, 0), kv("a", "1"), 4096, 100)
	s.Append(sid(2, 0), kv("a", "2"), 4096, 100)
	w := rdb.NewWriter(nil, false)
	w.WriteType(TypeStreamListpacks)
	lp := NewListpack(0)
	for _, x := range []int64{2, 0, 1} {
		lp.AppendInt(x)
	}
	lp.Append([]byte("a"))
	for _, x := range []int64{0, 2, 0, 0, 1, 4, 2, 1, 0, 2, 4} {
		lp.AppendInt(x)
	}
	var key [16]byte
	key[7] = 1
	w.WriteLen(1)
	w.WriteString(key[:])
	w.WriteString(lp.Finish())
	for _, x := range []uint64{2, 2, 0, 2} { // length, last ID, 2 groups
		w.WriteLen(x)
	}
	for _, g := range []struct {
		name string
		ms   uint64
	}{{"g0", 0}, {"g1", 1}} {
		w.WriteString([]byte(g.name))
		w.WriteLen(g.ms)
		w.WriteLen(0)
		w.WriteLen(0) // PEL
		w.WriteLen(0) // consumers
	}
	v, err := Load(rdb.AppendFooter(w.Bytes()), defaultLimits)
	require.NoError(t, err)
	g := v.(*keyspace.Stream)
	require.Equal(t, []string{"1-0 a=1", "2-0 a=2"}, streamEntries(g))
	require.Equal(t, uint64(2), g.EntriesAdded)
	require.Equal(t, int64(0), g.Group("g0").EntriesRead)
	require.Equal(t, int64(1), g.Group("g1").EntriesRead)
	p, err := Dump(s, Options{})
	require.NoError(t, err)
	p2, err := Dump(g, Options{})
	require.NoError(t, err)
	n := len(p) - 11 // without the group count and the footer
	require.Equal(t, p[:n], p2[:n], "same stream")
}

func TestStreamLoadRejects(t *testing.T) {
	s := testStream()
	w := rdb.NewWriter(nil, false)
	require.NoError(t, WriteValue(w, s, Options{}))
	good := w.Bytes()
	_, err := Load(rdb.AppendFooter(good), defaultLimits)
	require.NoError(t, err)
	// Every truncation fails (none can be completed by the footer here
	// since the footer is not appended).
	for cut := 1; cut < len(good); cut++ {
		_, err := ReadValue(rdb.NewReader(good[1:cut]), good[0], defaultLimits)
		require.Error(t, err, "cut at %d", cut)
	}
	// Flipping any byte never panics.
	for i := 1; i < len(good); i++ {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := append([]byte(nil), good...)
			b[i] ^= x
			_, _ = Load(rdb.AppendFooter(b), defaultLimits)
		}
	}
	for name, body := range map[string][]byte{
		"no nodes but a length": {TypeStreamListpacks2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		"huge node count":       {TypeStreamListpacks2, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"huge group count":      {TypeStreamListpacks2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"short key":             {TypeStreamListpacks2, 1, 2, 0, 0},
	} {
		_, err := Load(rdb.AppendFooter(body), defaultLimits)
		require.Error(t, err, name)
	}
	// An empty stream (no nodes, a group) loads.
	v, err := Load(rdb.AppendFooter([]byte{TypeStreamListpacks2, 0, 0, 5, 5, 0, 0, 5, 5, 3, 1, 1, 'g', 5, 5, 3, 0, 0}), defaultLimits)
	require.NoError(t, err)
	require.Equal(t, uint64(0), v.(*keyspace.Stream).Len())
}
