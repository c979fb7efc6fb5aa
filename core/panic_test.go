package core_test

import (
	"io"
	"log"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// A bug in one handler answers that client with an error and closes its
// connection; the server itself keeps running.
func TestHandlerPanicIsContained(t *testing.T) {
	table := core.NewTable()
	table.Add("get", func(ctx *core.Ctx) { panic("boom") })
	table.Add("ping", func(ctx *core.Ctx) { ctx.W.WriteStatus("PONG") })
	s := core.New(core.NewConfig(), table)
	defer s.RequestShutdown()
	s.Log = log.New(io.Discard, "", 0)
	c := s.NewClient(core.NopConn{}, "127.0.0.1:1", "127.0.0.1:2")
	b := core.NewBuilder(2)
	c.W = b
	s.Exec(c, [][]byte{[]byte("GET"), []byte("k")})
	require.Equal(t, "(error) ERR internal error in 'get' command (see the server log)", b.Values()[0].String())
	require.True(t, c.CloseSoon)

	other := s.NewClient(core.NopConn{}, "127.0.0.1:3", "127.0.0.1:2")
	b2 := core.NewBuilder(2)
	other.W = b2
	s.Exec(other, [][]byte{[]byte("PING")})
	require.Equal(t, `"PONG"`, b2.Values()[0].String())
}
