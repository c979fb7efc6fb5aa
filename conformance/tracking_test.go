package conformance

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// Client-side caching invalidations, played against polyfn and
// redis-server: the transcripts (every reply and push, raw) must match.

type transcript struct {
	t     *testing.T
	lines []string
	ids   map[string]string // client IDs -> stable names
}

// normalize replaces the client IDs the scenario learnt (they differ
// between servers) by stable names.
func (tr *transcript) normalize(raw []byte) string {
	s := string(raw)
	for id, name := range tr.ids {
		s = strings.ReplaceAll(s, ":"+id+"\r\n", ":"+name+"\r\n")
	}
	return s
}

// hello switches c to RESP3 (its reply, which holds the ID, is not kept).
func (tr *transcript) hello(c *Client) {
	_, _, err := c.Do("HELLO", "3")
	require.NoError(tr.t, err)
}

func (tr *transcript) do(c *Client, args ...string) {
	tr.t.Helper()
	_, raw, err := c.Do(args...)
	require.NoError(tr.t, err, "%v", args)
	tr.lines = append(tr.lines, tr.normalize(raw))
}

// read takes one more reply or push, or notes that none came.
func (tr *transcript) read(c *Client) {
	tr.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(time.Second))
	_, raw, err := core.ReadValue(c.br)
	if err != nil {
		tr.lines = append(tr.lines, "(nothing)")
		return
	}
	tr.lines = append(tr.lines, tr.normalize(raw))
}

// quiet checks nothing more arrives within a short while.
func (tr *transcript) quiet(c *Client) {
	tr.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, raw, err := core.ReadValue(c.br)
	if err == nil {
		tr.lines = append(tr.lines, "unexpected: "+string(raw))
	}
}

func (tr *transcript) clientID(c *Client) string {
	v, _, err := c.Do("CLIENT", "ID")
	require.NoError(tr.t, err)
	id := strconv.FormatInt(v.Int, 10)
	if tr.ids == nil {
		tr.ids = map[string]string{}
	}
	tr.ids[id] = "<client " + strconv.Itoa(len(tr.ids)+1) + ">"
	return id
}

