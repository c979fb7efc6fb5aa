package core

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keysTestServer is a server with the default table plus the given
// extra handlers, and a client whose replies are collected as Values.
type keysTestServer struct {
	t *testing.T
	s *Server
}

func newKeysTestServer(t *testing.T, extra map[string]Handler) *keysTestServer {
	tbl := DefaultTable()
	for name, h := range extra {
		tbl.Add(name, h)
	}
	s := New(NewConfig(), tbl)
	t.Cleanup(s.RequestShutdown)
	return &keysTestServer{t: t, s: s}
}

func (ts *keysTestServer) client() *Client {
	c := ts.s.NewClient(NopConn{}, "test:1", "test:2")
	c.W = NewBuilder(2)
	return c
}

// do runs a command for c and returns its reply.
func (ts *keysTestServer) do(c *Client, args ...string) Value {
	ts.t.Helper()
	b := c.W.(*Builder)
	b.Reset()
	a := make([][]byte, len(args))
	for i, s := range args {
		a[i] = []byte(s)
	}
	ts.s.Exec(c, a)
	vals := b.Values()
	require.Len(ts.t, vals, 1, "reply to %v", args)
	return vals[0]
}

func TestParseScanCursor(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"+0", 0, true}, {"-0", 0, true}, {"00", 0, true},
		{"17", 17, true}, {"+17", 17, true}, {"-1", 1<<64 - 1, true},
		{"18446744073709551615", 1<<64 - 1, true}, {"-18446744073709551615", 1, true},
		{"18446744073709551616", 0, false}, {" 0", 0, false}, {"0 ", 0, false},
		{"-", 0, false}, {"+", 0, false}, {"0x10", 0, false}, {"1.5", 0, false},
		{"abc", 0, false}, {"--1", 0, false}, {"+-1", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseScanCursor([]byte(c.in))
		assert.Equal(t, c.ok, ok, "%q", c.in)
		if c.ok {
			assert.Equal(t, c.want, got, "%q", c.in)
		}
	}
}

// TestScanCompleteUnderChurn checks SCAN's guarantee: every key present
// from the start to the end of a full iteration is returned at least
// once, while other keys are added and removed between calls (making the
// table grow and shrink).
func TestScanCompleteUnderChurn(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	c := ts.client()
	for round := 0; round < 20; round++ {
		ts.do(c, "FLUSHALL")
		stable := map[string]bool{}
		for i := 0; i < 300; i++ {
			k := fmt.Sprintf("stable:%d", i)
			stable[k] = true
			ts.do(c, "SET", k, "v")
		}
		var churn []string
		seen := map[string]int{}
		cursor := "0"
		for calls := 0; ; calls++ {
			require.Less(t, calls, 100000, "scan does not terminate")
			r := ts.do(c, "SCAN", cursor, "COUNT", strconv.Itoa(1+rand.IntN(20)))
			require.Equal(t, VArray, r.Kind)
			require.Len(t, r.Elems, 2)
			cursor = string(r.Elems[0].Str)
			for _, k := range r.Elems[1].Elems {
				seen[string(k.Str)]++
			}
			if cursor == "0" {
				break
			}
			// Grow by a burst, or shrink by deleting churn keys.
			if rand.IntN(2) == 0 {
				for i := 0; i < rand.IntN(400); i++ {
					k := fmt.Sprintf("churn:%d:%d", calls, i)
					churn = append(churn, k)
					ts.do(c, "SET", k, "v")
				}
			} else {
				for len(churn) > 0 && rand.IntN(50) != 0 {
					ts.do(c, "DEL", churn[len(churn)-1])
					churn = churn[:len(churn)-1]
				}
			}
		}
		for k := range stable {
			assert.GreaterOrEqual(t, seen[k], 1, "round %d: %s never returned", round, k)
		}
	}
}

func TestScanFilters(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	c := ts.client()
	for i := 0; i < 100; i++ {
		ts.do(c, "SET", fmt.Sprintf("a:%d", i), "v")
		ts.do(c, "SET", fmt.Sprintf("b:%d", i), "v")
	}
	for i := 0; i < 10; i++ {
		ts.do(c, "PEXPIRE", fmt.Sprintf("a:%d", i), "1")
	}
	time.Sleep(5 * time.Millisecond)
	scanAll := func(opts ...string) map[string]int {
		seen := map[string]int{}
		cursor := "0"
		for {
			r := ts.do(c, append([]string{"SCAN", cursor}, opts...)...)
			cursor = string(r.Elems[0].Str)
			for _, k := range r.Elems[1].Elems {
				seen[string(k.Str)]++
			}
			if cursor == "0" {
				return seen
			}
		}
	}
	assert.Len(t, scanAll(), 190)
	a := scanAll("MATCH", "a:*", "COUNT", "3")
	assert.Len(t, a, 90)
	for k := range a {
		assert.Regexp(t, `^a:[1-9][0-9]$`, k)
	}
	assert.Len(t, scanAll("TYPE", "string"), 190)
	assert.Len(t, scanAll("TYPE", "STRING", "MATCH", "b:1*"), 11)
	assert.Len(t, scanAll("TYPE", "list"), 0)
}

