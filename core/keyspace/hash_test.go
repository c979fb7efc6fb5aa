package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func hashPairs(h *Hash) []string {
	var out []string
	h.Range(func(f, v []byte) bool {
		out = append(out, string(f), string(v))
		return true
	})
	return out
}

func TestHashListpackOrder(t *testing.T) {
	h := NewHash()
	require.True(t, h.Set([]byte("a"), []byte("1"), 128, 64))
	require.True(t, h.Set([]byte("b"), []byte("2"), 128, 64))
	require.True(t, h.Set([]byte("c"), []byte("3"), 128, 64))
	// Update in place, longer and shorter values.
	require.False(t, h.Set([]byte("b"), []byte("a much longer value"), 128, 64))
	require.Equal(t, []string{"a", "1", "b", "a much longer value", "c", "3"}, hashPairs(h))
	require.False(t, h.Set([]byte("b"), []byte(""), 128, 64))
	require.Equal(t, []string{"a", "1", "b", "", "c", "3"}, hashPairs(h))
	require.True(t, h.Delete([]byte("a")))
	require.False(t, h.Delete([]byte("a")))
	require.Equal(t, []string{"b", "", "c", "3"}, hashPairs(h))
	require.Equal(t, 2, h.Len())
	require.Equal(t, "listpack", h.Encoding())
	v, ok := h.Get([]byte("c"))
	require.True(t, ok)
	require.Equal(t, "3", string(v))
	_, ok = h.Get([]byte("zz"))
	require.False(t, ok)
}

func TestHashConversion(t *testing.T) {
	h := NewHash()
	for i := 0; i < 4; i++ {
		h.Set([]byte(fmt.Sprint("f", i)), []byte("v"), 4, 8)
	}
	require.Equal(t, "listpack", h.Encoding())
	h.Set([]byte("f4"), []byte("v"), 4, 8)
	require.Equal(t, "hashtable", h.Encoding())
	require.Equal(t, 5, h.Len())
	// One-way: deleting does not convert back.
	for i := 0; i < 4; i++ {
		require.True(t, h.Delete([]byte(fmt.Sprint("f", i))))
	}
	require.Equal(t, "hashtable", h.Encoding())

	long := NewHash()
	long.Set([]byte("a"), []byte("12345678"), 4, 8)
	require.Equal(t, "listpack", long.Encoding())
	long.Set([]byte("b"), []byte("123456789"), 4, 8)
	require.Equal(t, "hashtable", long.Encoding())
	v, _ := long.Get([]byte("a"))
	require.Equal(t, "12345678", string(v))
}

// TestHashModel checks both encodings against a map under random edits,
// including long values that need multi-byte length prefixes.
func TestHashModel(t *testing.T) {
	for _, maxEntries := range []int64{16, 1 << 20} {
		h := NewHash()
		model := map[string]string{}
		var order []string
		for step := 0; step < 5000; step++ {
			f := fmt.Sprint("k", rand.IntN(40))
			switch rand.IntN(3) {
			case 0, 1:
				v := string(make([]byte, rand.IntN(300)))
				_, had := model[f]
				require.Equal(t, !had, h.Set([]byte(f), []byte(v), maxEntries, 1<<20))
				if !had {
					order = append(order, f)
				}
				model[f] = v
			case 2:
				_, had := model[f]
				require.Equal(t, had, h.Delete([]byte(f)))
				delete(model, f)
				for i, o := range order {
					if o == f {
						order = append(order[:i:i], order[i+1:]...)
						break
					}
				}
			}
			require.Equal(t, len(model), h.Len())
		}
		for f, v := range model {
			got, ok := h.Get([]byte(f))
			require.True(t, ok)
			require.Equal(t, v, string(got))
		}
		if h.IsListpack() {
			var want []string
			for _, f := range order {
				want = append(want, f, model[f])
			}
			require.Equal(t, want, hashPairs(h))
		}
		c := h.Copy().(*Hash)
		require.Equal(t, h.Encoding(), c.Encoding())
		c.Set([]byte("k0"), []byte("changed"), maxEntries, 1<<20)
		if v, ok := model["k0"]; ok {
			got, _ := h.Get([]byte("k0"))
			require.Equal(t, v, string(got))
		}
	}
}

func TestHashRandom(t *testing.T) {
	for _, maxEntries := range []int64{128, 2} {
		h := NewHash()
		for i := 0; i < 5; i++ {
			h.Set([]byte(fmt.Sprint(i)), []byte(fmt.Sprint("v", i)), maxEntries, 64)
		}
		seen := map[string]bool{}
		for i := 0; i < 500; i++ {
			f, v := h.Random()
			require.Equal(t, "v"+string(f), string(v))
			seen[string(f)] = true
		}
		require.Len(t, seen, 5)
	}
}
