package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// refEntry is the reference model: a sorted slice of live entries.
type refEntry struct {
	id    StreamID
	pairs []string
}

func streamContents(s *Stream, rev bool) []refEntry {
	var out []refEntry
	s.Range(StreamID{}, MaxStreamID, rev, func(e *StreamEntry) bool {
		r := refEntry{id: e.ID}
		e.Fields(func(f, v []byte) { r.pairs = append(r.pairs, string(f), string(v)) })
		out = append(out, r)
		return true
	})
	return out
}

func TestStreamAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 20; round++ {
		s := NewStream()
		var ref []refEntry
		maxEntries := int64(rng.IntN(12))
		maxBytes := int64(rng.IntN(300))
		last := StreamID{}
		for op := 0; op < 600; op++ {
			switch r := rng.IntN(10); {
			case r < 6:
				if rng.IntN(3) == 0 {
					last = StreamID{last.Ms + uint64(rng.IntN(1<<20)), uint64(rng.IntN(5))}
				} else {
					last, _ = last.Incr()
				}
				if !s.LastID.Less(last) {
					last, _ = s.LastID.Incr()
				}
				nf := 1 + rng.IntN(3)
				var pairs [][]byte
				var sp []string
				for i := 0; i < nf; i++ {
					f := fmt.Sprintf("f%d", rng.IntN(2)*i)
					v := fmt.Sprintf("%0*d", rng.IntN(40), rng.IntN(1000))
					pairs = append(pairs, []byte(f), []byte(v))
					sp = append(sp, f, v)
				}
				s.Append(last, pairs, maxBytes, maxEntries)
				ref = append(ref, refEntry{last, sp})
			case r < 8 && len(ref) > 0:
				i := rng.IntN(len(ref))
				require.True(t, s.Delete(ref[i].id))
				require.False(t, s.Delete(ref[i].id))
				ref = append(ref[:i], ref[i+1:]...)
			case r == 8:
				n := int64(rng.IntN(len(ref) + 1))
				got := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: n})
				want := max(int64(len(ref))-n, 0)
				require.Equal(t, want, got)
				ref = ref[want:]
			default:
				if len(ref) == 0 {
					continue
				}
				min := ref[rng.IntN(len(ref))].id
				got := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: min})
				k := sort.Search(len(ref), func(i int) bool { return !ref[i].id.Less(min) })
				require.Equal(t, int64(k), got)
				ref = ref[k:]
			}
			require.Equal(t, uint64(len(ref)), s.Len())
		}
		fwd := streamContents(s, false)
		require.Equal(t, len(ref), len(fwd))
		for i := range ref {
			require.Equal(t, ref[i], fwd[i])
		}
		rev := streamContents(s, true)
		for i := range ref {
			require.Equal(t, ref[len(ref)-1-i], rev[i])
		}
		// Sub-ranges.
		for k := 0; k < 20 && len(ref) > 0; k++ {
			a, b := rng.IntN(len(ref)), rng.IntN(len(ref))
			if a > b {
				a, b = b, a
			}
			var got []StreamID
			s.Range(ref[a].id, ref[b].id, false, func(e *StreamEntry) bool { got = append(got, e.ID); return true })
			require.Len(t, got, b-a+1)
			require.Equal(t, ref[a].id, got[0])
		}
		c := s.Copy().(*Stream)
		require.Equal(t, fwd, streamContents(c, false))
	}
}

func TestIDListOrder(t *testing.T) {
	l := newIDList[int]()
	rng := rand.New(rand.NewPCG(3, 4))
	ref := map[StreamID]int{}
	for i := 0; i < 5000; i++ {
		id := StreamID{uint64(rng.IntN(50)), uint64(rng.IntN(50))}
		if rng.IntN(3) == 0 {
			_, had := ref[id]
			require.Equal(t, had, l.Delete(id))
			delete(ref, id)
		} else {
			_, had := ref[id]
			require.Equal(t, !had, l.Set(id, i))
			ref[id] = i
		}
	}
	require.Equal(t, len(ref), l.Len())
	var prev *idNode[int]
	n := 0
	for x := l.First(); x != nil; x = x.Next() {
		if prev != nil {
			require.True(t, prev.id.Less(x.id))
			require.Equal(t, prev, x.prev)
		}
		require.Equal(t, ref[x.id], x.val)
		prev = x
		n++
	}
	require.Equal(t, prev, l.Last())
	require.Equal(t, len(ref), n)
	probe := StreamID{25, 25}
	if ge := l.SeekGE(probe); ge != nil {
		require.False(t, ge.id.Less(probe))
		if ge.prev != nil {
			require.True(t, ge.prev.id.Less(probe))
		}
	}
	if le := l.SeekLE(probe); le != nil {
		require.False(t, probe.Less(le.id))
	}
}

func TestListpackSizes(t *testing.T) {
	require.Equal(t, 2, lpStrSize([]byte("1")))
	require.Equal(t, 3, lpStrSize([]byte("128")))
	require.Equal(t, 3, lpStrSize([]byte("-1")))
	require.Equal(t, 10, lpStrSize([]byte("9223372036854775807")))
	require.Equal(t, 4, lpStrSize([]byte("ab")))
	require.Equal(t, 4, lpStrSize([]byte("01")))
	require.Equal(t, 65, lpStrSize(make([]byte, 63)))
	require.Equal(t, 67, lpStrSize(make([]byte, 64)))
	require.Equal(t, 1, NewStream().RaxNodes())
}
