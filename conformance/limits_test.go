package conformance

import (
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Client limits (protected mode, maxclients, timeout, query and output
// buffer limits), each scenario run against polyfn and redis-server 7.0:
// what a client sees (reply bytes, a closed connection) must be the same.

// limitServers starts polyfn and, when installed, redis-server with the
// same arguments, and returns their addresses by name.
func limitServers(t *testing.T, args ...string) map[string]string {
	t.Helper()
	out := map[string]string{"polyfn": StartPolyfn(t, args...)}
	if addr, ok := tryRedis(t, args...); ok {
		out["redis"] = addr
	}
	return out
}

// dialFrom connects to addr from the local address src ("" for any).
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	nc, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return nc
}

// readUntilClosed returns what the server sends until it closes the
// connection, and whether it did within wait.
func readUntilClosed(nc net.Conn, wait time.Duration) ([]byte, bool) {
	nc.SetReadDeadline(time.Now().Add(wait))
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := nc.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return out, false
			}
			return out, true // EOF or reset: closed
		}
	}
}

// open reports whether the server still keeps nc: a PING gets its PONG.
func open(nc net.Conn) bool {
	nc.SetDeadline(time.Now().Add(3 * time.Second))
	defer nc.SetDeadline(time.Time{})
	if _, err := nc.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	buf := make([]byte, 64)
	n, err := nc.Read(buf)
	return err == nil && n > 0
}

func statField(t *testing.T, c *Client, name string) string {
	t.Helper()
	for _, l := range strings.Split(do(t, c, "INFO", "stats"), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO stats has no %s", name)
	return ""
}

// TestProtectedMode connects from another loopback address (127.0.0.2):
// Redis 7.0 accepts only 127.0.0.1 and ::1 while protected mode is on and
// the default user has no password, whatever bind says.
func TestProtectedMode(t *testing.T) {
	probe := dialFrom(t, "127.0.0.2", StartPolyfn(t))
	if got, _ := readUntilClosed(probe, 2*time.Second); len(got) == 0 {
		t.Skip("127.0.0.2 is not usable as a source address here")
	}
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			before := statField(t, ctl, "total_connections_received")

			got, closed := readUntilClosed(dialFrom(t, "127.0.0.2", addr), 3*time.Second)
			assert.True(t, closed, "the connection is closed")
			assert.Equal(t, "-"+core.ErrProtectedMode+"\r\n", string(got))
			assert.Equal(t, "1", statField(t, ctl, "rejected_connections"))
			assert.Equal(t, before, statField(t, ctl, "total_connections_received"),
				"a refused connection is not counted as received")
			assert.True(t, open(dialFrom(t, "127.0.0.1", addr)), "127.0.0.1 is let in")

			// A password on the default user lets everyone reach AUTH.
			do(t, ctl, "ACL", "SETUSER", "default", ">pw")
			nc := dialFrom(t, "127.0.0.2", addr)
			nc.Write([]byte("PING\r\n"))
			got, _ = readUntilClosed(nc, 300*time.Millisecond)
			assert.Equal(t, "-NOAUTH Authentication required.\r\n", string(got))
			do(t, ctl, "AUTH", "pw")
			do(t, ctl, "ACL", "SETUSER", "default", "nopass")

			do(t, ctl, "CONFIG", "SET", "protected-mode", "no")
			assert.True(t, open(dialFrom(t, "127.0.0.2", addr)), "protected-mode no lets 127.0.0.2 in")
		})
	}
}

// nonLoopbackIPv4 is an IPv4 address of this machine that is not
// loopback, or "".
func nonLoopbackIPv4() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// TestProtectedModeNonLoopback is TestProtectedMode from the machine's
// own network address, the case protected mode exists for. The servers
// listen on that address only for the test.
func TestProtectedModeNonLoopback(t *testing.T) {
	ip := nonLoopbackIPv4()
	if ip == "" {
		t.Skip("no non-loopback IPv4 address")
	}
	pf := StartPolyfn(t, "--bind", ip+" 127.0.0.1")
	servers := map[string]string{"polyfn": pf}
	if addr, ok := tryRedis(t, "--bind", ip+" 127.0.0.1"); ok {
		_, port, _ := net.SplitHostPort(addr)
		servers["redis"] = net.JoinHostPort(ip, port)
	}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			got, closed := readUntilClosed(dialFrom(t, "", addr), 3*time.Second)
			assert.True(t, closed)
			assert.Equal(t, "-"+core.ErrProtectedMode+"\r\n", string(got))
		})
	}
}

// TestMaxClients fills the server up to maxclients, changed at run time.
func TestMaxClients(t *testing.T) {
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			do(t, ctl, "CONFIG", "SET", "maxclients", "2")
			second := dialFrom(t, "", addr)
			require.True(t, open(second))
			got, closed := readUntilClosed(dialFrom(t, "", addr), 3*time.Second)
			assert.True(t, closed)
			assert.Equal(t, "-ERR max number of clients reached\r\n", string(got))
			assert.Equal(t, "1", statField(t, ctl, "rejected_connections"))

			do(t, ctl, "CONFIG", "SET", "maxclients", "3")
			assert.True(t, open(dialFrom(t, "", addr)), "room for a third client")
			second.Close()
		})
	}
}