var trackingScenarios = map[string]func(tr *transcript, addr string){
	"resp3-default": func(tr *transcript, addr string) {
		a, b := Dial(tr.t, addr), Dial(tr.t, addr)
		tr.hello(a)
		tr.do(a, "CLIENT", "TRACKING", "ON")
		tr.do(a, "GET", "k")
		tr.do(a, "MGET", "m1", "m2")
		tr.do(b, "SET", "k", "v")
		tr.read(a)
		tr.do(b, "SET", "k", "v2") // no longer tracked
		tr.quiet(a)
		tr.do(b, "MSET", "m1", "1", "m2", "2")
		tr.read(a)
		tr.read(a)
		tr.do(a, "GET", "k")
		tr.do(a, "SET", "k", "mine") // own write: the reply, then the message
		tr.read(a)
		tr.do(a, "GET", "k")
		tr.do(a, "EVAL", "return redis.call('GET', KEYS[1])", "1", "s")
		tr.do(b, "SET", "s", "x") // a script's read is tracked for its caller
		tr.read(a)
		tr.do(a, "GET", "f")
		tr.do(b, "FLUSHALL")
		tr.read(a)
		tr.do(a, "CLIENT", "TRACKING", "OFF")
		tr.do(a, "GET", "k")
		tr.do(b, "SET", "k", "v3")
		tr.quiet(a)
	},
	"resp3-noloop-optin-optout": func(tr *transcript, addr string) {
		a, b := Dial(tr.t, addr), Dial(tr.t, addr)
		tr.hello(a)
		tr.do(a, "CLIENT", "TRACKING", "ON", "NOLOOP")
		tr.do(a, "GET", "k")
		tr.do(a, "SET", "k", "mine")
		tr.quiet(a)
		tr.do(a, "CLIENT", "TRACKING", "OFF")
		tr.do(a, "CLIENT", "TRACKING", "ON", "OPTIN")
		tr.do(a, "GET", "x")
		tr.do(a, "CLIENT", "CACHING", "YES")
		tr.do(a, "GET", "y")
		tr.do(a, "GET", "z")
		tr.do(b, "MSET", "x", "1", "y", "1", "z", "1")
		tr.read(a)
		tr.quiet(a)
		tr.do(a, "CLIENT", "CACHING", "YES")
		tr.do(a, "MULTI")
		tr.do(a, "GET", "p")
		tr.do(a, "GET", "q")
		tr.do(a, "EXEC")
		tr.do(b, "MSET", "p", "1", "q", "1")
		tr.read(a)
		tr.read(a)
		tr.do(a, "CLIENT", "TRACKING", "OFF")
		tr.do(a, "CLIENT", "TRACKING", "ON", "OPTOUT")
		tr.do(a, "CLIENT", "CACHING", "NO")
		tr.do(a, "GET", "x")
		tr.do(a, "GET", "y")
		tr.do(b, "MSET", "x", "2", "y", "2")
		tr.read(a)
		tr.quiet(a)
	},
	"resp3-bcast": func(tr *transcript, addr string) {
		a, b := Dial(tr.t, addr), Dial(tr.t, addr)
		tr.hello(a)
		tr.do(a, "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "item:")
		tr.do(b, "SET", "user:1", "x")
		tr.read(a)
		tr.do(b, "SET", "other", "x")
		tr.quiet(a)
		tr.do(b, "MSET", "user:2", "a", "user:3", "b")
		tr.read(a)
		tr.do(b, "DEL", "item:9")
		tr.quiet(a)
		tr.do(b, "SET", "item:9", "x")
		tr.read(a)
		tr.do(a, "SET", "user:1", "mine")
		tr.read(a)
	},
	"resp2-redirect": func(tr *transcript, addr string) {
		a, b, sub := Dial(tr.t, addr), Dial(tr.t, addr), Dial(tr.t, addr)
		id := tr.clientID(sub)
		tr.do(sub, "SUBSCRIBE", "__redis__:invalidate")
		tr.do(a, "CLIENT", "TRACKING", "ON", "REDIRECT", id)
		tr.do(a, "CLIENT", "GETREDIR")
		tr.do(a, "GET", "k")
		tr.do(b, "SET", "k", "v")
		tr.read(sub)
		tr.quiet(a)
		tr.do(a, "GET", "k")
		tr.do(b, "FLUSHDB")
		tr.read(sub)
		tr.do(a, "GET", "k")
		sub.Close()
		time.Sleep(100 * time.Millisecond)
		tr.do(b, "SET", "k", "again")
		tr.quiet(a)
		tr.do(a, "CLIENT", "TRACKINGINFO")
	},
	"resp3-redirect-broken": func(tr *transcript, addr string) {
		a, b, other := Dial(tr.t, addr), Dial(tr.t, addr), Dial(tr.t, addr)
		id := tr.clientID(other)
		tr.hello(a)
		tr.do(a, "CLIENT", "TRACKING", "ON", "REDIRECT", id)
		tr.do(a, "GET", "k")
		other.Close()
		time.Sleep(100 * time.Millisecond)
		tr.do(b, "SET", "k", "v")
		tr.read(a)
		tr.do(a, "CLIENT", "TRACKINGINFO")
	},
}

func TestTrackingInvalidations(t *testing.T) {
	for name, scenario := range trackingScenarios {
		t.Run(name, func(t *testing.T) {
			ptr := &transcript{t: t}
			scenario(ptr, StartPolyfn(t))
			if addr, ok := tryRedis(t); ok {
				rtr := &transcript{t: t}
				scenario(rtr, addr)
				require.Equal(t, rtr.lines, ptr.lines, "polyfn's transcript differs from redis-server's")
			}
		})
	}
}

// TestTrackingRedirectTargetBusy sends invalidations to a RESP3 client that
// never asked for them (another client redirects to it) while it is busy
// with a pipeline of its own: its replies and the push must all arrive,
// in one piece. Under -race this is where a connection switching to
// shared output from another client's goroutine would be caught.
func TestTrackingRedirectTargetBusy(t *testing.T) {
	addr := StartPolyfn(t)
	writer := Dial(t, addr)
	for round := 0; round < 20; round++ {
		target, tracker := Dial(t, addr), Dial(t, addr)
		_, _, err := target.Do("HELLO", "3")
		require.NoError(t, err)
		v, _, err := target.Do("CLIENT", "ID")
		require.NoError(t, err)
		id := strconv.FormatInt(v.Int, 10)
		_, raw, err := tracker.Do("CLIENT", "TRACKING", "ON", "REDIRECT", id)
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", string(raw))
		key := "k" + strconv.Itoa(round)
		_, _, err = tracker.Do("GET", key)
		require.NoError(t, err)

		const pings = 200
		done := make(chan error, 1)
		go func() {
			var cmds []byte
			for i := 0; i < pings; i++ {
				cmds = core.AppendCommand(cmds, "PING")
			}
			done <- target.SendRaw(cmds)
		}()
		_, raw, err = writer.Do("SET", key, "v")
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", string(raw))
		require.NoError(t, <-done)

		pongs, pushes := 0, 0
		for pongs < pings || pushes < 1 {
			_, raw, err := target.Read()
			require.NoError(t, err, "after %d replies and %d pushes", pongs, pushes)
			switch string(raw) {
			case "+PONG\r\n":
				pongs++
			case ">2\r\n$10\r\ninvalidate\r\n*1\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n":
				pushes++
			default:
				t.Fatalf("round %d: unexpected %s", round, Quote(raw))
			}
		}
		target.Close()
		tracker.Close()
	}
}
