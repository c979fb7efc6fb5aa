// Command compare measures polyfn against redis-server on this machine, in
// one run: it builds polyfn, starts it and a redis-server on loopback
// ports, runs redis-benchmark against both in alternation (each test
// without pipelining and with -P 16) and prints polyfn's throughput as a
// ratio of Redis's; then it loads the same data set into fresh instances
// of both and compares their resident memory.
//
// The js_ret1, js_getset and js_loop tests (-t js for all three) compare
// JavaScript with Lua: FCALL of a Lua function on redis-server and on
// polyfn, and of the same function in JavaScript on polyfn. The
// wasm_ret1, wasm_getset, wasm_loop and wasm_sha256 tests (-t wasm)
// compare WebAssembly on polyfn with Lua on redis-server (wasm.go).
//
// -server-args passes extra arguments to both servers, e.g. SET under
// constant eviction: -t set_evict -server-args "--maxmemory 8mb
// --maxmemory-policy allkeys-lru".
//
// -t aof compares SET with appendonly yes (appendfsync everysec) and the
// client-visible pauses while each server rewrites an AOF of 1,000,000
// keys (bench/compare/aof.go). -t rdb times SAVE and the load at start-up
// of 1,000,000 keys and the pauses during BGSAVE (bench/compare/rdb.go).
//
//	go run ./bench/compare [-n 200000] [-c 50] [-rounds 3] [-skip-mem] [-t js|wasm|aof|rdb]
package main

