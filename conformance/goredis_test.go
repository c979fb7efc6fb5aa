package conformance

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// Through a real client library, in RESP2 and RESP3: what applications do.
func TestGoRedisClient(t *testing.T) {
	addr := StartPolyfn(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
			defer rdb.Close()
			require.NoError(t, rdb.Ping(ctx).Err())
			require.NoError(t, rdb.Set(ctx, "greeting", "hello", 0).Err())
			v, err := rdb.Get(ctx, "greeting").Result()
			require.NoError(t, err)
			require.Equal(t, "hello", v)
			_, err = rdb.Get(ctx, "missing").Result()
			require.ErrorIs(t, err, redis.Nil)
			err = rdb.Do(ctx, "NOSUCH").Err()
			require.EqualError(t, err, "ERR unknown command 'NOSUCH', with args beginning with: ")

			cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := 0; i < 100; i++ {
					p.Set(ctx, fmt.Sprintf("k%d", i), i, 0)
				}
				return nil
			})
			require.NoError(t, err)
			require.Len(t, cmds, 100)
			require.Equal(t, "42", rdb.Get(ctx, "k42").Val())
		})
	}
}

// Many clients with pipelines at once: every reply reaches the client that
// asked, in order (run under -race in CI).
func TestConcurrentPipelines(t *testing.T) {
	addr := StartPolyfn(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := 0; c < 20; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 2})
			defer rdb.Close()
			for round := 0; round < 20; round++ {
				var gets []*redis.StringCmd
				_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
					for i := 0; i < 20; i++ {
						key := fmt.Sprintf("c%d:%d", c, i)
						p.Set(ctx, key, fmt.Sprintf("%d-%d", round, i), 0)
						gets = append(gets, p.Get(ctx, key))
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				for i, g := range gets {
					if g.Val() != fmt.Sprintf("%d-%d", round, i) {
						t.Errorf("client %d round %d: got %q", c, round, g.Val())
						return
					}
				}
			}
		}(c)
	}
	wg.Wait()
}
