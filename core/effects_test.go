package core_test

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// The effects stream: what a change looks like to persistence and
// replicas. Scripts are replayed by the writes they made (honouring
// redis.set_repl), transactions and scripts as one unit each.
func TestEffectsStream(t *testing.T) {
	var take func() []string
	_, rdb := startServer(t, func(cs *core.Server) { take = recordEffects(cs) })
	ctx := context.Background()

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
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"0 set x 1 | 0 incr y"}, take())

	lib := "#!lua name=eff\nredis.register_function('w', function(k) return redis.call('set', k[1], 'v') end)"
	run("FUNCTION", "LOAD", lib)
	run("FCALL", "w", "1", "fk")
	run("FUNCTION", "DELETE", "eff")
	require.Equal(t, []string{"0 FUNCTION LOAD " + lib, "0 set fk v", "0 FUNCTION DELETE eff"}, take())
}