import (
	"bufio"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var tests = []string{"set", "get", "incr", "lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin", "lrange_100", "mset"}

// Scripting benchmarks: EVALSHA and FCALL of a trivial script, of one
// doing a SET and a GET, and of a 1,000-iteration arithmetic loop. The
// scripts are loaded on both servers first (setupScripts).
var scriptBodies = map[string]string{
	"ret1":   "return 1",
	"getset": "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])",
	"loop":   "local s = 0 for i = 1, 1000 do s = s + i * 2 end return s",
}

var scriptLibrary = "#!lua name=benchlib\n" +
	"redis.register_function('ret1', function() return 1 end)\n" +
	"redis.register_function('getset', function(keys, args) redis.call('SET', keys[1], args[1]) return redis.call('GET', keys[1]) end)\n" +
	"redis.register_function('loop', function() local s = 0 for i = 1, 1000 do s = s + i * 2 end return s end)\n"

var scriptTests = []string{"evalsha_ret1", "evalsha_getset", "evalsha_loop", "fcall_ret1", "fcall_getset", "fcall_loop"}

// JavaScript against Lua: the same three functions in a JavaScript
// library, loaded on polyfn only. A js_<name> test runs FCALL <name> (Lua)
// on redis-server and on polyfn, and FCALL js_<name> (JavaScript) on
// polyfn, and reports all three against redis-server's Lua.
var jsLibrary = "#!js name=benchjs\n" +
	"redis.registerFunction('js_ret1', () => 1);\n" +
	"redis.registerFunction('js_getset', (keys, args) => { redis.call('SET', keys[0], args[0]); return redis.call('GET', keys[0]); });\n" +
	"redis.registerFunction('js_loop', () => { let s = 0; for (let i = 1; i <= 1000; i++) s += i * 2; return s; });\n"

var jsTests = []string{"js_ret1", "js_getset", "js_loop"}

// isJSTest reports whether test is one of jsTests.
func isJSTest(test string) bool {
	for _, t := range jsTests {
		if t == test {
			return true
		}
	}
	return false
}

// scriptCommand is the command line redis-benchmark sends for a
// scripting test (nil for its built-in tests).
func scriptCommand(test string) []string {
	if js, ok := strings.CutPrefix(test, "fcalljs_"); ok { // the JavaScript function of js_<name>
		return append([]string{"FCALL", "js_" + js}, scriptCommand("fcall_" + js)[2:]...)
	}
	kind, name, ok := strings.Cut(test, "_")
	if !ok || scriptBodies[name] == "" {
		return nil
	}
	keys := []string{"0"}
	if name == "getset" {
		keys = []string{"1", "bench:key", "value"}
	}
	if kind == "fcall" {
		return append([]string{"FCALL", name}, keys...)
	}
	sum := sha1.Sum([]byte(scriptBodies[name]))
	return append([]string{"EVALSHA", hex.EncodeToString(sum[:])}, keys...)
}

// Data-type benchmarks with custom command lines: HyperLogLog and geo.
// __rand_int__ is replaced by redis-benchmark (-r 100000). The geo set and
// the second HyperLogLog are loaded first (setupData).
var customCommands = map[string][]string{
	"pfadd":     {"PFADD", "bench:hll", "e:__rand_int__"},
	"pfcount":   {"PFCOUNT", "bench:hll"},
	"pfcount2":  {"PFCOUNT", "bench:hll", "bench:hll2"},
	"geoadd":    {"GEOADD", "bench:geo2", "13.__rand_int__", "38.__rand_int__", "m:__rand_int__"},
	"geosearch": {"GEOSEARCH", "bench:geo", "FROMLONLAT", "13.5", "38.5", "BYRADIUS", "5", "km", "ASC", "COUNT", "10"},
	// SET of 100-byte values over 100,000 keys: with -server-args
	// "--maxmemory 8mb --maxmemory-policy allkeys-lru" both servers evict
	// on nearly every write.
	"set_evict": {"SET", "evict:__rand_int__", strings.Repeat("v", 100)},
}

var customTests = []string{"pfadd", "pfcount", "pfcount2", "geoadd", "geosearch"}

// setupData loads a 100x100 grid of points (0.01 degree apart) into
// bench:geo and 10,000 elements into bench:hll2.
func setupData(addr string) {
	load(addr, 10000, func(i int) []string {
		lon := 13 + float64(i%100)*0.01
		lat := 38 + float64(i/100)*0.01
		return []string{"GEOADD", "bench:geo", strconv.FormatFloat(lon, 'f', 4, 64), strconv.FormatFloat(lat, 'f', 4, 64), "p" + strconv.Itoa(i)}
	})
	load(addr, 100, func(i int) []string {
		args := []string{"PFADD", "bench:hll2"}
		for j := 0; j < 100; j++ {
			args = append(args, strconv.Itoa(i*100+j))
		}
		return args
	})
}

// Stream benchmarks: XADD with auto IDs, XRANGE of a 10-entry stream,
// XREADGROUP delivering one new entry per call (each added to the
// pending list) from a prefilled stream, and XACK of random pending IDs.
var streamTests = []string{"xadd", "xrange10", "xreadgroup", "xack"}

// streamCommand is the command line (and extra redis-benchmark options)
// for a stream test, nil for other tests.
func streamCommand(test string, n int) (cmd, opts []string) {
	switch test {
	case "xadd":
		return []string{"XADD", "bench:xadd", "*", "field", "value"}, nil
	case "xrange10":
		return []string{"XRANGE", "bench:x10", "-", "+"}, nil
	case "xreadgroup":
		return []string{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "bench:q", ">"}, nil
	case "xack":
		// __rand_int__ becomes a zero-padded number below n: the ID
		// "<n>-0" of an entry delivered by setupStreams.
		return []string{"XACK", "bench:a", "g", "__rand_int__"}, []string{"-r", strconv.Itoa(n)}
	}
	return nil, nil
}

// setupStreams fills the streams the stream tests read: 10 entries for
// xrange10, entries enough for every xreadgroup request, and n pending
// entries for xack.
func setupStreams(addr string, n, rounds int) {
	load(addr, 10, func(i int) []string {
		return []string{"XADD", "bench:x10", strconv.Itoa(i+1) + "-0", "field", "value" + strconv.Itoa(i)}
	})
	q := 2*n*rounds + 1000
	load(addr, q, func(i int) []string { return []string{"XADD", "bench:q", strconv.Itoa(i+1) + "-0", "field", "value"} })
	load(addr, n, func(i int) []string { return []string{"XADD", "bench:a", strconv.Itoa(i+1) + "-0", "field", "value"} })
	load(addr, 2, func(i int) []string {
		if i == 0 {
			return []string{"XGROUP", "CREATE", "bench:q", "g", "0"}
		}
		return []string{"XGROUP", "CREATE", "bench:a", "g", "0"}
	})
	c, err := net.Dial("tcp", addr)
	check(err)
	defer c.Close()
	fmt.Fprintf(c, "*9\r\n$10\r\nXREADGROUP\r\n$5\r\nGROUP\r\n$1\r\ng\r\n$1\r\nc\r\n$5\r\nCOUNT\r\n$%d\r\n%d\r\n$7\r\nSTREAMS\r\n$7\r\nbench:a\r\n$1\r\n>\r\n", len(strconv.Itoa(n)), n)
	skipReply(bufio.NewReaderSize(c, 1<<20))
}

// skipReply reads one whole RESP2 reply.
func skipReply(br *bufio.Reader) {
	l, err := br.ReadString('\n')
	check(err)
	n, _ := strconv.Atoi(strings.TrimSpace(l[1:]))
	switch l[0] {
	case '*':
		for i := 0; i < n; i++ {
			skipReply(br)
		}
	case '$':
		if n >= 0 {
			_, err := br.Discard(n + 2)
			check(err)
		}
	case '-':
		fail("setup: %s", l)
	}
}

// setupScripts loads the benchmark scripts and library into a server,
// and with js the JavaScript library too.
func setupScripts(addr string, js bool) {
	var cmds [][]string
	for _, body := range scriptBodies {
		cmds = append(cmds, []string{"SCRIPT", "LOAD", body})
	}
	cmds = append(cmds, []string{"FUNCTION", "LOAD", "REPLACE", scriptLibrary})
	if js {
		cmds = append(cmds, []string{"FUNCTION", "LOAD", "REPLACE", jsLibrary})
	}
	load(addr, len(cmds), func(i int) []string { return cmds[i] })
}

func main() {
	n := flag.Int("n", 200000, "requests per redis-benchmark run")
	clients := flag.Int("c", 50, "parallel clients")
	rounds := flag.Int("rounds", 3, "alternating rounds per test (the median is kept)")
	only := flag.String("t", strings.Join(tests, ","), "tests to run (scripting: "+strings.Join(scriptTests, ",")+"; \"scripts\" for all of them; JavaScript vs Lua: "+strings.Join(jsTests, ",")+", \"js\" for those; "+strings.Join(customTests, ",")+"; \"hllgeo\" for those; streams: "+strings.Join(streamTests, ",")+"; \"streams\" for those; \"aof\": SET with appendonly yes and the pauses of BGREWRITEAOF; \"rdb\": SAVE, load and BGSAVE pauses with 1M keys)")
	skipMem := flag.Bool("skip-mem", false, "skip the memory comparison")
	skipThroughput := flag.Bool("skip-throughput", false, "skip redis-benchmark")
	serverArgs := flag.String("server-args", "", "extra arguments for both servers in the throughput tests (e.g. \"--maxmemory 8mb --maxmemory-policy allkeys-lru\")")
	pin := flag.Bool("pin", true, "run redis-benchmark on CPU 0 and the servers on the other CPUs (pin.go)")
	flag.Parse()
	if setPinning(*pin) {
		fmt.Printf("pinned: redis-benchmark on CPU %s, servers on CPU %s\n", clientCPUs, serverCPUs)
	}

	dir, err := os.MkdirTemp("", "polyfn-bench")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "polyfn")
	build := exec.Command("go", "build", "-o", bin, "./cmd/polyfn")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	check(build.Run())

	if *only == "aof" {
		aofBench(bin, dir, *n, *clients, *rounds)
		return
	}
	if *only == "rdb" {
		rdbBench(bin, dir)
		return
	}
	if !*skipThroughput {
		groups := map[string][]string{"scripts": scriptTests, "hllgeo": customTests, "streams": streamTests, "js": jsTests, "wasm": wasmTests}
		var list []string
		for _, t := range strings.Split(*only, ",") {
			if g, ok := groups[t]; ok {
				list = append(list, g...)
			} else {
				list = append(list, t)
			}
		}
		throughput(bin, dir, list, *n, *clients, *rounds, strings.Fields(*serverArgs))
	}
	if !*skipMem {
		memory(bin, dir)
	}
}

