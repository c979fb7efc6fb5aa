package core

import (
	"cmp"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// pqsort leaves the ranks [l, r] exactly as a full sort would (as values),
// whatever the input and the ties.
func TestPQSortRange(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	c := func(a, b *int) int { return cmp.Compare(*a, *b) }
	for iter := 0; iter < 500; iter++ {
		n := 1 + rng.Intn(120)
		a := make([]int, n)
		for i := range a {
			a[i] = rng.Intn(1 + rng.Intn(50))
		}
		want := slices.Clone(a)
		slices.Sort(want)
		l := rng.Intn(n)
		r := l + rng.Intn(n-l)
		got := slices.Clone(a)
		pqsort(got, c, l, r)
		require.Equal(t, want[l:r+1], got[l:r+1], "n=%d l=%d r=%d", n, l, r)
		full := slices.Clone(a)
		pqsort(full, c, 0, n-1)
		require.Equal(t, want, full)
	}
}
