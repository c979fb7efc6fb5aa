package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// The load test: many connections run a mix of FCALL on a Lua, a
// JavaScript and a WebAssembly library, EVALSHA, SET/GET and pub/sub
// against a polyfn process, while one client keeps starting a runaway
// function, killing it with FUNCTION KILL and reloading its library.
// See README.md ("Load test") for how to run it and what it asserts.

const (
	loadLua = "#!lua name=loadlua\n" +
		"redis.register_function('lua_incr', function(keys) return redis.call('INCR', keys[1]) end)"
	loadJS = "#!js name=loadjs\n" +
		"redis.registerFunction('js_incr', (keys) => redis.call('INCR', keys[0]));"
	loadSpin = "#!lua name=spin\n" +
		"redis.register_function('spin', function() while true do end end)"
	loadEval = "return redis.call('INCR', KEYS[1])"
	// The runaway function's end, as FUNCTION KILL leaves it.
	killedPrefix = "ERR Script killed by user with SCRIPT KILL... script: spin,"
	busyReply    = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)

// loadOps are the operations a worker cycles through; every one is
// checked against what the worker alone can know the answer to be.
var loadOps = []string{"INCR", "FCALL lua_incr", "FCALL js_incr", "EVALSHA", "SET", "GET", "FCALL set_get (wasm)", "PUBLISH"}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// rssKB reads a VmRSS-like field (VmRSS, VmHWM) of a process, in KiB.
func rssKB(pid int, field string) int {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// startPolyfnProcess builds cmd/polyfn and runs it on a free loopback
// port; it is stopped (by pid) when the test ends.
func startPolyfnProcess(t *testing.T, args ...string) (addr string, pid int) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "polyfn")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/polyfn/polyfn/cmd/polyfn").CombinedOutput()
	require.NoError(t, err, "%s", out)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	logf, err := os.Create(filepath.Join(dir, "polyfn.log"))
	require.NoError(t, err)
	cmd := exec.Command(bin, append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--dir", dir}, args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("polyfn log:\n%s", b)
		}
	})
	addr = "127.0.0.1:" + port
	for deadline := time.Now().Add(10 * time.Second); ; {
		if nc, err := net.Dial("tcp", addr); err == nil {
			nc.Close()
			return addr, cmd.Process.Pid
		}
		require.True(t, time.Now().Before(deadline), "polyfn did not start")
		time.Sleep(20 * time.Millisecond)
	}
}

// loadStats are the figures the test prints.
type loadStats struct {
	ops       [8]atomic.Int64
	busy      atomic.Int64
	kills     atomic.Int64
	notBusy   atomic.Int64
	delivered atomic.Int64 // sum of PUBLISH replies
	received  atomic.Int64 // messages the subscribers read
	mu        sync.Mutex
	unexpect  map[string]int // unexpected replies by kind, with a sample
	samples   map[string]string
}

func (s *loadStats) unexpected(kind, sample string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unexpect[kind]++
	if s.samples[kind] == "" {
		s.samples[kind] = sample
	}
}

