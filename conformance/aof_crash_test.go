package conformance

import (
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/protocol"
	"github.com/stretchr/testify/require"
)

// Crash tests: polyfn runs in a child process (this test binary run as
// TestAOFCrashChild) under a write load and is killed with SIGKILL at a
// random moment, then restarted on the same directory. Every write whose
// reply was received must be there (polyfn writes the AOF before it
// replies, and fsyncs first with appendfsync always), and a script's
// writes are all there or none.

// TestAOFCrashChild is the child server: it only runs when the parent
// sets POLYFN_AOF_CHILD_DIR.
func TestAOFCrashChild(t *testing.T) {
	dir := os.Getenv("POLYFN_AOF_CHILD_DIR")
	if dir == "" {
		t.Skip("the child process of the crash tests")
	}
	cs, err := newPolyfnDir(dir, "--port", os.Getenv("POLYFN_AOF_CHILD_PORT"), "--appendonly", "yes",
		"--appendfsync", os.Getenv("POLYFN_AOF_CHILD_FSYNC"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	if _, _, err := protocol.Listen(cs); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	select {} // until killed
}

// startChild starts the child server on dir and waits until it serves.
func startChild(t *testing.T, dir, fsync string) (*exec.Cmd, string) {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	cmd := exec.Command(os.Args[0], "-test.run", "^TestAOFCrashChild$", "-test.count", "1")
	cmd.Env = append(os.Environ(), "POLYFN_AOF_CHILD_DIR="+dir, "POLYFN_AOF_CHILD_PORT="+port, "POLYFN_AOF_CHILD_FSYNC="+fsync)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	})
	addr := "127.0.0.1:" + port
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return cmd, addr
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the child server did not start")
	return nil, ""
}

func TestAOFCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash tests start child processes")
	}
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			dir := t.TempDir()
			const writers = 4
			acked := make([]int, writers)   // SET w<g>:<i> acknowledged for i < acked[g]
			incrs := make([]int, writers)   // INCR ctr<g> acknowledged
			scripts := make([]int, writers) // pairs written by a script, sent
			const rounds = 3
			for round := 0; round <= rounds; round++ {
				cmd, addr := startChild(t, dir, fsync)
				// Everything acknowledged before the crash is there.
				c := Dial(t, addr)
				for g := 0; g < writers; g++ {
					if acked[g] > 0 {
						v, _, err := c.Do("GET", fmt.Sprintf("w%d:%d", g, acked[g]-1))
						require.NoError(t, err)
						require.Equal(t, strconv.Itoa(acked[g]-1), string(v.Str), "round %d writer %d", round, g)
					}
					v, _, err := c.Do("GET", fmt.Sprintf("ctr%d", g))
					require.NoError(t, err)
					n, _ := strconv.Atoi(string(v.Str))
					require.GreaterOrEqual(t, n, incrs[g], "round %d counter %d", round, g)
					require.LessOrEqual(t, n, incrs[g]+1, "at most the write in flight is extra")
					incrs[g] = n
					for i := 0; i < scripts[g]; i++ {
						a, _, _ := c.Do("EXISTS", fmt.Sprintf("pa%d:%d", g, i))
						b, _, _ := c.Do("EXISTS", fmt.Sprintf("pb%d:%d", g, i))
						require.Equal(t, a.Int, b.Int, "a script's writes are all-or-nothing (%d:%d)", g, i)
					}
				}
				c.Close()
				if round == rounds {
					break // the last start only checks
				}
				// Load, then SIGKILL at a random moment.
				var wg sync.WaitGroup
				for g := 0; g < writers; g++ {
					wg.Add(1)
					go func(g int) {
						defer wg.Done()
						w := Dial(t, addr)
						defer w.Close()
						for i := acked[g]; ; i++ {
							_, raw, err := w.Do("SET", fmt.Sprintf("w%d:%d", g, i), strconv.Itoa(i))
							if err != nil || string(raw) != "+OK\r\n" {
								return
							}
							acked[g] = i + 1
							if _, _, err := w.Do("INCR", fmt.Sprintf("ctr%d", g)); err != nil {
								return
							}
							incrs[g]++
							scripts[g]++
							j := scripts[g] - 1
							if _, _, err := w.Do("EVAL", "redis.call('set', KEYS[1], '1') redis.call('set', KEYS[2], '1')", "2",
								fmt.Sprintf("pa%d:%d", g, j), fmt.Sprintf("pb%d:%d", g, j)); err != nil {
								return
							}
						}
					}(g)
				}
				time.Sleep(time.Duration(150+rand.Intn(300)) * time.Millisecond)
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				wg.Wait()
				cmd.Wait()
				t.Logf("round %d: acknowledged SETs %v", round, acked)
			}
		})
	}
}
