package keyspace

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// model is the obviously correct sorted set the tests compare against.
type model map[string]float64

func (m model) sorted() []ZEntry {
	out := make([]ZEntry, 0, len(m))
	for k, v := range m {
		out = append(out, ZEntry{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return zless(out[i].Score, out[i].Member, out[j].Score, out[j].Member) })
	return out
}

func entries(z *ZSet) []ZEntry {
	var out []ZEntry
	it := z.Iter(0, false)
	for m, s, ok := it.Next(); ok; m, s, ok = it.Next() {
		out = append(out, ZEntry{m, s})
	}
	return out
}

// checkSkiplist verifies spans, backward links, tail and length.
func checkSkiplist(t *testing.T, sl *skiplist) {
	t.Helper()
	var nodes []*zslNode
	for n := sl.header.level[0].forward; n != nil; n = n.level[0].forward {
		nodes = append(nodes, n)
	}
	require.Equal(t, sl.length, len(nodes))
	pos := map[*zslNode]int{sl.header: 0}
	for i, n := range nodes {
		pos[n] = i + 1
		if i == 0 {
			require.Nil(t, n.backward)
		} else {
			require.Same(t, nodes[i-1], n.backward)
			require.True(t, zless(nodes[i-1].score, nodes[i-1].member, n.score, n.member))
		}
	}
	if len(nodes) > 0 {
		require.Same(t, nodes[len(nodes)-1], sl.tail)
	} else {
		require.Nil(t, sl.tail)
	}
	for lvl := 0; lvl < sl.level; lvl++ {
		for x := sl.header; x != nil; x = x.level[lvl].forward {
			if f := x.level[lvl].forward; f != nil {
				require.Equal(t, pos[f]-pos[x], x.level[lvl].span, "level %d", lvl)
			}
		}
	}
}

func checkZSet(t *testing.T, z *ZSet, m model) {
	t.Helper()
	want := m.sorted()
	require.Equal(t, len(want), z.Len())
	got := entries(z)
	if len(want) == 0 {
		require.Empty(t, got)
	} else {
		require.Equal(t, want, got)
	}
	for i, e := range want {
		r, s, ok := z.Rank(e.Member)
		require.True(t, ok)
		require.Equal(t, i, r)
		require.Equal(t, e.Score, s)
		require.Equal(t, e, z.At(i))
	}
	if z.sl != nil {
		checkSkiplist(t, z.sl)
		require.Equal(t, z.sl.length, z.dict.Len())
	}
}

func TestZSetRandomOps(t *testing.T) {
	for _, large := range []bool{false, true} {
		t.Run(fmt.Sprint("large=", large), func(t *testing.T) {
			z := NewZSet(large)
			m := model{}
			limit := 1 << 30
			if !large {
				limit = 1 << 30 // stays small: tests the slice encoding alone
			}
			for i := 0; i < 3000; i++ {
				mem := fmt.Sprintf("m%d", rand.IntN(300))
				score := float64(rand.IntN(50))
				switch op := rand.IntN(10); {
				case op < 5:
					if _, ok := m[mem]; ok {
						z.SetScore(mem, score)
					} else {
						z.Insert(mem, score, limit, limit)
					}
					m[mem] = score
				case op < 8:
					_, ok := m[mem]
					require.Equal(t, ok, z.Delete(mem))
					delete(m, mem)
				default:
					lo := rand.IntN(len(m) + 1)
					hi := lo + rand.IntN(5)
					want := m.sorted()
					for _, e := range want[lo:min(hi, len(want))] {
						delete(m, e.Member)
					}
					z.DeleteRange(lo, hi)
				}
				if i%100 == 0 {
					checkZSet(t, z, m)
				}
			}
			checkZSet(t, z, m)
		})
	}
}

func TestZSetRanges(t *testing.T) {
	for _, large := range []bool{false, true} {
		z := NewZSet(large)
		m := model{}
		for i := 0; i < 200; i++ {
			mem := fmt.Sprintf("%03d", i)
			s := float64(i / 10)
			z.Insert(mem, s, 1000, 1000)
			m[mem] = s
		}
		all := m.sorted()
		count := func(pred func(e ZEntry) bool) (lo, hi int) {
			lo = -1
			for i, e := range all {
				if pred(e) {
					if lo < 0 {
						lo = i
					}
					hi = i + 1
				}
			}
			if lo < 0 {
				return 0, 0
			}
			return lo, hi
		}
		for _, r := range []ScoreRange{
			{Min: 3, Max: 5}, {Min: 3, Max: 5, MinEx: true}, {Min: 3, Max: 5, MaxEx: true},
			{Min: 5, Max: 3}, {Min: 4, Max: 4, MinEx: true}, {Min: 4, Max: 4},
			{Min: -100, Max: 100}, {Min: 100, Max: 200}, {Min: 2.5, Max: 2.7},
		} {
			lo, hi := z.ScoreRanks(r)
			wlo, whi := count(func(e ZEntry) bool { return !r.belowMin(e.Score) && r.atMostMax(e.Score) })
			if whi-wlo == 0 {
				require.Equal(t, 0, max(0, hi-lo), "%+v", r)
			} else {
				require.Equal(t, [2]int{wlo, whi}, [2]int{lo, hi}, "%+v", r)
			}
		}
		for _, r := range []LexRange{
			{Min: LexBound{Inf: -1}, Max: LexBound{Inf: 1}},
			{Min: LexBound{Value: "010"}, Max: LexBound{Value: "020"}},
			{Min: LexBound{Value: "010", Ex: true}, Max: LexBound{Value: "020", Ex: true}},
			{Min: LexBound{Inf: 1}, Max: LexBound{Inf: -1}},
			{Min: LexBound{Value: "05"}, Max: LexBound{Inf: 1}},
		} {
			z2 := NewZSet(large)
			for _, e := range all {
				z2.Insert(e.Member, 0, 1000, 1000)
			}
			lo, hi := z2.LexRanks(r)
			wlo, whi := count(func(e ZEntry) bool { return !r.belowMin(e.Member) && r.atMostMax(e.Member) })
			if whi-wlo == 0 {
				require.Equal(t, 0, max(0, hi-lo), "%+v", r)
			} else {
				require.Equal(t, [2]int{wlo, whi}, [2]int{lo, hi}, "%+v", r)
			}
		}
		// Reverse iteration from the last rank sees everything backwards.
		it := z.Iter(z.Len()-1, true)
		for i := len(all) - 1; i >= 0; i-- {
			mem, s, ok := it.Next()
			require.True(t, ok)
			require.Equal(t, all[i], ZEntry{mem, s})
		}
		_, _, ok := it.Next()
		require.False(t, ok)
	}
}

func TestZSetConversion(t *testing.T) {
	z := NewZSet(false)
	for i := 0; i < 4; i++ {
		z.Insert(fmt.Sprint(i), float64(-i), 4, 8)
	}
	require.Equal(t, "listpack", z.Encoding())
	z.Insert("4", 1, 4, 8)
	require.Equal(t, "skiplist", z.Encoding())
	z.Delete("4")
	require.Equal(t, "skiplist", z.Encoding(), "conversion is one-way")

	z2 := NewZSet(false)
	z2.Insert("123456789", 0, 4, 8)
	require.Equal(t, "skiplist", z2.Encoding())

	// Negative zero: kept by the skiplist, normalised by the listpack.
	z3 := NewZSet(true)
	z3.Insert("a", negZero(), 10, 10)
	s, _ := z3.Score("a")
	require.True(t, isNegZero(s))
	z3.ConvertToListpackIfFits(10, 10)
	require.Equal(t, "listpack", z3.Encoding())
	s, _ = z3.Score("a")
	require.False(t, isNegZero(s))

	c := z.Copy().(*ZSet)
	require.Equal(t, entries(z), entries(c))
	c.Delete("0")
	require.NotEqual(t, entries(z), entries(c))
}

func TestZSetScan(t *testing.T) {
	z := NewZSet(true)
	for i := 0; i < 1000; i++ {
		z.Insert(fmt.Sprint(i), float64(i), 0, 0)
	}
	seen := map[string]bool{}
	cur := uint64(0)
	for {
		cur = z.Scan(cur, func(m string, s float64) { seen[m] = true })
		if cur == 0 {
			break
		}
	}
	require.Len(t, seen, 1000)
}

func negZero() float64 { z := 0.0; return -z }

func isNegZero(f float64) bool { return f == 0 && 1/f < 0 }
