package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
)

// run executes one command the way EXEC does (no blocking) and returns
// the RESP reply.
func run(t *testing.T, s *core.Server, c *core.Client, resp int, args ...string) string {
	t.Helper()
	a := make([][]byte, len(args))
	for i, x := range args {
		a[i] = []byte(x)
	}
	cmd, found := s.Table.Lookup(a)
	require.True(t, found, args[0])
	w := protocol.NewWriter(resp)
	s.Lock()
	s.Call(&core.Ctx{S: s, C: c, W: w, DB: c.DB, InMulti: true}, cmd, a, w)
	s.Unlock()
	return string(w.Bytes())
}

func TestZSetNoBlockAndSetInputs(t *testing.T) {
	cfg := core.NewConfig()
	s := core.New(cfg, core.DefaultTable())
	defer s.RequestShutdown()
	c := s.NewClient(core.NopConn{}, "127.0.0.1:1", "127.0.0.1:2")

	// Inside MULTI a blocking pop on empty keys answers as on timeout.
	require.Equal(t, "*-1\r\n", run(t, s, c, 2, "bzpopmin", "nokey", "0"))
	require.Equal(t, "_\r\n", run(t, s, c, 3, "bzpopmax", "nokey", "0"))
	require.Equal(t, "*-1\r\n", run(t, s, c, 2, "bzmpop", "0", "1", "nokey", "min"))
	require.Equal(t, "-ERR timeout is negative\r\n", run(t, s, c, 2, "bzpopmin", "nokey", "-1"))
	require.Equal(t, ":1\r\n", run(t, s, c, 2, "zadd", "z", "1", "a"))
	require.Equal(t, "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n", run(t, s, c, 2, "bzpopmin", "nokey", "z", "0"))

	// Plain sets count as sorted sets with score 1.
	require.Equal(t, ":3\r\n", run(t, s, c, 2, "sadd", "set", "a", "b", "c"))
	require.Equal(t, ":2\r\n", run(t, s, c, 2, "zadd", "z", "5", "a", "7", "d"))
	require.Equal(t, "*2\r\n$1\r\na\r\n$1\r\n6\r\n",
		run(t, s, c, 2, "zinter", "2", "z", "set", "withscores", "aggregate", "sum", "weights", "1", "1"))
	require.Equal(t, "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n", run(t, s, c, 2, "zunion", "2", "set", "z"))
	require.Equal(t, "*2\r\n$1\r\nb\r\n$1\r\nc\r\n", run(t, s, c, 2, "zdiff", "2", "set", "z"))
	require.Equal(t, ":1\r\n", run(t, s, c, 2, "zintercard", "2", "set", "z"))
	require.Equal(t, ":3\r\n", run(t, s, c, 2, "zunionstore", "dst", "1", "set"))
	require.Equal(t, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n1\r\n", run(t, s, c, 2, "zrange", "dst", "0", "-1", "withscores"))
	require.Contains(t, run(t, s, c, 2, "zadd", "set", "1", "a"), "WRONGTYPE")
}