// TestIdleTimeout sets timeout at run time and checks which clients Redis
// closes after it: idle ones and ones stuck in the middle of a request or
// a transaction, but not subscribers (RESP2 or RESP3), clients blocked in
// BLPOP, MONITOR clients or a client that keeps talking. Closed clients
// get no reply.
func TestIdleTimeout(t *testing.T) {
	servers := limitServers(t)
	results := map[string]map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, addr := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := idleScenario(t, addr)
			mu.Lock()
			results[name] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	want := map[string]string{
		"idle": "closed \"\"", "half-request": "closed \"\"", "in-multi": "closed \"\"",
		"subscriber": "open", "subscriber-resp3": "open", "blocked": "open",
		"monitor": "open", "active": "open",
	}
	for name, r := range results {
		assert.Equal(t, want, r, name)
	}
}

func idleScenario(t *testing.T, addr string) map[string]string {
	send := func(nc net.Conn, s string) {
		nc.SetReadDeadline(time.Now().Add(3 * time.Second))
		nc.Write([]byte(s))
	}
	reply := func(nc net.Conn) {
		buf := make([]byte, 512)
		nc.Read(buf)
	}
	ctl := dialFrom(t, "", addr)
	send(ctl, "CONFIG SET timeout 1\r\n")
	reply(ctl)
	clients := map[string]net.Conn{}
	for _, name := range []string{"idle", "half-request", "in-multi", "subscriber", "subscriber-resp3", "blocked", "monitor", "active"} {
		clients[name] = dialFrom(t, "", addr)
	}
	send(clients["half-request"], "*2\r\n$3\r\nGET\r\n$5\r\nab")
	send(clients["in-multi"], "MULTI\r\n")
	reply(clients["in-multi"])
	send(clients["subscriber"], "SUBSCRIBE ch\r\n")
	reply(clients["subscriber"])
	send(clients["subscriber-resp3"], "HELLO 3\r\n")
	reply(clients["subscriber-resp3"])
	send(clients["subscriber-resp3"], "SUBSCRIBE ch\r\n")
	reply(clients["subscriber-resp3"])
	send(clients["blocked"], "BLPOP nolist 0\r\n")
	send(clients["monitor"], "MONITOR\r\n")
	reply(clients["monitor"])
	for i := 0; i < 12; i++ {
		send(clients["active"], "PING\r\n")
		reply(clients["active"])
		time.Sleep(300 * time.Millisecond)
	}
	// The active client first: checking the others takes time, in which
	// it is idle.
	out := map[string]string{"active": map[bool]string{true: "open", false: "closed"}[open(clients["active"])]}
	for name, nc := range clients {
		if name == "active" {
			continue
		}
		got, closed := readUntilClosed(nc, 200*time.Millisecond)
		if closed {
			out[name] = "closed " + strconv.Quote(string(got))
		} else {
			out[name] = "open"
		}
	}
	return out
}

// bulkSet is SET key with a value of n bytes, as RESP.
func bulkSet(key string, n int) []byte {
	return core.AppendCommand(nil, "SET", key, strings.Repeat("x", n))
}

// TestQueryBufferLimit sends arguments around client-query-buffer-limit:
// Redis bounds the part of the current argument not yet parsed and closes
// the client, without a reply, when it is over.
func TestQueryBufferLimit(t *testing.T) {
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			do(t, ctl, "CONFIG", "SET", "client-query-buffer-limit", "1mb")
			cases := []struct {
				name string
				req  []byte
				want string
			}{
				{"below", bulkSet("k", 900<<10), "+OK\r\n"},
				{"over by a little", bulkSet("k", 1<<20+100), ""},
				{"twice over", bulkSet("k", 2<<20), ""},
				{"three args each below", core.AppendCommand(nil, "RPUSH", "l",
					strings.Repeat("a", 600000), strings.Repeat("b", 600000), strings.Repeat("c", 600000)), ":3\r\n"},
			}
			for _, tc := range cases {
				nc := dialFrom(t, "", addr)
				go nc.Write(tc.req) // may fail half way once the server closes
				got, closed := readUntilClosed(nc, 2*time.Second)
				assert.Equal(t, tc.want, string(got), tc.name)
				assert.Equal(t, tc.want == "", closed, tc.name)
			}
			assert.True(t, open(dialFrom(t, "", addr)), "the server keeps serving")

			// proto-max-bulk-len refuses the header at once.
			do(t, ctl, "CONFIG", "SET", "proto-max-bulk-len", "1mb")
			nc := dialFrom(t, "", addr)
			nc.Write([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n"))
			got, closed := readUntilClosed(nc, 2*time.Second)
			assert.True(t, closed)
			assert.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", string(got))
		})
	}
}

