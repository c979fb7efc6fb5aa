package bench

import (
	"context"
	"os"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/wasm"
	"github.com/tetratelabs/wazero"
)

// The contract benchmarks for the WebAssembly engine, on the Go SDK's
// example library (engines/wasm/sdk/go/example): one (trivial), hello,
// set_get (SET + GET), sum_loop 1000 (a 1,000-iteration arithmetic
// loop, as the Lua one), sha256hex.
// The C, Rust and AssemblyScript SDKs' examples have the same functions:
// BenchmarkContractWasmSDKs times them all, one sub-benchmark each.

func exampleModule(b *testing.B) []byte { return readModule(b, "example") }

func readModule(b *testing.B, name string) []byte {
	m, err := os.ReadFile("../engines/wasm/testdata/" + name + ".wasm")
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func benchContractWasm(b *testing.B, args ...string) { benchWasmModule(b, "example", args...) }

func benchWasmModule(b *testing.B, module string, args ...string) {
	p := newInProcess(b)
	p.do(b, "FUNCTION", "LOAD", "#!wasm name=example\n"+string(readModule(b, module)))
	p.time(b, args...)
}

// BenchmarkContractWasmSDKs: the example functions of every guest SDK
// (go, c, rust, as), e.g. -bench 'WasmSDKs/c/'.
func BenchmarkContractWasmSDKs(b *testing.B) {
	sdks := []struct{ name, module string }{
		{"go", "example"}, {"c", "example-c"}, {"rust", "example-rust"}, {"as", "asexample"},
	}
	calls := []struct {
		name string
		args []string
	}{
		{"one", []string{"FCALL", "one", "0"}},
		{"hello", []string{"FCALL", "hello", "0"}},
		{"getset", []string{"FCALL", "set_get", "1", "k", "v"}},
		{"loop", []string{"FCALL", "sum_loop", "0", "1000"}},
		{"sha256", []string{"FCALL", "sha256hex", "0", "the quick brown fox jumps over the lazy dog"}},
	}
	for _, sdk := range sdks {
		for _, c := range calls {
			b.Run(sdk.name+"/"+c.name, func(b *testing.B) { benchWasmModule(b, sdk.module, c.args...) })
		}
	}
}

func BenchmarkContractWasmFCallHello(b *testing.B) { benchContractWasm(b, "FCALL", "hello", "0") }
func BenchmarkContractWasmFCallGetSet(b *testing.B) {
	benchContractWasm(b, "FCALL", "set_get", "1", "k", "v")
}
func BenchmarkContractWasmFCallLoop(b *testing.B) {
	benchContractWasm(b, "FCALL", "sum_loop", "0", "1000")
}
func BenchmarkContractWasmFCallSHA256(b *testing.B) {
	benchContractWasm(b, "FCALL", "sha256hex", "0", "the quick brown fox jumps over the lazy dog")
}

// FUNCTION LOAD's engine part for the example module: cold (a fresh
// in-memory cache every time), cached (one cache), and after a restart
// with wasm-cache-dir (a new cache on a directory that holds the module).
func benchWasmLoad(b *testing.B, mode string) {
	mod := exampleModule(b)
	shared := wazero.NewCompilationCache()
	dir := b.TempDir()
	compile := func(cache wazero.CompilationCache) {
		e := wasm.New(wasm.Options{Cache: cache})
		if _, err := e.Compile(context.Background(), core.CompileRequest{Kind: core.KindLibrary, Name: "example", Code: mod}); err != nil {
			b.Fatal(err)
		}
	}
	switch mode { // the module compiled once before timing
	case "cached":
		compile(shared)
	case "restart":
		warm, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		compile(warm)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cache := shared
		switch mode {
		case "cold":
			cache = wazero.NewCompilationCache()
		case "restart":
			var err error
			if cache, err = wazero.NewCompilationCacheWithDir(dir); err != nil {
				b.Fatal(err)
			}
		}
		compile(cache)
	}
}

func BenchmarkWasmLoadCold(b *testing.B)    { benchWasmLoad(b, "cold") }
func BenchmarkWasmLoadCached(b *testing.B)  { benchWasmLoad(b, "cached") }
func BenchmarkWasmLoadRestart(b *testing.B) { benchWasmLoad(b, "restart") }
