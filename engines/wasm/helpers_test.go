package wasm_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/wasm"
)

// module reads testdata/<name>.wasm, or the fresh build of it in the
// directory POLYFN_WASM_MODULES names (CI: testdata/build.sh's output).
func module(t testing.TB, name string) []byte {
	t.Helper()
	dir := "testdata"
	if d := os.Getenv(conformance.ModulesEnv); d != "" {
		dir = d
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// library is a FUNCTION LOAD payload: the shebang and the module.
func library(lib string, mod []byte) string {
	return "#!wasm name=" + lib + "\n" + string(mod)
}

// startServer starts polyfn with only a wasm engine made with opts.
func startServer(t testing.TB, opts wasm.Options, args ...string) *conformance.Client {
	t.Helper()
	return conformance.Dial(t, startAddr(t, opts, args...))
}

// startAddr starts polyfn with only a wasm engine and returns its address.
func startAddr(t testing.TB, opts wasm.Options, args ...string) string {
	t.Helper()
	reg := core.NewRegistry()
	reg.Register("wasm", wasm.New(opts))
	return conformance.StartPolyfnWith(t, reg, append([]string{"--busy-reply-threshold", "200"}, args...)...)
}

// do runs a command and returns the raw reply.
func do(t testing.TB, c *conformance.Client, args ...string) string {
	t.Helper()
	_, raw, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return string(raw)
}

// expect runs a command and requires the exact reply bytes.
func expect(t testing.TB, c *conformance.Client, want string, args ...string) {
	t.Helper()
	if got := do(t, c, args...); got != want {
		t.Errorf("%.60q:\n got  %q\n want %q", args, got, want)
	}
}
