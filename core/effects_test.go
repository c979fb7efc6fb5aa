package core_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// The effects stream: what a change looks like to persistence and
// replicas. Scripts are replayed by the writes they made (honouring
// redis.set_repl), transactions and scripts as one unit each.
func TestEffectsStream(t *testing.T) {
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}))
	cs := core.New(cfg, core.DefaultTable())
	cs.SetEngines(engines.Registry())
	var mu sync.Mutex
	var units []string
	cs.SetEffectSink(func(unit []core.Effect) {
		var parts []string
		for _, e := range unit {
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a))
			}
			parts = append(parts, strings.Join(append([]string{string(rune('0' + e.DB))}, args...), " "))
		}
		mu.Lock()
		units = append(units, strings.Join(parts, " | "))
		mu.Unlock()
	})
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	defer func() { cs.RequestShutdown(); srv.Close() }()
	rdb := redis.NewClient(&redis.Options{Addr: addrs[0].String(), Protocol: 2, PoolSize: 1})
	defer rdb.Close()
	ctx := context.Background()

	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := units
		units = nil
		return out
	}
	run := func(args ...any) { rdb.Do(ctx, args...) }

	run("SET", "a", "1")
	run("GET", "a")
	run("SET", "a", "1", "NX") // no change: no effect
	require.Equal(t, []string{"0 SET a 1"}, take())

	run("EVAL", "redis.call('set','b','2') redis.call('get','b') redis.call('incr','c') return 1", "0")
	require.Equal(t, []string{"0 set b 2 | 0 incr c"}, take())

	run("EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set','hidden','1') redis.set_repl(redis.REPL_ALL) redis.call('set','shown','1')", "0")
	require.Equal(t, []string{"0 set shown 1"}, take())

	run("EVAL", "redis.call('select','3') redis.call('set','x','1') return redis.call('incr','nonint', 'bad')", "0")
	require.Equal(t, []string{"3 set x 1"}, take(), "writes made before an error are effects")

	run("EVAL", "return redis.call('get','a')", "0")
	require.Empty(t, take(), "a read-only script has no effects")

	pipe := rdb.TxPipeline()
	pipe.Set(ctx, "x", "1", 0)
	pipe.Get(ctx, "x")
	pipe.Incr(ctx, "y")
	_, err = pipe.Exec(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"0 set x 1 | 0 incr y"}, take())

	lib := "#!lua name=eff\nredis.register_function('w', function(k) return redis.call('set', k[1], 'v') end)"
	run("FUNCTION", "LOAD", lib)
	run("FCALL", "w", "1", "fk")
	run("FUNCTION", "DELETE", "eff")
	require.Equal(t, []string{"0 FUNCTION LOAD " + lib, "0 set fk v", "0 FUNCTION DELETE eff"}, take())
}