// TestOutputBufferLimitNormal: a reply over the normal class's hard limit
// closes the client without sending any of it.
func TestOutputBufferLimitNormal(t *testing.T) {
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			do(t, ctl, "SET", "big", strings.Repeat("x", 2<<20))
			do(t, ctl, "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
			nc := dialFrom(t, "", addr)
			nc.Write([]byte("GETRANGE big 0 99999\r\n"))
			got, closed := readUntilClosed(nc, 500*time.Millisecond)
			assert.False(t, closed)
			assert.Len(t, got, 100000+len("$100000\r\n\r\n"))
			nc.Write([]byte("GET big\r\n"))
			got, closed = readUntilClosed(nc, 2*time.Second)
			assert.True(t, closed)
			assert.Empty(t, got)
		})
	}
}

// subscriberStuck subscribes a client that then reads nothing.
func subscriberStuck(t *testing.T, addr string) net.Conn {
	nc := dialFrom(t, "", addr)
	nc.(*net.TCPConn).SetReadBuffer(64 << 10)
	nc.Write([]byte("SUBSCRIBE ch\r\n"))
	buf := make([]byte, len("*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"))
	nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := io.ReadFull(nc, buf)
	require.NoError(t, err)
	return nc
}

// clientOmem returns CLIENT LIST's omem of the clients with sub=1.
func clientOmem(t *testing.T, c *Client) []int {
	var out []int
	for _, l := range strings.Split(do(t, c, "CLIENT", "LIST"), "\n") {
		if !strings.Contains(l, " sub=1 ") {
			continue
		}
		_, rest, _ := strings.Cut(l, " omem=")
		n, _ := strconv.Atoi(strings.Fields(rest)[0])
		out = append(out, n)
	}
	return out
}

// TestOutputBufferLimitPubSub floods a subscriber that does not read:
// its backlog shows in CLIENT LIST omem, never grows past the hard limit,
// and the subscriber is disconnected; the publisher is not disturbed.
func TestOutputBufferLimitPubSub(t *testing.T) {
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			do(t, ctl, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")
			sub := subscriberStuck(t, addr)
			pub := Dial(t, addr)
			msg := strings.Repeat("m", 1000)
			maxOmem, dropped := 0, false
			for i := 0; i < 20000 && !dropped; i++ {
				v, _, err := pub.Do("PUBLISH", "ch", msg)
				require.NoError(t, err)
				dropped = v.Int == 0
				if i%200 == 0 {
					for _, m := range clientOmem(t, ctl) {
						maxOmem = max(maxOmem, m)
					}
				}
			}
			assert.True(t, dropped, "the subscriber is gone")
			assert.Greater(t, maxOmem, 0, "CLIENT LIST shows the backlog")
			assert.LessOrEqual(t, maxOmem, 2<<20, "the backlog stays near the hard limit")
			got, closed := readUntilClosed(sub, 10*time.Second)
			assert.True(t, closed)
			assert.Less(t, len(got), 20000*1000, "the subscriber did not get everything")
		})
	}
}

// TestOutputBufferSoftLimit: a subscriber over the soft limit is kept
// until it has stayed over it for more than the soft seconds, then
// dropped even if nothing more is published (Redis's clientsCron checks
// the limits too).
func TestOutputBufferSoftLimit(t *testing.T) {
	for name, addr := range limitServers(t) {
		t.Run(name, func(t *testing.T) {
			ctl := Dial(t, addr)
			do(t, ctl, "CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 2")
			sub := subscriberStuck(t, addr)
			pub := Dial(t, addr)
			msg := strings.Repeat("m", 1000)
			// Fill the socket buffers and leave a backlog. The kernel's
			// send buffer grows while it fills (up to tcp_wmem's max), so
			// the backlog is looked at again after a pause: it must stay.
			start := time.Now()
			over := func() bool {
				if sumInts(clientOmem(t, ctl)) < 256<<10 {
					return false
				}
				time.Sleep(300 * time.Millisecond)
				return sumInts(clientOmem(t, ctl)) >= 256<<10
			}
			for !over() {
				require.Less(t, time.Since(start), 20*time.Second, "no lasting backlog")
				for i := 0; i < 500; i++ {
					pub.Send("PUBLISH", "ch", msg)
				}
				for i := 0; i < 500; i++ {
					pub.Read()
				}
			}
			if time.Since(start) < time.Second {
				require.Len(t, clientOmem(t, ctl), 1, "over the soft limit, not yet closed")
			}
			deadline := time.Now().Add(5 * time.Second)
			for len(clientOmem(t, ctl)) > 0 && time.Now().Before(deadline) {
				time.Sleep(100 * time.Millisecond)
			}
			assert.Empty(t, clientOmem(t, ctl), "dropped without another message")
			assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "not before the soft seconds")
			_, closed := readUntilClosed(sub, 10*time.Second)
			assert.True(t, closed)
		})
	}
}

func sumInts(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}
