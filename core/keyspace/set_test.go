package keyspace

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func setMembers(s *Set) []string {
	var out []string
	s.Range(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	return out
}

func TestParseInt(t *testing.T) {
	for _, ok := range []string{"0", "-1", "9223372036854775807", "-9223372036854775808", "12"} {
		_, good := ParseInt([]byte(ok))
		require.True(t, good, ok)
	}
	for _, bad := range []string{"", "-", "-0", "007", "+1", " 1", "1 ", "1.0", "9223372036854775808", "-9223372036854775809", "99999999999999999999", "0x1"} {
		_, good := ParseInt([]byte(bad))
		require.False(t, good, bad)
	}
}

func TestIntsetSortedAndConverts(t *testing.T) {
	s := NewSet()
	for _, m := range []string{"5", "-3", "100", "0", "5"} {
		s.Add([]byte(m), 512)
	}
	require.Equal(t, "intset", s.Encoding())
	require.Equal(t, []string{"-3", "0", "5", "100"}, setMembers(s))
	require.True(t, s.Has([]byte("100")))
	require.False(t, s.Has([]byte("0100")))
	require.False(t, s.Remove([]byte("abc")))
	require.True(t, s.Remove([]byte("0")))
	require.Equal(t, []string{"-3", "5", "100"}, setMembers(s))

	s.Add([]byte("007"), 512)
	require.Equal(t, "hashtable", s.Encoding())
	require.True(t, s.Has([]byte("007")))
	require.True(t, s.Has([]byte("5")))
	require.False(t, s.Has([]byte("7")))

	c := NewSet()
	for i := 0; i < 4; i++ {
		c.AddInt(int64(i), 4)
	}
	require.Equal(t, "intset", c.Encoding())
	c.AddInt(9, 4)
	require.Equal(t, "hashtable", c.Encoding())
	require.True(t, c.Has([]byte("9")))
	require.Equal(t, 5, c.Len())
}

func TestSetModel(t *testing.T) {
	for _, ints := range []bool{true, false} {
		s := NewSet()
		model := map[string]bool{}
		for step := 0; step < 5000; step++ {
			m := fmt.Sprint(rand.IntN(700) - 350)
			if !ints && rand.IntN(50) == 0 {
				m = "x" + m
			}
			if rand.IntN(3) < 2 {
				require.Equal(t, !model[m], s.Add([]byte(m), 512))
				model[m] = true
			} else {
				require.Equal(t, model[m], s.Remove([]byte(m)))
				delete(model, m)
			}
			require.Equal(t, len(model), s.Len())
		}
		var want []string
		for m := range model {
			want = append(want, m)
		}
		got := setMembers(s)
		if s.IsIntset() {
			require.True(t, slices.IsSorted(s.Ints()))
		}
		sort.Strings(want)
		sort.Strings(got)
		require.Equal(t, want, got)
		cp := s.Copy().(*Set)
		cp.Add([]byte("copy-only"), 512)
		require.False(t, s.Has([]byte("copy-only")))
		for s.Len() > 0 {
			m := s.PopRandom()
			require.True(t, model[m])
			delete(model, m)
		}
		require.Empty(t, model)
	}
}
