package conformance

import (
	"fmt"
	"math/rand"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// TestListsBlockingRace runs producers pushing unique elements and
// consumers popping them with every blocking form concurrently through a
// real polyfn server, and checks that each element is delivered exactly
// once and that nothing is left behind. Some consumers only relay
// elements (BLMOVE / BRPOPLPUSH) to another list, which others drain.
func TestListsBlockingRace(t *testing.T) {
	addr := StartPolyfn(t)
	const (
		producers = 4
		perProd   = 400
		consumers = 6
		relayers  = 2
	)
	keys := []string{"rq:a", "rq:b", "rq:c"}
	const relay = "rq:relay"
	total := int64(producers * perProd)

	prodConns := make([]*Client, producers)
	for i := range prodConns {
		prodConns[i] = Dial(t, addr)
	}
	consConns := make([]*Client, consumers+relayers)
	for i := range consConns {
		consConns[i] = Dial(t, addr)
	}

	var consumed atomic.Int64
	var mu sync.Mutex
	seen := map[string]int{}
	errs := make(chan error, producers+consumers+relayers)
	var wg sync.WaitGroup

	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int, c *Client) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(p)))
			for j := 0; j < perProd; {
				n := 1 + r.Intn(3)
				if j+n > perProd {
					n = perProd - j
				}
				cmd := []string{"RPUSH", keys[r.Intn(len(keys))]}
				if r.Intn(2) == 0 {
					cmd[0] = "LPUSH"
				}
				for k := 0; k < n; k++ {
					cmd = append(cmd, fmt.Sprintf("p%d-%d", p, j+k))
				}
				v, _, err := c.Do(cmd...)
				if err != nil || v.Kind != core.VInt {
					errs <- fmt.Errorf("push: %v %v", err, v)
					return
				}
				j += n
			}
		}(p, prodConns[p])
	}

	record := func(e string) {
		mu.Lock()
		seen[e]++
		mu.Unlock()
		consumed.Add(1)
	}
	for i := 0; i < consumers; i++ {
		wg.Add(1)
		go func(i int, c *Client) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(100 + i)))
			all := append(append([]string{}, keys...), relay)
			for consumed.Load() < total {
				var cmd []string
				switch r.Intn(3) {
				case 0:
					cmd = append(append([]string{"BLPOP"}, all...), "0.2")
				case 1:
					cmd = append(append([]string{"BRPOP"}, all...), "0.2")
				default:
					cmd = append(append([]string{"BLMPOP", "0.2", strconv.Itoa(len(all))}, all...), "LEFT", "COUNT", "3")
				}
				v, _, err := c.Do(cmd...)
				if err != nil {
					errs <- fmt.Errorf("%s: %v", cmd[0], err)
					return
				}
				if v.Kind != core.VArray || len(v.Elems) != 2 {
					continue // timed out
				}
				if cmd[0] == "BLMPOP" {
					for _, e := range v.Elems[1].Elems {
						record(string(e.Str))
					}
				} else {
					record(string(v.Elems[1].Str))
				}
			}
		}(i, consConns[i])
	}
	for i := 0; i < relayers; i++ {
		wg.Add(1)
		go func(i int, c *Client) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(200 + i)))
			for consumed.Load() < total {
				src := keys[r.Intn(len(keys))]
				cmd := []string{"BLMOVE", src, relay, "RIGHT", "LEFT", "0.1"}
				if r.Intn(2) == 0 {
					cmd = []string{"BRPOPLPUSH", src, relay, "0.1"}
				}
				if _, _, err := c.Do(cmd...); err != nil {
					errs <- fmt.Errorf("%s: %v", cmd[0], err)
					return
				}
			}
		}(i, consConns[consumers+i])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	require.Equal(t, total, consumed.Load())
	require.Len(t, seen, int(total))
	for e, n := range seen {
		require.Equal(t, 1, n, "element %s delivered %d times", e, n)
	}
	v, _, err := prodConns[0].Do("DBSIZE")
	require.NoError(t, err)
	require.Equal(t, int64(0), v.Int, "lists left behind")
}
