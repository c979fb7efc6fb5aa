package conformance

import (
	"strconv"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTransactionsConcurrent checks through the real server (run it with
// -race) that EXEC is atomic and WATCH is a working compare-and-set:
// clients increment a counter with WATCH / GET / MULTI / SET / EXEC,
// retrying on a null EXEC, and the total is exact; meanwhile transactions
// set two keys together and readers never see them differ.
func TestTransactionsConcurrent(t *testing.T) {
	addr := StartPolyfn(t)
	const (
		incrementers = 6
		increments   = 150
		readers      = 2
	)
	var wg sync.WaitGroup
	var retries int64
	var mu sync.Mutex
	for i := 0; i < incrementers; i++ {
		c := Dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < increments; {
				c.Do("WATCH", "counter")
				v, _, err := c.Do("GET", "counter")
				if err != nil {
					t.Error(err)
					return
				}
				cur := int64(0)
				if v.Kind == core.VBulk {
					cur, _ = strconv.ParseInt(string(v.Str), 10, 64)
				}
				c.Send("MULTI")
				c.Send("SET", "counter", strconv.FormatInt(cur+1, 10))
				c.Send("EXEC")
				for k := 0; k < 2; k++ {
					if _, _, err := c.Read(); err != nil {
						t.Error(err)
						return
					}
				}
				v, _, err = c.Read()
				if err != nil {
					t.Error(err)
					return
				}
				if v.Kind == core.VNullArray {
					mu.Lock()
					retries++
					mu.Unlock()
					continue
				}
				n++
			}
		}()
	}
	pair := Dial(t, addr)
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; i < 500; i++ {
			s := strconv.Itoa(i)
			pair.Send("MULTI")
			pair.Send("SET", "a", s)
			pair.Send("SET", "b", s)
			pair.Send("EXEC")
			for k := 0; k < 4; k++ {
				if _, _, err := pair.Read(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for r := 0; r < readers; r++ {
		c := Dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				v, raw, err := c.Do("MGET", "a", "b")
				if err != nil {
					t.Error(err)
					return
				}
				if string(v.Elems[0].Str) != string(v.Elems[1].Str) {
					t.Errorf("a transaction was seen half done: %q", raw)
					return
				}
			}
		}()
	}
	wg.Wait()
	c := Dial(t, addr)
	v, _, err := c.Do("GET", "counter")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(incrementers*increments), string(v.Str))
	t.Logf("%d optimistic retries", retries)
}
