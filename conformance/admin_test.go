package conformance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the administration commands whose replies cannot be compared
// byte for byte (client lists, the full CONFIG GET *, blocking and
// pausing behaviour).

func do(t *testing.T, c *Client, args ...string) string {
	t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, _, err := c.Do(args...)
	require.NoError(t, err, "%v", args)
	return string(v.Str)
}

func fieldNames(line string) []string {
	var out []string
	for _, f := range strings.Fields(line) {
		out = append(out, strings.SplitN(f, "=", 2)[0])
	}
	return out
}

func TestClientInfoFields(t *testing.T) {
	r := Dial(t, StartRedis(t))
	p := Dial(t, StartPolyfn(t))
	for _, cmd := range [][]string{{"CLIENT", "INFO"}, {"CLIENT", "LIST"}} {
		rl, pl := do(t, r, cmd...), do(t, p, cmd...)
		assert.Equal(t, fieldNames(rl), fieldNames(pl), "%v field names", cmd)
		assert.True(t, strings.HasSuffix(pl, "\n"))
	}
	do(t, p, "CLIENT", "SETNAME", "me")
	do(t, p, "SELECT", "2")
	info := do(t, p, "CLIENT", "INFO")
	assert.Contains(t, info, " name=me ")
	assert.Contains(t, info, " db=2 ")
	assert.Contains(t, info, " flags=N ")
	assert.Contains(t, info, " cmd=client|info ")
	assert.Contains(t, info, " user=default redir=-1 resp=2")

	// CLIENT SETINFO (Redis 7.2) is accepted and shown.
	assert.Equal(t, "OK", do(t, p, "CLIENT", "SETINFO", "LIB-NAME", "go-redis"))
	assert.Equal(t, "OK", do(t, p, "CLIENT", "SETINFO", "lib-ver", "9.0.1"))
	assert.Equal(t, "ERR lib-name cannot contain spaces, newlines or special characters.", do(t, p, "CLIENT", "SETINFO", "lib-name", "a b"))
	assert.Equal(t, "ERR Unrecognized option 'foo'", do(t, p, "CLIENT", "SETINFO", "foo", "x"))
	info = do(t, p, "CLIENT", "INFO")
	assert.True(t, strings.HasSuffix(info, " resp=2 lib-name=go-redis lib-ver=9.0.1\n"), info)
}

func TestClientListIDAndKill(t *testing.T) {
	addr := StartPolyfn(t)
	a, b := Dial(t, addr), Dial(t, addr)
	a.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	av, _, _ := a.Do("CLIENT", "ID")
	bv, _, _ := b.Do("CLIENT", "ID")
	ida, idb := fmtInt(av.Int), fmtInt(bv.Int)
	list := do(t, a, "CLIENT", "LIST", "ID", idb, "999999", ida)
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "id="+idb+" "))
	assert.True(t, strings.HasPrefix(lines[1], "id="+ida+" "))

	// Kill b while it is blocked in WAIT: its connection closes without a reply.
	require.NoError(t, b.Send("WAIT", "1", "0"))
	time.Sleep(100 * time.Millisecond)
	assert.Contains(t, do(t, a, "CLIENT", "LIST", "ID", idb), " flags=b ")
	v, _, err := a.Do("CLIENT", "KILL", "ID", idb)
	require.NoError(t, err)
	assert.Equal(t, int64(1), v.Int)
	b.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err = b.Read()
	assert.Error(t, err)
	assert.Equal(t, "", do(t, a, "CLIENT", "LIST", "ID", idb))
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

func TestClientUnblockWait(t *testing.T) {
	addr := StartPolyfn(t)
	a, b := Dial(t, addr), Dial(t, addr)
	bv, _, _ := b.Do("CLIENT", "ID")
	idb := fmtInt(bv.Int)
	for _, mode := range []struct{ arg, want string }{{"TIMEOUT", ":0\r\n"}, {"ERROR", "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"}} {
		require.NoError(t, b.Send("WAIT", "1", "0"))
		time.Sleep(50 * time.Millisecond)
		v, _, err := a.Do("CLIENT", "UNBLOCK", idb, mode.arg)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v.Int)
		b.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, raw, err := b.Read()
		require.NoError(t, err)
		assert.Equal(t, mode.want, string(raw))
	}
	assert.Contains(t, do(t, a, "CLIENT", "LIST", "ID", idb), " flags=u ")
	v, _, _ := a.Do("CLIENT", "UNBLOCK", idb)
	assert.Equal(t, int64(0), v.Int)
	// WAIT with a timeout answers 0 after it.
	start := time.Now()
	v, _, _ = b.Do("WAIT", "1", "100")
	assert.Equal(t, int64(0), v.Int)
	assert.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
}

func TestClientPause(t *testing.T) {
	addr := StartPolyfn(t)
	a, b := Dial(t, addr), Dial(t, addr)
	assert.Equal(t, "OK", do(t, a, "CLIENT", "PAUSE", "300", "WRITE"))
	start := time.Now()
	do(t, b, "GET", "k") // reads pass
	assert.Less(t, time.Since(start), 200*time.Millisecond)
	do(t, b, "SET", "k", "v") // writes wait for the end of the pause
	assert.GreaterOrEqual(t, time.Since(start), 250*time.Millisecond)

	// UNPAUSE releases waiting writers at once.
	assert.Equal(t, "OK", do(t, a, "CLIENT", "PAUSE", "5000", "WRITE"))
	start = time.Now()
	require.NoError(t, b.Send("SET", "k", "v2"))
	time.Sleep(100 * time.Millisecond)
	assert.Equal(t, "OK", do(t, a, "CLIENT", "UNPAUSE"))
	b.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, raw, err := b.Read()
	require.NoError(t, err)
	assert.Equal(t, "+OK\r\n", string(raw))
	assert.Less(t, time.Since(start), 2*time.Second)

	// ALL pauses every command, even PING.
	assert.Equal(t, "OK", do(t, a, "CLIENT", "PAUSE", "200", "ALL"))
	start = time.Now()
	assert.Equal(t, "PONG", do(t, b, "PING"))
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
}

