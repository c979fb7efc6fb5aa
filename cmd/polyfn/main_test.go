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