type server struct {
	name string
	port int
	cmd  *exec.Cmd

	// cpuPerReq is the server's CPU time per request (µs) in the last
	// redis-benchmark run against it.
	cpuPerReq float64
	// execPerCall is the time the server itself gives the command of the
	// last run when that was a command (FCALL...): usec_per_call of INFO
	// commandstats, the command's execution without the network, reading
	// and writing (µs); 0 for redis-benchmark's own tests (-t).
	execPerCall float64
}

func start(name, bin, dir string, extra ...string) *server {
	port := freePort()
	// Neither server snapshots, and both keep their files in dir: a
	// dump.rdb left in the working directory would be loaded by the
	// next run.
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir}
	if name == "redis" {
		args = append(args, "--appendonly", "no", "--logfile", filepath.Join(dir, "redis.log"))
	}
	cmd := command(serverCPUs, bin, append(args, extra...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	check(cmd.Start())
	s := &server{name: name, port: port, cmd: cmd}
	started[s] = true
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", s.addr()); err == nil {
			c.Close()
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	fail("%s did not start\n", name)
	return nil
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *server) stop() {
	delete(started, s)
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// rss returns the server's resident set size in bytes.
func (s *server) rss() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	check(err)
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func redisBenchmark(srv *server, test string, n, clients, pipeline int) float64 {
	var extra []string
	if cmd := customCommands[test]; cmd != nil {
		extra = append([]string{"-r", "100000"}, cmd...)
	} else if cmd := scriptCommand(test); cmd != nil {
		extra = cmd
	} else if cmd, opts := streamCommand(test, n); cmd != nil {
		extra = append(opts, cmd...)
	} else {
		extra = []string{"-t", test}
	}
	return runRedisBenchmark(srv, n, clients, pipeline, extra)
}

// runRedisBenchmark runs redis-benchmark --csv against srv with extra
// arguments after the common ones, records srv's CPU time per request
// (cpuPerReq) and returns the ops/s of its last test.
func runRedisBenchmark(srv *server, n, clients, pipeline int, extra []string) float64 {
	args := append([]string{"-p", strconv.Itoa(srv.port), "-n", strconv.Itoa(n), "-c", strconv.Itoa(clients), "-P", strconv.Itoa(pipeline), "--csv"}, extra...)
	cmdName := ""
	if len(extra) > 0 && !strings.HasPrefix(extra[0], "-") {
		cmdName = strings.ToLower(extra[0])
		send(srv.addr(), "CONFIG", "RESETSTAT")
	}
	before := srv.cpuTicks()
	out, err := command(clientCPUs, "redis-benchmark", args...).Output()
	check(err)
	srv.cpuPerReq = float64(srv.cpuTicks()-before) * 1e6 / ticksPerSecond / float64(n)
	srv.execPerCall = 0
	if cmdName != "" {
		srv.execPerCall = usecPerCall(send(srv.addr(), "INFO", "commandstats"), cmdName)
	}
	recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	check(err)
	// The last record is the test asked for (LRANGE tests run an LPUSH first).
	for i := len(recs) - 1; i >= 1; i-- {
		if len(recs[i]) >= 2 {
			v, err := strconv.ParseFloat(recs[i][1], 64)
			if err == nil {
				return v
			}
		}
	}
	fail("cannot parse redis-benchmark output:\n%s", out)
	return 0
}

// usecPerCall reads usec_per_call of command name from INFO commandstats
// text (0 when it is not there).
func usecPerCall(info, name string) float64 {
	for _, l := range strings.Split(info, "\r\n") {
		stats, ok := strings.CutPrefix(l, "cmdstat_"+name+":")
		if !ok {
			continue
		}
		for _, f := range strings.Split(stats, ",") {
			if v, ok := strings.CutPrefix(f, "usec_per_call="); ok {
				x, _ := strconv.ParseFloat(v, 64)
				return x
			}
		}
	}
	return 0
}

func median(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}

func throughput(bin, dir string, tests []string, n, clients, rounds int, extra []string) {
	redis := start("redis", "redis-server", dir, extra...)
	defer redis.stop()
	poly := start("polyfn", bin, dir, extra...)
	defer poly.stop()
	setupScripts(redis.addr(), false)
	setupScripts(poly.addr(), true)
	setupData(redis.addr())
	setupData(poly.addr())
	for _, t := range tests {
		if c, _ := streamCommand(t, n); c != nil {
			setupStreams(redis.addr(), n, rounds)
			setupStreams(poly.addr(), n, rounds)
			break
		}
	}
	var plain, js, wasm []string
	for _, t := range tests {
		if isJSTest(t) {
			js = append(js, t)
		} else if isWasmTest(t) {
			wasm = append(wasm, t)
		} else {
			plain = append(plain, t)
		}
	}
	fmt.Printf("redis-benchmark -n %d -c %d, median of %d alternating rounds (ops/s)\n", n, clients, rounds)
	if len(plain) > 0 {
		compareTwo(redis, poly, plain, n, clients, rounds)
	}
	if len(js) > 0 {
		compareJS(redis, poly, js, n, clients, rounds)
	}
	if len(wasm) > 0 {
		compareWasm(redis, poly, wasm, n, clients, rounds)
	}
}

// run is one server's redis-benchmark invocation in an alternation.
type run struct {
	srv   *server
	bench func() float64 // ops/s; srv.cpuPerReq is set by it
}

// figures are one run's results, round by round: ops/s, CPU time per
// request (µs), the command's execution time per call (µs, execPerCall)
// and the ratio of its ops/s to the first run's of the same round.
type figures struct{ ops, cpu, exec, ratio []float64 }

// alternate runs every run once per round, in order. Ratios are taken
// within a round, so that drift in the machine's speed between rounds
// cancels out; callers report medians.
func alternate(rounds int, runs ...run) []figures {
	res := make([]figures, len(runs))
	for i := 0; i < rounds; i++ {
		for j, r := range runs {
			res[j].ops = append(res[j].ops, r.bench())
			res[j].cpu = append(res[j].cpu, r.srv.cpuPerReq)
			res[j].exec = append(res[j].exec, r.srv.execPerCall)
			res[j].ratio = append(res[j].ratio, res[j].ops[i]/res[0].ops[i])
		}
	}
	return res
}

// compareTwo runs each test on redis-server and polyfn, alternating; the
// ratio is the median of the rounds' polyfn/redis ratios, the cpu columns
// each server's CPU time per request (µs, median).
func compareTwo(redis, poly *server, tests []string, n, clients, rounds int) {
	fmt.Printf("%-12s %4s %12s %12s %7s %9s %9s\n", "test", "-P", "redis", "polyfn", "ratio", "cpu-redis", "cpu-poly")
	for _, pipeline := range []int{1, 16} {
		var worst = 1e9
		for _, t := range tests {
			res := alternate(rounds,
				run{redis, func() float64 { return redisBenchmark(redis, t, n, clients, pipeline) }},
				run{poly, func() float64 { return redisBenchmark(poly, t, n, clients, pipeline) }})
			r, p := res[0], res[1]
			ratio := median(p.ratio)
			worst = min(worst, ratio)
			fmt.Printf("%-12s %4d %12.0f %12.0f %6.2fx %8.2fu %8.2fu\n", t, pipeline, median(r.ops), median(p.ops), ratio, median(r.cpu), median(p.cpu))
		}
		fmt.Printf("%-12s %4d %12s %12s %6.2fx\n", "worst", pipeline, "", "", worst)
	}
}

// compareJS runs js_<name> tests: FCALL of the Lua function on
// redis-server and on polyfn, and of the JavaScript one on polyfn, in
// alternation; ratios (median of the rounds' ratios) are against
// redis-server's Lua, the cpu columns are CPU time per request (µs).
func compareJS(redis, poly *server, tests []string, n, clients, rounds int) {
	fmt.Printf("\nFCALL, Lua and JavaScript (ratios: ops/s / redis-lua's)\n")
	fmt.Printf("%-10s %4s %10s %10s %10s %9s %9s %9s %9s %9s\n", "test", "-P", "redis-lua", "polyfn-lua", "polyfn-js", "lua-ratio", "js-ratio", "cpu-redis", "cpu-lua", "cpu-js")
	for _, pipeline := range []int{1, 16} {
		for _, t := range tests {
			name := strings.TrimPrefix(t, "js_")
			res := alternate(rounds,
				run{redis, func() float64 { return redisBenchmark(redis, "fcall_"+name, n, clients, pipeline) }},
				run{poly, func() float64 { return redisBenchmark(poly, "fcall_"+name, n, clients, pipeline) }},
				run{poly, func() float64 { return redisBenchmark(poly, "fcalljs_"+name, n, clients, pipeline) }})
			r, l, j := res[0], res[1], res[2]
			fmt.Printf("%-10s %4d %10.0f %10.0f %10.0f %8.2fx %8.2fx %8.2fu %8.2fu %8.2fu\n", t, pipeline, median(r.ops), median(l.ops), median(j.ops),
				median(l.ratio), median(j.ratio), median(r.cpu), median(l.cpu), median(j.cpu))
		}
	}
}

// load sends commands built by gen in pipelined batches.
func load(addr string, count int, gen func(i int) []string) {
	c, err := net.Dial("tcp", addr)
	check(err)
	defer c.Close()
	br := bufio.NewReaderSize(c, 1<<16)
	bw := bufio.NewWriterSize(c, 1<<16)
	const batch = 1000
	for i := 0; i < count; i += batch {
		end := min(i+batch, count)
		for j := i; j < end; j++ {
			args := gen(j)
			fmt.Fprintf(bw, "*%d\r\n", len(args))
			for _, a := range args {
				fmt.Fprintf(bw, "$%d\r\n%s\r\n", len(a), a)
			}
		}
		check(bw.Flush())
		for j := i; j < end; j++ {
			line, err := br.ReadString('\n')
			check(err)
			if line[0] == '-' {
				fail("load: %q: %s", gen(j), line)
			}
			if line[0] == '$' && line[1] != '-' { // a bulk reply's payload line
				_, err := br.ReadString('\n')
				check(err)
			}
		}
	}
}

func memory(bin, dir string) {
	type dataset struct {
		name  string
		count int
		gen   func(i int) []string
	}
	sets := []dataset{
		{"1,000,000 string keys (key:N -> 10 bytes)", 1000000, func(i int) []string {
			return []string{"SET", "key:" + strconv.Itoa(i), "value:" + strconv.Itoa(i%10000)}
		}},
		{"100,000 hashes of 10 fields", 100000, func(i int) []string {
			args := []string{"HSET", "hash:" + strconv.Itoa(i)}
			for f := 0; f < 10; f++ {
				args = append(args, "field"+strconv.Itoa(f), "value"+strconv.Itoa(f))
			}
			return args
		}},
	}
	fmt.Printf("\n%-44s %10s %10s %7s\n", "resident memory after loading", "redis", "polyfn", "ratio")
	for _, ds := range sets {
		var rss [2]int64
		for i, s := range []*server{start("redis", "redis-server", dir), start("polyfn", bin, dir)} {
			base := s.rss()
			load(s.addr(), ds.count, ds.gen)
			time.Sleep(2 * time.Second) // let a collection cycle settle
			rss[i] = s.rss()
			_ = base
			s.stop()
		}
		fmt.Printf("%-44s %9.1fM %9.1fM %6.2fx\n", ds.name, float64(rss[0])/(1<<20), float64(rss[1])/(1<<20), float64(rss[1])/float64(rss[0]))
	}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func check(err error) {
	if err != nil {
		fail("%v\n", err)
	}
}

// started holds the servers start launched and not yet stopped; fail
// stops them, since os.Exit skips the deferred stops.
var started = map[*server]bool{}

// fail prints a message, stops every server still running and exits.
func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format, args...)
	for s := range started {
		s.stop()
	}
	os.Exit(1)
}
