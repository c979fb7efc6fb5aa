// Package conformance holds the suites polyfn is held to: the differential
// runner that sends the same commands to polyfn and to a real redis-server
// 7.0 and compares the reply bytes, and (later) the engine conformance
// suite every scripting engine passes.
package conformance

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
	"github.com/stretchr/testify/require"
)

// StartPolyfn starts an in-process polyfn on a free loopback port with
// the given redis-server style arguments and returns its address. It is
// stopped when the test ends.
func StartPolyfn(t testing.TB, args ...string) string {
	t.Helper()
	return StartPolyfnWith(t, engines.Registry(), args...)
}

// StartPolyfnWith is StartPolyfn with the given scripting engines.
func StartPolyfnWith(t testing.TB, reg *core.Registry, args ...string) string {
	t.Helper()
	cfg := core.NewConfig()
	// Files (dump.rdb) go to a directory of the test's, never the source
	// tree; args may name another.
	all := append([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}, args...)
	if err := cfg.LoadArgs(all); err != nil {
		t.Fatalf("polyfn config: %v", err)
	}
	cs := core.New(cfg, core.DefaultTable())
	cs.SetEngines(reg)
	srv, addrs, err := protocol.Listen(cs)
	if err != nil {
		t.Fatalf("polyfn listen: %v", err)
	}
	t.Cleanup(func() {
		cs.RequestShutdown() // first: releases clients parked in blocking commands
		srv.Close()
	})
	return addrs[0].String()
}

// RedisRequired reports whether the differential tests must run (CI sets
// POLYFN_REQUIRE_REDIS=1) rather than skip when redis-server is missing.
func RedisRequired() bool { return os.Getenv("POLYFN_REQUIRE_REDIS") == "1" }

// StartRedis starts a real redis-server on a free loopback port, without
// persistence, and returns its address; it is killed (by pid) when the
// test ends. Without redis-server the test is skipped, or fails when
// RedisRequired.
func StartRedis(t testing.TB, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if RedisRequired() {
			t.Fatalf("redis-server is required (POLYFN_REQUIRE_REDIS=1) but not installed")
		}
		t.Skip("redis-server not installed; differential test skipped")
	}
	// A free port can be taken by someone else before redis-server binds
	// it: then it exits, or the port answers with another process. Make
	// sure the server that answers is ours, and try another port if not.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr, err := startRedisOnce(t, bin, args)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("redis-server did not start: %v", lastErr)
	return ""
}

func startRedisOnce(t testing.TB, bin string, args []string) (string, error) {
	port := freePort(t)
	dir := t.TempDir()
	all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}, args...)
	cmd := exec.Command(bin, all...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logPath := filepath.Join(dir, "redis.log")
	// Wait for redis-server's own word that it listens (no command is
	// sent: tests count commands, slow log entries and client IDs).
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			return "", fmt.Errorf("redis-server exited at start (port taken?):\n%s", log)
		default:
		}
		if log, _ := os.ReadFile(logPath); strings.Contains(string(log), "Ready to accept connections") {
			t.Cleanup(stop)
			return addr, nil
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("redis-server did not get ready on %s", addr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Client is a raw RESP client for tests: it sends commands and returns
// reply bytes exactly as the server wrote them.
type Client struct {
	nc net.Conn
	br *bufio.Reader
}

// Dial connects a raw client.
func Dial(t testing.TB, addr string) *Client {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &Client{nc: nc, br: bufio.NewReader(nc)}
}

// Send writes a command without reading its reply.
func (c *Client) Send(args ...string) error {
	_, err := c.nc.Write(core.AppendCommand(nil, args...))
	return err
}

// SendRaw writes bytes as they are.
func (c *Client) SendRaw(b []byte) error {
	_, err := c.nc.Write(b)
	return err
}

// Read reads one reply (5 s deadline).
func (c *Client) Read() (core.Value, []byte, error) {
	// Long enough for a loaded CI machine; it only catches hangs.
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	return core.ReadValue(c.br)
}

// Do sends a command and reads its reply.
func (c *Client) Do(args ...string) (core.Value, []byte, error) {
	if err := c.Send(args...); err != nil {
		return core.Value{}, nil, err
	}
	return c.Read()
}

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }

// Quote renders reply bytes readably for failure messages.
func Quote(b []byte) string {
	s := strconv.Quote(string(b))
	if len(s) > 600 {
		s = s[:600] + fmt.Sprintf("...(%d bytes)", len(b))
	}
	return strings.ReplaceAll(s, `\r\n`, `\r\n `)
}

// tryRedis starts redis-server when it is installed (required in CI).
func tryRedis(t testing.TB, args ...string) (string, bool) {
	if _, err := exec.LookPath("redis-server"); err != nil && !RedisRequired() {
		return "", false
	}
	return StartRedis(t, args...), true
}

// waitBusy sends PING until the server answers -BUSY, and returns that
// error text.
func waitBusy(t testing.TB, c *Client) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		v, _, err := c.Do("PING")
		require.NoError(t, err)
		if strings.HasPrefix(string(v.Str), "BUSY") {
			return string(v.Str)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became busy")
	return ""
}
