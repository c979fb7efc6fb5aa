package keyspace

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkList verifies the structural invariants of l and that it holds
// exactly want.
func checkList(t *testing.T, l *List, want [][]byte) {
	t.Helper()
	require.Equal(t, len(want), l.Len())
	total := 0
	var prev *listNode
	var got [][]byte
	for nd := l.head; nd != nil; nd = nd.next {
		require.Same(t, prev, nd.prev, "prev link")
		require.Greater(t, nd.count, 0, "empty node kept")
		require.True(t, 0 <= nd.start && nd.start <= nd.end && nd.end <= len(nd.buf))
		if nd.count > 1 {
			require.LessOrEqual(t, nd.end-nd.start, maxNodeBytes, "oversized node")
		}
		n := 0
		for off := nd.start; off < nd.end; n++ {
			var v []byte
			v, off = readFwd(nd.buf, off)
			require.LessOrEqual(t, off, nd.end)
			got = append(got, v)
		}
		require.Equal(t, nd.count, n, "node count")
		// The same entries read backwards.
		i := len(got) - 1
		for off := nd.end; off > nd.start; i-- {
			var v []byte
			v, off = readBack(nd.buf, off)
			require.Equal(t, got[i], v)
		}
		total += n
		prev = nd
	}
	require.Same(t, prev, l.tail)
	require.Equal(t, l.n, total)
	if len(want) == 0 {
		require.Empty(t, got)
	} else {
		require.Equal(t, want, got)
	}
}

func randElem(r *rand.Rand) []byte {
	var n int
	switch r.Intn(10) {
	case 0:
		n = 0
	case 1:
		n = 100 + r.Intn(200) // two-byte lengths
	case 2:
		if r.Intn(20) == 0 {
			n = 9000 + r.Intn(10000) // bigger than a node
		} else {
			n = 1000 + r.Intn(1000)
		}
	default:
		n = 1 + r.Intn(12)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + r.Intn(3)) // few distinct values: LREM/LINSERT hit
	}
	if n > 0 && r.Intn(4) == 0 {
		b[0] = 0xff // bytes with the high bit next to the trailer
		b[n-1] = 0x80
	}
	return b
}

func TestEntryEncoding(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 300, 16383, 16384, 1 << 21} {
		v := bytes.Repeat([]byte{0xff}, n)
		buf := make([]byte, entrySize(n)+2)
		putEntry(buf[1:len(buf)-1], v)
		got, next := readFwd(buf, 1)
		require.Equal(t, v, got)
		require.Equal(t, len(buf)-1, next)
		got, start := readBack(buf, len(buf)-1)
		require.Equal(t, v, got)
		require.Equal(t, 1, start)
	}
}

