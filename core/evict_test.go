package core_test

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// An evicted key reaches the effects stream as DEL (UNLINK with
// lazyfree-lazy-eviction), in the database it lived in, and invalidates a
// WATCH on it. A maxmemory of 1 byte evicts everything the policy allows
// before every command.
func TestEvictionEffectsAndWatch(t *testing.T) {
	var take func() []string
	_, rdb := startServer(t, func(cs *core.Server) { take = recordEffects(cs) }, "--maxmemory-policy", "volatile-random")
	ctx := context.Background()

	require.NoError(t, rdb.Set(ctx, "keep", "1", 0).Err())
	require.NoError(t, rdb.Do(ctx, "SELECT", "3").Err())
	require.NoError(t, rdb.Set(ctx, "v", "1", 0).Err())
	require.NoError(t, rdb.Expire(ctx, "v", 1000_000_000_000).Err())
	require.NoError(t, rdb.Do(ctx, "SELECT", "0").Err())
	take()

	// A transaction watching the volatile key: eviction touches it.
	watcher := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr, Protocol: 2, PoolSize: 1})
	defer watcher.Close()
	require.NoError(t, watcher.Do(ctx, "SELECT", "3").Err())
	err := watcher.Watch(ctx, func(tx *redis.Tx) error {
		require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "1").Err())
		require.Equal(t, "1", rdb.Get(ctx, "keep").Val()) // evicts first: only v has a TTL
		// Nothing left to evict: a transaction would be refused.
		require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "0").Err())
		_, err := tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Ping(ctx)
			return nil
		})
		return err
	}, "v")
	require.ErrorIs(t, err, redis.TxFailedErr)
	require.Equal(t, []string{"3 DEL v"}, take())

	require.NoError(t, rdb.Set(ctx, "a", "1", 0).Err())
	require.NoError(t, rdb.ConfigSet(ctx, "lazyfree-lazy-eviction", "yes").Err())
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-random").Err())
	take()
	require.NoError(t, rdb.ConfigSet(ctx, "maxmemory", "1").Err())
	require.Zero(t, rdb.DBSize(ctx).Val())
	got := take()
	require.Contains(t, got, "0 UNLINK a")
	require.Contains(t, got, "0 UNLINK keep")
	require.Equal(t, "OOM command not allowed when used memory > 'maxmemory'.", rdb.Set(ctx, "b", "1", 0).Err().Error())
}
