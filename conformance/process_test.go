package conformance

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// polyfn as a process of its own, for tests that measure the server's
// memory (an in-process server shares its heap with the test).

var polyfnBin struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if polyfnBin.dir != "" {
		os.RemoveAll(polyfnBin.dir)
	}
	os.Exit(code)
}

// startPolyfnProcess builds cmd/polyfn (once per test binary), starts it
// on a free loopback port with args and returns its address and pid. It
// is killed by pid when the test ends.
func startPolyfnProcess(t *testing.T, args ...string) (string, int) {
	t.Helper()
	b := &polyfnBin
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "polyfn-proc"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "polyfn")
		out, err := exec.Command("go", "build", "-o", b.path, "github.com/polyfn/polyfn/cmd/polyfn").CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	port := freePort(t)
	all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", t.TempDir()}, args...)
	cmd := exec.Command(b.path, all...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, cmd.Process.Pid
		}
		select {
		case <-exited:
			t.Fatalf("polyfn exited at start")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("polyfn did not listen on %s", addr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processRSS is a process's resident memory in bytes (VmRSS).
func processRSS(t *testing.T, pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatalf("no VmRSS for pid %d", pid)
	return 0
}