func TestShutdownClosesServer(t *testing.T) {
	addr := StartPolyfn(t)
	c := Dial(t, addr)
	require.NoError(t, c.Send("SHUTDOWN", "NOSAVE"))
	c.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, _, err := c.Read()
	assert.Error(t, err, "SHUTDOWN closes the connection without a reply")
}

// TestConfigGetAll compares CONFIG GET * with redis-server's, apart from
// the parameters the test servers are started with differently.
func TestConfigGetAll(t *testing.T) {
	r := Dial(t, StartRedis(t))
	p := Dial(t, StartPolyfn(t))
	get := func(c *Client) map[string]string {
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, _, err := c.Do("CONFIG", "GET", "*")
		require.NoError(t, err)
		m := map[string]string{}
		for i := 0; i+1 < len(v.Elems); i += 2 {
			m[string(v.Elems[i].Str)] = string(v.Elems[i+1].Str)
		}
		return m
	}
	rm, pm := get(r), get(p)
	skip := map[string]bool{"port": true, "dir": true, "logfile": true, "save": true, "bind": true}
	for k, rv := range rm {
		if skip[k] {
			continue
		}
		pv, ok := pm[k]
		if assert.True(t, ok, "missing parameter %s", k) {
			assert.Equal(t, rv, pv, "parameter %s", k)
		}
	}
	for k := range pm {
		_, ok := rm[k]
		assert.True(t, ok, "parameter %s unknown to Redis 7.0", k)
	}
}

func TestConfigRewrite(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "polyfn.conf")
	require.NoError(t, os.WriteFile(file, []byte("# comment\nhz 20\nmaxmemory-policy allkeys-lru\n"), 0o644))
	p := Dial(t, startWithFile(t, file))
	assert.Equal(t, "OK", do(t, p, "CONFIG", "SET", "hz", "30", "maxmemory-samples", "7", "masterauth", "a b"))
	assert.Equal(t, "OK", do(t, p, "CONFIG", "REWRITE"))
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	text := string(data)
	assert.Contains(t, text, "# comment\nhz 30\nmaxmemory-policy allkeys-lru\n")
	assert.Contains(t, text, "\nmaxmemory-samples 7\n")
	assert.Contains(t, text, "\nmasterauth a b\n")
	assert.NotContains(t, text, "lfu-log-factor")
	// The rewritten file loads back.
	p2 := Dial(t, startWithFile(t, file))
	assert.Equal(t, "7", string(mustGet(t, p2, "maxmemory-samples")))
}

func mustGet(t *testing.T, c *Client, name string) string {
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, _, err := c.Do("CONFIG", "GET", name)
	require.NoError(t, err)
	require.Len(t, v.Elems, 2)
	return string(v.Elems[1].Str)
}

// startWithFile starts polyfn with a configuration file, which must come
// first on the command line.
func startWithFile(t *testing.T, file string) string {
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{file, "--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}))
	cs := core.New(cfg, core.DefaultTable())
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	t.Cleanup(func() {
		srv.Close()
		cs.RequestShutdown()
	})
	return addrs[0].String()
}

func TestShutdownReleasesBlockedClients(t *testing.T) {
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}))
	cs := core.New(cfg, core.DefaultTable())
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	a, b := Dial(t, addrs[0].String()), Dial(t, addrs[0].String())
	require.NoError(t, b.Send("WAIT", "1", "0"))
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, a.Send("SHUTDOWN"))
	<-cs.Done()
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("server did not close with a blocked client")
	}
}

// TestConfigDirMatchesRedis moves both servers' dir around (Redis moves
// its working directory; polyfn keeps the path): CONFIG GET dir answers
// the absolute path, a relative one is taken from the current dir, and
// what is not a directory gets chdir's error text.
func TestConfigDirMatchesRedis(t *testing.T) {
	base := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(base, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(base, "file"), nil, 0o644))
	script := [][]string{
		{"CONFIG", "SET", "dir", base}, {"CONFIG", "GET", "dir"},
		{"CONFIG", "SET", "dir", "sub"}, {"CONFIG", "GET", "dir"},
		{"CONFIG", "SET", "dir", ".."}, {"CONFIG", "GET", "dir"},
		{"CONFIG", "SET", "dir", "./sub/../sub/"}, {"CONFIG", "GET", "dir"},
		{"CONFIG", "SET", "dir", filepath.Join(base, "nosuch")}, {"CONFIG", "SET", "dir", filepath.Join(base, "file")},
		{"CONFIG", "SET", "dir", filepath.Join(base, "file", "x")}, {"CONFIG", "SET", "dir", ""},
		{"CONFIG", "GET", "dir"},
	}
	args := []string{"--enable-protected-configs", "yes"}
	got := pipeline(t, Dial(t, StartPolyfn(t, args...)), script)
	assert.Contains(t, string(got[len(got)-1]), filepath.Join(base, "sub")+"\r\n")
	if addr, ok := tryRedis(t, args...); ok {
		assert.Equal(t, pipeline(t, Dial(t, addr), script), got)
	}
}
