package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
)

// run executes one command through the core's dispatcher with a reusable
// writer, the way a connection does.
type runner struct {
	s *core.Server
	c *core.Client
	w *protocol.Writer
}

func newRunner(t testing.TB) *runner {
	cs := core.New(core.NewConfig(), core.DefaultTable())
	t.Cleanup(cs.RequestShutdown)
	c := cs.NewClient(nil, "test", "test")
	w := protocol.NewWriter(2)
	c.W = w
	return &runner{s: cs, c: c, w: w}
}

func (r *runner) do(args ...[]byte) {
	r.w.Reset()
	r.s.Exec(r.c, args)
}

func (r *runner) reply(args ...[]byte) string {
	r.do(args...)
	return string(r.w.Bytes())
}

func b(s string) []byte { return []byte(s) }

// TestStringHotPathAllocs bounds the allocations of GET, SET, INCR and
// MSET on existing keys, beyond what the dispatcher itself costs (PING).
func TestStringHotPathAllocs(t *testing.T) {
	r := newRunner(t)
	get, set, incr := [][]byte{b("GET"), b("k")}, [][]byte{b("SET"), b("k"), b("value")}, [][]byte{b("INCR"), b("n")}
	mset := [][]byte{b("MSET"), b("a"), b("1"), b("b"), b("2")}
	require.Equal(t, "+OK\r\n", r.reply(set...))
	r.do(mset...)
	r.do(incr...)
	cases := []struct {
		name string
		args [][]byte
		max  float64
	}{
		{"GET", get, 0},
		{"SET", set, 0},   // same length: overwritten in place
		{"INCR", incr, 0}, // same number of digits: rewritten in place
		{"MSET", mset, 0},
	}
	ping := [][]byte{b("PING")}
	base := testing.AllocsPerRun(200, func() { r.do(ping...) })
	for _, c := range cases {
		n := testing.AllocsPerRun(200, func() { r.do(c.args...) }) - base
		t.Logf("%s: %.1f allocs", c.name, n)
		require.LessOrEqual(t, n, c.max, c.name)
	}
}

func BenchmarkGet(bm *testing.B) {
	r := newRunner(bm)
	r.do(b("SET"), b("k"), b("value"))
	args := [][]byte{b("GET"), b("k")}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		r.do(args...)
	}
}

func BenchmarkSet(bm *testing.B) {
	r := newRunner(bm)
	args := [][]byte{b("SET"), b("k"), b("value")}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		r.do(args...)
	}
}

func BenchmarkIncr(bm *testing.B) {
	r := newRunner(bm)
	args := [][]byte{b("INCR"), b("n")}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		r.do(args...)
	}
}
