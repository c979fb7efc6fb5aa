package core_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// startServer starts a server with every engine on a loopback port, its
// files in a directory of the test's unless args name another, loads
// what that directory holds, and returns it with a one-connection RESP2
// client. setup, when not nil, runs before the server listens. Both are
// closed when the test ends.
func startServer(t *testing.T, setup func(cs *core.Server), args ...string) (*core.Server, *redis.Client) {
	t.Helper()
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs(append([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}, args...)))
	cs := core.New(cfg, core.DefaultTable())
	cs.SetEngines(engines.Registry())
	if setup != nil {
		setup(cs)
	}
	require.NoError(t, cs.LoadAtStartup())
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	c := redis.NewClient(&redis.Options{Addr: addrs[0].String(), Protocol: 2, PoolSize: 1})
	t.Cleanup(func() {
		c.Close()
		cs.RequestShutdown()
		srv.Close()
	})
	return cs, c
}

// recordEffects installs an effects sink on cs. take returns the units
// written since its last call, each as "<db> <args...>" parts joined by
// " | ".
func recordEffects(cs *core.Server) (take func() []string) {
	var mu sync.Mutex
	var units []string
	cs.SetEffectSink(func(unit []core.Effect) {
		var parts []string
		for _, e := range unit {
			args := []string{string(rune('0' + e.DB))}
			for _, a := range e.Args {
				args = append(args, string(a))
			}
			parts = append(parts, strings.Join(args, " "))
		}
		mu.Lock()
		units = append(units, strings.Join(parts, " | "))
		mu.Unlock()
	})
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := units
		units = nil
		return out
	}
}
