package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestZSetSkipTo walks both encodings with random jumps and checks each
// step against the sorted model: IterFrom and SkipTo land on the first
// entry (not yet returned) whose score is at least the target.
func TestZSetSkipTo(t *testing.T) {
	for _, large := range []bool{false, true} {
		t.Run(fmt.Sprint("large=", large), func(t *testing.T) {
			for round := 0; round < 50; round++ {
				z := NewZSet(large)
				m := model{}
				n := rand.IntN(400)
				for i := 0; i < n; i++ {
					mem := fmt.Sprintf("m%d", i)
					s := float64(rand.IntN(200))
					z.Insert(mem, s, 1<<30, 1<<30)
					m[mem] = s
				}
				want := m.sorted()
				start := float64(rand.IntN(220) - 10)
				it := z.IterFrom(start)
				pos := 0
				for pos < len(want) && want[pos].Score < start {
					pos++
				}
				for {
					if rand.IntN(3) == 0 {
						target := float64(rand.IntN(230) - 10)
						it.SkipTo(target)
						for pos < len(want) && want[pos].Score < target {
							pos++
						}
					}
					mem, s, ok := it.Next()
					if pos >= len(want) {
						require.False(t, ok)
						break
					}
					require.True(t, ok)
					require.Equal(t, want[pos], ZEntry{mem, s})
					pos++
				}
			}
		})
	}
}
