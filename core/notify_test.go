package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNotifyOffAllocs: with notify-keyspace-events empty (the default),
// the notification calls in the handlers allocate nothing: a miss (the
// keymiss site) and writes that would publish an event cost what they
// cost before (measured against PING).
func TestNotifyOffAllocs(t *testing.T) {
	r := newRunner(t)
	r.do(b("HSET"), b("h"), b("f"), b("v"))
	r.do(b("SADD"), b("s"), b("m"))
	r.do(b("SET"), b("k"), b("value"))
	cases := []struct {
		name string
		args [][]byte
	}{
		{"GET missing", [][]byte{b("GET"), b("nokey")}},
		{"SET", [][]byte{b("SET"), b("k"), b("value")}},
		{"HSET", [][]byte{b("HSET"), b("h"), b("f"), b("v")}},
		{"SADD", [][]byte{b("SADD"), b("s"), b("m")}},
		{"EXPIRE", [][]byte{b("EXPIRE"), b("k"), b("100")}},
	}
	ping := [][]byte{b("PING")}
	base := testing.AllocsPerRun(200, func() { r.do(ping...) })
	for _, c := range cases {
		n := testing.AllocsPerRun(200, func() { r.do(c.args...) }) - base
		t.Logf("%s: %.1f allocs", c.name, n)
		require.LessOrEqual(t, n, 0.0, c.name)
	}
}
