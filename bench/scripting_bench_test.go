package bench

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
)

// Scripting benchmarks. The in-process ones (BenchmarkContract*) measure
// the per-call cost of the engine contract, core and Lua engine, without
// the network: a command goes to Server.Exec and its reply into a
// Builder. The network ones mirror redis-benchmark's scripting tests in
// ./compare.

const (
	benchLib = "#!lua name=benchlib\n" +
		"redis.register_function('ret1', function() return 1 end)\n" +
		"redis.register_function('getset', function(keys, args) redis.call('SET', keys[1], args[1]) return redis.call('GET', keys[1]) end)\n" +
		"redis.register_function('loop', function() local s = 0 for i = 1, 1000 do s = s + i * 2 end return s end)\n"
	bodyRet1   = "return 1"
	bodyGetSet = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])"
	bodyLoop   = "local s = 0 for i = 1, 1000 do s = s + i * 2 end return s"
)

type inProcess struct {
	s *core.Server
	c *core.Client
	w *core.Builder
}

func newInProcess(b *testing.B) *inProcess {
	cfg := core.NewConfig()
	if err := cfg.LoadArgs([]string{"--save", "", "--dir", b.TempDir()}); err != nil {
		b.Fatal(err)
	}
	s := core.New(cfg, core.DefaultTable())
	s.SetEngines(engines.Registry())
	b.Cleanup(s.RequestShutdown)
	p := &inProcess{s: s, w: core.NewBuilder(2)}
	p.c = s.NewClient(core.NopConn{}, "127.0.0.1:1", "127.0.0.1:2")
	p.c.W = p.w
	p.do(b, "FUNCTION", "LOAD", benchLib)
	for _, body := range []string{bodyRet1, bodyGetSet, bodyLoop} {
		p.do(b, "SCRIPT", "LOAD", body)
	}
	return p
}

func (p *inProcess) do(b *testing.B, args ...string) core.Value {
	a := make([][]byte, len(args))
	for i, s := range args {
		a[i] = []byte(s)
	}
	p.w.Reset()
	p.s.Exec(p.c, a)
	v := p.w.Values()[0]
	if v.Kind == core.VError {
		b.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

func benchContract(b *testing.B, args ...string) { newInProcess(b).time(b, args...) }

// time runs the command b.N times, timed, and fails on an error reply.
func (p *inProcess) time(b *testing.B, args ...string) {
	a := make([][]byte, len(args))
	for i, s := range args {
		a[i] = []byte(s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.w.Reset()
		p.s.Exec(p.c, a)
	}
	b.StopTimer()
	if v := p.w.Values()[0]; v.Kind == core.VError {
		b.Fatalf("%s", v.Str)
	}
}

func BenchmarkContractFCallRet1(b *testing.B)   { benchContract(b, "FCALL", "ret1", "0") }
func BenchmarkContractFCallGetSet(b *testing.B) { benchContract(b, "FCALL", "getset", "1", "k", "v") }
func BenchmarkContractFCallLoop(b *testing.B)   { benchContract(b, "FCALL", "loop", "0") }

// BenchmarkContractFCallGetSetBench is FCallGetSet with the key and
// value of ./compare's getset test (strings of more than one byte).
func BenchmarkContractFCallGetSetBench(b *testing.B) {
	benchContract(b, "FCALL", "getset", "1", "bench:key", "value")
}
func BenchmarkContractEvalSHARet1(b *testing.B) {
	benchContract(b, "EVALSHA", core.SHA1Hex([]byte(bodyRet1)), "0")
}
func BenchmarkContractEvalSHAGetSet(b *testing.B) {
	benchContract(b, "EVALSHA", core.SHA1Hex([]byte(bodyGetSet)), "1", "k", "v")
}

// BenchmarkContractPlainGet is the baseline: one command, no script.
func BenchmarkContractPlainGet(b *testing.B) { benchContract(b, "GET", "k") }

// BenchmarkContractFCallCrowded is FCALL of a trivial function with a
// 100-function library and 10,000 cached EVAL scripts loaded: it must cost
// what BenchmarkContractFCallRet1 costs. It reports the scripting memory
// INFO shows.
func BenchmarkContractFCallCrowded(b *testing.B) {
	p := newInProcess(b)
	lib := "#!lua name=hundred\n"
	for i := 0; i < 100; i++ {
		lib += fmt.Sprintf("redis.register_function('f%d', function(keys, args) return %d end)\n", i, i)
	}
	p.do(b, "FUNCTION", "LOAD", lib)
	for i := 0; i < 10000; i++ {
		p.do(b, "SCRIPT", "LOAD", fmt.Sprintf("return %d", i))
	}
	p.time(b, "FCALL", "f50", "0")
	info := string(p.do(b, "INFO", "memory").Str)
	for _, line := range strings.Split(info, "\r\n") {
		for _, f := range []string{"used_memory_vm_eval", "used_memory_scripts_eval", "number_of_cached_scripts", "used_memory_vm_functions", "used_memory_functions", "number_of_functions"} {
			if v, ok := strings.CutPrefix(line, f+":"); ok {
				n, _ := strconv.ParseFloat(v, 64)
				b.ReportMetric(n, f)
			}
		}
	}
}

// The same contract benchmarks for the JavaScript engine.

const (
	benchLibJS = "#!js name=benchlibjs\n" +
		"redis.registerFunction('js_ret1', () => 1);\n" +
		"redis.registerFunction('js_getset', (keys, args) => { redis.call('SET', keys[0], args[0]); return redis.call('GET', keys[0]); });\n" +
		"redis.registerFunction('js_loop', () => { let s = 0; for (let i = 1; i <= 1000; i++) s += i * 2; return s; });\n"
	bodyRet1JS   = "#!js\nreturn 1"
	bodyGetSetJS = "#!js\nredis.call('SET', KEYS[0], ARGV[0]); return redis.call('GET', KEYS[0]);"
)

func newInProcessJS(b *testing.B) *inProcess {
	p := newInProcess(b)
	p.do(b, "FUNCTION", "LOAD", benchLibJS)
	for _, body := range []string{bodyRet1JS, bodyGetSetJS} {
		p.do(b, "SCRIPT", "LOAD", body)
	}
	return p
}

func benchContractJS(b *testing.B, args ...string) { newInProcessJS(b).time(b, args...) }

func BenchmarkContractJSFCallRet1(b *testing.B) { benchContractJS(b, "FCALL", "js_ret1", "0") }
func BenchmarkContractJSFCallGetSet(b *testing.B) {
	benchContractJS(b, "FCALL", "js_getset", "1", "k", "v")
}
func BenchmarkContractJSFCallGetSetBench(b *testing.B) {
	benchContractJS(b, "FCALL", "js_getset", "1", "bench:key", "value")
}
func BenchmarkContractJSFCallLoop(b *testing.B) { benchContractJS(b, "FCALL", "js_loop", "0") }
func BenchmarkContractJSEvalSHARet1(b *testing.B) {
	benchContractJS(b, "EVALSHA", core.SHA1Hex([]byte(bodyRet1JS)), "0")
}
func BenchmarkContractJSEvalSHAGetSet(b *testing.B) {
	benchContractJS(b, "EVALSHA", core.SHA1Hex([]byte(bodyGetSetJS)), "1", "k", "v")
}
