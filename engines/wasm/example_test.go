package wasm_test

import (
	"testing"

	"github.com/polyfn/polyfn/engines/wasm"
)

// The Go SDK's example library (sdk/go/example) works through a server.
func TestGoExample(t *testing.T) {
	c := startServer(t, wasm.Options{})
	expect(t, c, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", module(t, "example")))
	expect(t, c, "$13\r\nHello, world!\r\n", "FCALL_RO", "hello", "0", "world")
	expect(t, c, "$3\r\nv\x00\xff\r\n", "FCALL", "set_get", "1", "k", "v\x00\xff")
	expect(t, c, ":1000\r\n", "FCALL", "count_to", "0", "1000")
	expect(t, c, "$64\r\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\r\n", "FCALL", "sha256hex", "0", "abc")
	expect(t, c, "+PONG\r\n", "FCALL", "ping", "0")
	expect(t, c, "-ERR Can not execute a script with write flag using *_ro command.\r\n", "FCALL_RO", "set_get", "1", "k", "v")
}