func TestLoad(t *testing.T) {
	if os.Getenv("POLYFN_LOAD") == "" {
		t.Skip("the load test runs with POLYFN_LOAD=1 (about a minute; see bench/README.md)")
	}
	dur := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("POLYFN_LOAD_DURATION")); err == nil {
		dur = d
	}
	conns := envInt("POLYFN_LOAD_CONNS", 1000)
	maxRSSMB := envInt("POLYFN_LOAD_MAX_RSS_MB", 1024)
	const subscribers = 50
	workers := conns - subscribers - 2 // the runaway client and its killer

	addr, pid := startPolyfnProcess(t, "--busy-reply-threshold", "100", "--maxclients", strconv.Itoa(conns+100))
	ctl := conformance.Dial(t, addr)
	wasmMod, err := os.ReadFile("../engines/wasm/testdata/example.wasm")
	require.NoError(t, err)
	for _, lib := range []string{loadLua, loadJS, loadSpin, "#!wasm name=example\n" + string(wasmMod)} {
		v, raw, err := ctl.Do("FUNCTION", "LOAD", lib)
		require.NoError(t, err)
		require.Equal(t, core.VBulk, v.Kind, "%s", raw)
	}
	v, _, err := ctl.Do("SCRIPT", "LOAD", loadEval)
	require.NoError(t, err)
	sha := string(v.Str)
	rssStart := rssKB(pid, "VmRSS")

	st := &loadStats{unexpect: map[string]int{}, samples: map[string]string{}}
	clients := make([]*conformance.Client, conns)
	for i := range clients {
		clients[i] = conformance.Dial(t, addr)
	}
	rssConnected := rssKB(pid, "VmRSS")

	var stop atomic.Bool
	var wg sync.WaitGroup
	expected := make([]int64, workers)

	// Subscribers: read every message until the end.
	subReady := sync.WaitGroup{}
	for i := 0; i < subscribers; i++ {
		c := clients[workers+2+i]
		subReady.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.Do("SUBSCRIBE", "load")
			subReady.Done()
			if err != nil {
				st.unexpected("subscribe", err.Error())
				return
			}
			for {
				v, _, err := c.Read()
				if err != nil {
					return // closed at the end
				}
				if len(v.Elems) == 3 && string(v.Elems[0].Str) == "message" {
					st.received.Add(1)
				}
			}
		}()
	}
	subReady.Wait()

	// The workers.
	for w := 0; w < workers; w++ {
		c := clients[w]
		wg.Add(1)
		go func() {
			defer wg.Done()
			counter, key, wkey := "counter:"+strconv.Itoa(w), "k:"+strconv.Itoa(w), "w:"+strconv.Itoa(w)
			for seq := w; !stop.Load(); seq++ {
				op := seq % len(loadOps)
				val := strconv.Itoa(seq)
				var args []string
				switch op {
				case 0:
					args = []string{"INCR", counter}
				case 1:
					args = []string{"FCALL", "lua_incr", "1", counter}
				case 2:
					args = []string{"FCALL", "js_incr", "1", counter}
				case 3:
					args = []string{"EVALSHA", sha, "1", counter}
				case 4:
					args = []string{"SET", key, val}
				case 5:
					args = []string{"GET", key}
				case 6:
					args = []string{"FCALL", "set_get", "1", wkey, val}
				case 7:
					args = []string{"PUBLISH", "load", val}
				}
				v, raw, err := c.Do(args...)
				if err != nil {
					st.unexpected("connection", err.Error())
					return
				}
				if v.Kind == core.VError && string(v.Str) == busyReply {
					st.busy.Add(1) // not run: the same command again
					seq--
					time.Sleep(5 * time.Millisecond)
					continue
				}
				ok := false
				switch op {
				case 0, 1, 2, 3:
					ok = v.Kind == core.VInt && v.Int == expected[w]+1
					if ok {
						expected[w]++
					}
				case 4:
					ok = string(v.Str) == "OK"
				case 5:
					// The SET before this GET wrote seq-1.
					ok = seq == w || string(v.Str) == strconv.Itoa(seq-1)
				case 6:
					ok = string(v.Str) == val
				case 7:
					ok = v.Kind == core.VInt
					st.delivered.Add(v.Int)
				}
				if !ok {
					kind := loadOps[op]
					if v.Kind == core.VError {
						kind += " " + strings.Fields(string(v.Str))[0]
					}
					st.unexpected(kind, conformance.Quote(raw))
					continue
				}
				st.ops[op].Add(1)
			}
		}()
	}

	// The runaway function, killed and reloaded over and over.
	wg.Add(1)
	go func() {
		defer wg.Done()
		runner, killer := clients[workers], clients[workers+1]
		for !stop.Load() {
			if err := runner.Send("FCALL", "spin", "0"); err != nil {
				st.unexpected("connection", err.Error())
				return
			}
			for {
				v, _, err := killer.Do("FUNCTION", "KILL")
				if err != nil {
					st.unexpected("connection", err.Error())
					return
				}
				if string(v.Str) == "OK" {
					break
				}
				if !strings.HasPrefix(string(v.Str), "NOTBUSY") {
					st.unexpected("FUNCTION KILL", string(v.Str))
					return
				}
				st.notBusy.Add(1) // not started yet
				time.Sleep(20 * time.Millisecond)
			}
			v, _, err := runner.Read()
			if err != nil || !strings.HasPrefix(string(v.Str), killedPrefix) {
				st.unexpected("runaway", fmt.Sprint(string(v.Str), err))
				return
			}
			st.kills.Add(1)
			if v, _, err := killer.Do("FUNCTION", "LOAD", "REPLACE", loadSpin); err != nil || string(v.Str) != "spin" {
				st.unexpected("FUNCTION LOAD", fmt.Sprint(string(v.Str), err))
				return
			}
			time.Sleep(200 * time.Millisecond) // let the others work
		}
	}()

	// Watch the server's memory while the load runs.
	var rssPeak atomic.Int64
	sampler := make(chan struct{})
	go func() {
		defer close(sampler)
		for !stop.Load() {
			rssPeak.Store(max(rssPeak.Load(), int64(rssKB(pid, "VmRSS"))))
			time.Sleep(250 * time.Millisecond)
		}
	}()

	start := time.Now()
	time.Sleep(dur)
	stop.Store(true)
	// Workers and the runaway client finish their current command; then
	// the subscribers get what was published.
	elapsed := time.Since(start)
	<-sampler
	deadline := time.Now().Add(15 * time.Second)
	for st.received.Load() < st.delivered.Load() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range clients[workers+2:] {
		c.Close()
	}
	wg.Wait()
	for st.received.Load() < st.delivered.Load() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}

	// No lost writes: every counter holds what its worker counted.
	check := conformance.Dial(t, addr)
	lost := 0
	for w := 0; w < workers; w++ {
		check.Send("GET", "counter:"+strconv.Itoa(w))
	}
	var total int64
	for w := 0; w < workers; w++ {
		v, _, err := check.Read()
		require.NoError(t, err)
		n, _ := strconv.ParseInt(string(v.Str), 10, 64)
		if n != expected[w] {
			lost++
		}
		total += expected[w]
	}
	rssAfter := rssKB(pid, "VmRSS")
	rssHWM := rssKB(pid, "VmHWM")

	var ops int64
	t.Logf("load: %d connections (%d workers, %d subscribers, a runaway client and its killer) for %v",
		conns, workers, subscribers, elapsed.Round(time.Millisecond))
	for i, name := range loadOps {
		n := st.ops[i].Load()
		ops += n
		t.Logf("  %-22s %9d ok  %8.0f/s", name, n, float64(n)/elapsed.Seconds())
	}
	t.Logf("  %-22s %9d ok  %8.0f/s", "total", ops, float64(ops)/elapsed.Seconds())
	t.Logf("  expected errors: BUSY %d (retried), runaway kills %d, NOTBUSY %d (kill before it started)",
		st.busy.Load(), st.kills.Load(), st.notBusy.Load())
	t.Logf("  counters: %d increments checked, %d of %d counters wrong", total, lost, workers)
	t.Logf("  pub/sub: %d deliveries published, %d received", st.delivered.Load(), st.received.Load())
	t.Logf("  server RSS: %d MiB at start, %d MiB with %d connections, %d MiB peak sampled (%d MiB VmHWM), %d MiB after",
		rssStart>>10, rssConnected>>10, conns, rssPeak.Load()>>10, rssHWM>>10, rssAfter>>10)
	var kinds []string
	for k := range st.unexpect {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Errorf("unexpected reply: %s x%d, e.g. %s", k, st.unexpect[k], st.samples[k])
	}
	require.Zero(t, lost, "lost writes")
	require.Equal(t, st.delivered.Load(), st.received.Load(), "every published delivery reached its subscriber")
	require.Positive(t, st.kills.Load(), "the runaway function was killed")
	require.Positive(t, ops, "work was done")
	require.Less(t, rssHWM>>10, maxRSSMB, "server RSS bounded (POLYFN_LOAD_MAX_RSS_MB)")
}