func TestStringEncoding(t *testing.T) {
	cases := []struct {
		v    string
		raw  bool
		want string
	}{
		{"0", false, "int"}, {"-1", false, "int"}, {"9223372036854775807", false, "int"},
		{"-9223372036854775808", false, "int"}, {"9223372036854775808", false, "embstr"},
		{"01", false, "embstr"}, {"+1", false, "embstr"}, {"", false, "embstr"},
		{"12", true, "raw"}, {"abc", true, "raw"},
		{string(make([]byte, 44)), false, "embstr"}, {string(make([]byte, 45)), false, "raw"},
	}
	for _, c := range cases {
		e := &keyspace.Entry{Value: []byte(c.v), Raw: c.raw}
		assert.Equal(t, c.want, StringEncoding(e), "%q raw=%v", c.v, c.raw)
	}
}

func TestJemallocSize(t *testing.T) {
	cases := map[int]int{
		1: 8, 8: 8, 9: 16, 16: 16, 17: 32, 23: 32, 33: 48, 48: 48, 49: 64, 65: 80,
		128: 128, 129: 160, 160: 160, 161: 192, 257: 320, 1025: 1280,
		14337: 16384, 16385: 20480, 32769: 40960,
	}
	for n, want := range cases {
		assert.Equal(t, want, jemallocSize(n), "size %d", n)
	}
}

// TestFlushWatchPrecision checks that flushing and swapping mark dirty
// only the watchers of keys that exist, as Redis does.
func TestFlushWatchPrecision(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	c, w := ts.client(), ts.client()
	watch := func(key string) {
		ts.s.Lock()
		(&Ctx{S: ts.s, C: w, DB: w.DB}).Watch([]byte(key))
		ts.s.Unlock()
	}
	dirty := func() bool {
		ts.s.Lock()
		defer ts.s.Unlock()
		d := w.watchDirty
		ts.s.unwatchAll(w)
		return d
	}
	watch("nokey")
	ts.do(c, "SET", "other", "v")
	ts.do(c, "FLUSHALL")
	assert.False(t, dirty())

	ts.do(c, "SET", "k", "v")
	watch("k")
	ts.do(c, "FLUSHDB")
	assert.True(t, dirty())

	ts.do(c, "SELECT", "1")
	ts.do(c, "SET", "k", "v")
	watch("k")
	ts.do(c, "FLUSHDB") // another database
	assert.False(t, dirty())

	ts.do(c, "SET", "k", "v") // db 1 only
	watch("k")                // in db 0, absent
	ts.do(c, "SWAPDB", "0", "1")
	assert.True(t, dirty())
	watch("absent")
	ts.do(c, "SWAPDB", "0", "1")
	assert.False(t, dirty())
}

// TestSwapDBServesBlockedClients blocks a client with BLPOP on a key of
// db 0, then brings the key in with SWAPDB.
func TestSwapDBServesBlockedClients(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	c, b := ts.client(), ts.client()
	done := make(chan Value, 1)
	go func() {
		bw := b.W.(*Builder)
		ts.s.Exec(b, [][]byte{[]byte("BLPOP"), []byte("k"), []byte("0")})
		done <- bw.Values()[0]
	}()
	for {
		ts.s.Lock()
		n := ts.s.BlockedClients()
		ts.s.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ts.do(c, "SELECT", "1")
	ts.do(c, "RPUSH", "k", "swapped-in")
	assert.Equal(t, "OK", string(ts.do(c, "SWAPDB", "0", "1").Str))
	select {
	case v := <-done:
		require.Len(t, v.Elems, 2)
		assert.Equal(t, "swapped-in", string(v.Elems[1].Str))
	case <-time.After(3 * time.Second):
		t.Fatal("blocked client not served after SWAPDB")
	}
	assert.Equal(t, int64(0), ts.do(c, "EXISTS", "k").Int, "db 1 now holds the old db 0")
	ts.do(c, "SELECT", "0")
	assert.Equal(t, int64(0), ts.do(c, "EXISTS", "k").Int, "served client consumed the key")
}

func TestRandomKeyAllExpired(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	ts.s.Config.SetActiveExpire(false)
	c := ts.client()
	for i := 0; i < 500; i++ {
		k := "e" + strconv.Itoa(i)
		ts.do(c, "SET", k, "v")
		ts.do(c, "PEXPIRE", k, "1")
	}
	ts.do(c, "SET", "live", "v")
	time.Sleep(5 * time.Millisecond)
	for i := 0; i < 20; i++ {
		assert.Equal(t, "live", string(ts.do(c, "RANDOMKEY").Str))
	}
	ts.do(c, "DEL", "live")
	ts.do(c, "SET", "x", "v")
	ts.do(c, "PEXPIRE", "x", "1")
	time.Sleep(5 * time.Millisecond)
	assert.Equal(t, VNull, ts.do(c, "RANDOMKEY").Kind)
	assert.Equal(t, int64(0), ts.do(c, "DBSIZE").Int)
}
