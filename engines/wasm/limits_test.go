package wasm_test

import (
	"testing"

	"github.com/polyfn/polyfn/engines/wasm"
)

// A reply that fits in the guest's memory but would take the host more
// than script-max-memory is refused, and the server keeps serving: 400,000
// integers are 1.6 MB in the guest and about 70 MB of host values.
func TestReplyOverMemoryLimit(t *testing.T) {
	c := startServer(t, wasm.Options{}, "--script-max-memory", "16mb")
	expect(t, c, "$3\r\nbig\r\n", "FUNCTION", "LOAD", library("big", module(t, "bigreply")))
	expect(t, c, "-ERR script exceeded the memory limit of 16777216 bytes script: big, on @user_function.\r\n", "FCALL", "big", "0")
	expect(t, c, "+PONG\r\n", "PING")
	// With the default limit (1 GB) the same reply is fine.
	expect(t, c, "+OK\r\n", "CONFIG", "SET", "script-max-memory", "1gb")
	if got := do(t, c, "FCALL", "big", "0"); got[:9] != "*400000\r\n" {
		t.Errorf("FCALL big: %.40q", got)
	}
}

// A library cannot register a function another library has, nor take its
// name: loading the same module as a second library fails and leaves the
// first one serving.
func TestFunctionNamedLikeAnotherLibrarys(t *testing.T) {
	c := startServer(t, wasm.Options{})
	mod := module(t, "bigreply")
	expect(t, c, "$5\r\nfirst\r\n", "FUNCTION", "LOAD", library("first", mod))
	expect(t, c, "-ERR Function big already exists\r\n", "FUNCTION", "LOAD", library("second", mod))
	expect(t, c, "-ERR Library 'first' already exists\r\n", "FUNCTION", "LOAD", library("first", mod))
	expect(t, c, "*0\r\n", "FUNCTION", "LIST", "LIBRARYNAME", "second")
	if got := do(t, c, "FCALL", "big", "0"); got[:9] != "*400000\r\n" {
		t.Errorf("FCALL big: %.40q", got)
	}
}
