package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The binary as users run it: start-up line, serving, clean stop on
// SIGTERM and on SHUTDOWN.
func TestBinaryStartsAndStops(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "polyfn")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	for _, stop := range []string{"sigterm", "shutdown"} {
		t.Run(stop, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			port := ln.Addr().(*net.TCPAddr).Port
			ln.Close()
			cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1")
			cmd.Dir = t.TempDir() // the default save points write dump.rdb here at shutdown
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			defer cmd.Process.Kill()
			line, err := bufio.NewReader(stdout).ReadString('\n')
			require.NoError(t, err)
			require.Contains(t, line, "polyfn")
			require.Contains(t, line, "127.0.0.1:"+strconv.Itoa(port))

			c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
			require.NoError(t, err)
			defer c.Close()
			c.Write([]byte("PING\r\n"))
			reply, err := bufio.NewReader(c).ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "+PONG\r\n", reply)

			if stop == "sigterm" {
				require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			} else {
				c.Write([]byte("SHUTDOWN NOSAVE\r\n"))
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				require.NoError(t, err, "clean exit")
			case <-time.After(10 * time.Second):
				t.Fatal("polyfn did not stop")
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := run([]string{"--version"})
	w.Close()
	os.Stdout = old
	require.NoError(t, err)
	out := make([]byte, 200)
	n, _ := r.Read(out)
	require.True(t, strings.HasPrefix(string(out[:n]), "polyfn "))
}

// TestSignalShutdownFlags: on SIGTERM and SIGINT the server saves as
// shutdown-on-sigterm and shutdown-on-sigint say (default: when save
// points are set), keeps serving when that save fails, and stops anyway
// when told to force.
func TestSignalShutdownFlags(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "polyfn")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))
	cases := []struct {
		name    string
		sig     syscall.Signal
		args    []string
		lostDir bool // the directory is removed before the signal: the save fails
		saved   bool
		stillUp bool
	}{
		{"term-default-no-save-points", syscall.SIGTERM, []string{"--save", ""}, false, false, false},
		{"term-save", syscall.SIGTERM, []string{"--save", "", "--shutdown-on-sigterm", "save"}, false, true, false},
		{"int-default-save-points", syscall.SIGINT, []string{"--save", "3600 1"}, false, true, false},
		{"int-nosave", syscall.SIGINT, []string{"--save", "3600 1", "--shutdown-on-sigint", "nosave now"}, false, false, false},
		{"term-flags-are-per-signal", syscall.SIGTERM, []string{"--save", "3600 1", "--shutdown-on-sigint", "nosave"}, false, true, false},
		{"term-failed-save", syscall.SIGTERM, []string{"--save", "3600 1"}, true, false, true},
		{"term-failed-save-force", syscall.SIGTERM, []string{"--save", "3600 1", "--shutdown-on-sigterm", "force"}, true, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			require.NoError(t, os.Mkdir(dir, 0o755))
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			ln.Close()
			args := append([]string{"--port", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), "--bind", "127.0.0.1", "--dir", dir}, tc.args...)
			cmd := exec.Command(bin, args...)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			defer cmd.Process.Kill()
			_, err = bufio.NewReader(stdout).ReadString('\n') // ready
			require.NoError(t, err)
			c, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer c.Close()
			rd := bufio.NewReader(c)
			c.Write([]byte("SET k v\r\n"))
			reply, err := rd.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", reply)
			if tc.lostDir {
				require.NoError(t, os.RemoveAll(dir))
			}
			require.NoError(t, cmd.Process.Signal(tc.sig))
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tc.stillUp {
				select {
				case err := <-done:
					t.Fatalf("polyfn stopped (%v) though its save failed", err)
				case <-time.After(500 * time.Millisecond):
				}
				c.Write([]byte("GET k\r\n"))
				reply, err := rd.ReadString('\n')
				require.NoError(t, err)
				require.Equal(t, "$1\r\n", reply, "still serving, data intact")
				return
			}
			select {
			case err := <-done:
				require.NoError(t, err, "clean exit")
			case <-time.After(10 * time.Second):
				t.Fatal("polyfn did not stop")
			}
			_, err = os.Stat(filepath.Join(dir, "dump.rdb"))
			require.Equal(t, tc.saved, err == nil, "dump.rdb written: %v", err)
		})
	}
}