func TestListModel(t *testing.T) {
	for seed := int64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewSource(seed))
		l := NewList()
		var m [][]byte
		steps := 3000
		for step := 0; step < steps; step++ {
			switch op := r.Intn(20); {
			case op < 4:
				v := randElem(r)
				l.PushBack(v)
				m = append(m, bytes.Clone(v))
			case op < 8:
				v := randElem(r)
				l.PushFront(v)
				m = append([][]byte{bytes.Clone(v)}, m...)
			case op < 10:
				v, ok := l.PopFront()
				require.Equal(t, len(m) > 0, ok)
				if ok {
					require.Equal(t, m[0], v)
					m = m[1:]
				}
			case op < 12:
				v, ok := l.PopBack()
				require.Equal(t, len(m) > 0, ok)
				if ok {
					require.Equal(t, m[len(m)-1], v)
					m = m[:len(m)-1]
				}
			case op == 12:
				if len(m) > 0 {
					i := r.Intn(2*len(m)) - len(m)
					v, ok := l.Index(i)
					require.True(t, ok)
					j := i
					if j < 0 {
						j += len(m)
					}
					require.Equal(t, m[j], v)
				}
				_, ok := l.Index(len(m))
				require.False(t, ok)
				_, ok = l.Index(-len(m) - 1)
				require.False(t, ok)
			case op == 13:
				if len(m) > 0 {
					i := r.Intn(len(m))
					v := randElem(r)
					require.True(t, l.Set(i, v))
					m[i] = bytes.Clone(v)
				}
				require.False(t, l.Set(len(m), []byte("x")))
			case op == 14:
				pivot := randElem(r)
				v := randElem(r)
				after := r.Intn(2) == 0
				found := -1
				for i, e := range m {
					if bytes.Equal(e, pivot) {
						found = i
						break
					}
				}
				require.Equal(t, found >= 0, l.Insert(pivot, v, after))
				if found >= 0 {
					if after {
						found++
					}
					m = append(m[:found], append([][]byte{bytes.Clone(v)}, m[found:]...)...)
				}
			case op == 15:
				v := randElem(r)
				count := r.Intn(5) - 2
				want := removeModel(&m, v, count)
				require.Equal(t, want, l.Remove(v, count))
			case op == 16:
				k := r.Intn(len(m) + 2)
				l.TrimFront(k)
				m = m[min(k, len(m)):]
			case op == 17:
				k := r.Intn(len(m) + 2)
				l.TrimBack(k)
				m = m[:len(m)-min(k, len(m))]
			case op == 18:
				if len(m) > 0 {
					i := r.Intn(len(m))
					rev := r.Intn(2) == 0
					it := l.Iter(i, rev)
					var got [][]byte
					for it.Next() {
						got = append(got, it.Value())
					}
					var want [][]byte
					if rev {
						for j := i; j >= 0; j-- {
							want = append(want, m[j])
						}
					} else {
						want = m[i:]
					}
					require.Equal(t, want, got)
				}
			case op == 19:
				c := l.Copy().(*List)
				checkList(t, c, m)
				c.PushBack([]byte("only in copy"))
			}
			if step%50 == 0 || step == steps-1 {
				checkList(t, l, m)
			}
		}
	}
}

func removeModel(m *[][]byte, v []byte, count int) int {
	s := *m
	limit := count
	if limit < 0 {
		limit = -limit
	}
	removed := 0
	keep := make([]bool, len(s))
	for i := range keep {
		keep[i] = true
	}
	if count >= 0 {
		for i := 0; i < len(s); i++ {
			if bytes.Equal(s[i], v) && (limit == 0 || removed < limit) {
				keep[i] = false
				removed++
			}
		}
	} else {
		for i := len(s) - 1; i >= 0; i-- {
			if bytes.Equal(s[i], v) && removed < limit {
				keep[i] = false
				removed++
			}
		}
	}
	var out [][]byte
	for i, e := range s {
		if keep[i] {
			out = append(out, e)
		}
	}
	*m = out
	return removed
}

func TestListQueueChurn(t *testing.T) {
	// A queue hovering around one node's size must stay correct while
	// the node recentres.
	l := NewList()
	var m [][]byte
	for i := 0; i < 200000; i++ {
		v := []byte(fmt.Sprint(i))
		l.PushBack(v)
		m = append(m, v)
		if i%3 != 0 && len(m) > 700 {
			got, _ := l.PopFront()
			require.Equal(t, m[0], got)
			m = m[1:]
		}
	}
	checkList(t, l, m)
	l2 := NewList()
	m = m[:0]
	for i := 0; i < 100000; i++ {
		v := []byte(fmt.Sprint(i))
		l2.PushFront(v)
		m = append(m, v)
		if len(m) > 500 {
			got, _ := l2.PopBack()
			require.Equal(t, m[0], got)
			m = m[1:]
		}
	}
	for i, j := 0, len(m)-1; i < j; i, j = i+1, j-1 {
		m[i], m[j] = m[j], m[i]
	}
	checkList(t, l2, m)
}

func TestListMemory(t *testing.T) {
	// 10-byte elements cost 12 bytes packed; nodes are nearly full.
	l := NewList()
	for i := 0; i < 100000; i++ {
		l.PushBack([]byte("0123456789"))
	}
	capTotal := 0
	for nd := l.head; nd != nil; nd = nd.next {
		capTotal += len(nd.buf)
	}
	require.Less(t, capTotal, 100000*14)
}

func BenchmarkListPushPop(b *testing.B) {
	l := NewList()
	v := []byte("0123456789")
	for i := 0; i < b.N; i++ {
		l.PushBack(v)
		if l.Len() > 1000 {
			l.PopFront()
		}
	}
}
