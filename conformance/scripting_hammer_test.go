package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// Many clients calling one library while it is replaced, slow scripts
// become busy and get killed: every call either succeeds or fails with a
// documented error, no increment is lost or doubled, and the server keeps
// answering. Run under the race detector in CI.
func TestScriptingHammer(t *testing.T) {
	addr := StartPolyfn(t, "--busy-reply-threshold", "20")
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: addr})
	defer admin.Close()
	lib := func(version int) string {
		return fmt.Sprintf("#!lua name=hammer\n"+
			"redis.register_function('bump', function(keys) return redis.call('INCR', keys[1]) end)\n"+
			"redis.register_function{function_name='version', callback=function() return %d end, flags={'no-writes'}}\n", version)
	}
	require.NoError(t, admin.FunctionLoad(ctx, lib(0)).Err())

	var (
		wg      sync.WaitGroup
		stop    atomic.Bool
		bumps   atomic.Int64
		kills   atomic.Int64
		reloads atomic.Int64
	)
	deadline := time.Now().Add(1500 * time.Millisecond)
	allowed := func(err error) bool {
		// Busy while a slow script runs: these are the only errors expected.
		return err != nil && strings.HasPrefix(err.Error(), "BUSY ")
	}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
			defer c.Close()
			key := fmt.Sprintf("counter:%d", w%4)
			for !stop.Load() {
				err := c.FCall(ctx, "bump", []string{key}).Err()
				switch {
				case err == nil:
					bumps.Add(1)
				case allowed(err):
				default:
					t.Errorf("FCALL bump: %v", err)
					return
				}
				if err := c.FCallRO(ctx, "version", []string{key}).Err(); err != nil && !allowed(err) {
					t.Errorf("FCALL_RO version: %v", err)
					return
				}
			}
		}(w)
	}
	wg.Add(3)
	go func() { // replace the library again and again
		defer wg.Done()
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		for v := 1; !stop.Load(); v++ {
			if err := c.FunctionLoadReplace(ctx, lib(v)).Err(); err != nil && !allowed(err) {
				t.Errorf("FUNCTION LOAD REPLACE: %v", err)
				return
			}
			reloads.Add(1)
		}
	}()
	go func() { // slow read-only scripts that turn the server busy
		defer wg.Done()
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		for !stop.Load() {
			err := c.Eval(ctx, "local n = 0 for i = 1, 3e6 do n = n + i end return redis.call('GET', 'counter:0')", nil).Err()
			if err != nil && err != redis.Nil && !strings.Contains(err.Error(), "Script killed by user") && !allowed(err) {
				t.Errorf("slow EVAL: %v", err)
				return
			}
		}
	}()
	go func() { // kill whatever is busy
		defer wg.Done()
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		defer c.Close()
		for !stop.Load() {
			err := c.ScriptKill(ctx).Err()
			switch {
			case err == nil:
				kills.Add(1)
			case strings.HasPrefix(err.Error(), "NOTBUSY"), allowed(err):
			default:
				t.Errorf("SCRIPT KILL: %v", err)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(time.Until(deadline))
	stop.Store(true)
	wg.Wait()

	var total int64
	for i := 0; i < 4; i++ {
		n, err := admin.Get(ctx, fmt.Sprintf("counter:%d", i)).Int64()
		if err != redis.Nil {
			require.NoError(t, err)
		}
		total += n
	}
	require.Equal(t, bumps.Load(), total, "every acknowledged FCALL incremented exactly once")
	require.Positive(t, bumps.Load())
	require.Positive(t, reloads.Load())
	t.Logf("%d bumps, %d reloads, %d kills", bumps.Load(), reloads.Load(), kills.Load())
	require.NoError(t, admin.Ping(ctx).Err())
}
