package wasm_test

import (
	"strings"
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
	expect(t, c, ":1001000\r\n", "FCALL", "sum_loop", "0", "1000")
	expect(t, c, ":1\r\n", "FCALL_RO", "one", "0")
	expect(t, c, ":2\r\n", "FCALL", "sum_loop", "0", "1")
	expect(t, c, "$64\r\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\r\n", "FCALL", "sha256hex", "0", "abc")
	expect(t, c, "+PONG\r\n", "FCALL", "ping", "0")
	expect(t, c, "-ERR Can not execute a script with write flag using *_ro command.\r\n", "FCALL_RO", "set_get", "1", "k", "v")
}

// Replies of Call stay valid until the function returns, however many
// the function makes and however large (they outgrow the SDK's 16 KiB
// reply arena here); a cloned one survives into the next call.
func TestGoSDKReplies(t *testing.T) {
	c := startServer(t, wasm.Options{})
	expect(t, c, "$4\r\ntest\r\n", "FUNCTION", "LOAD", library("test", module(t, "test")))
	args := []string{"FCALL", "collect", "12"}
	want := "*12\r\n"
	for i := 0; i < 12; i++ {
		v := strings.Repeat(string(rune('a'+i)), 1000*(i%4)+3000*(i%3)+1)
		key := "k" + string(rune('a'+i))
		expect(t, c, "+OK\r\n", "SET", key, v)
		args = append(args, key)
		want += bulk(v)
	}
	for i := 0; i < 3; i++ {
		expect(t, c, want, args...)
	}
	expect(t, c, "$-1\r\n", "FCALL", "remember", "1", "ka")
	expect(t, c, "+OK\r\n", "SET", "r", "second")
	expect(t, c, bulk("a"), "FCALL", "remember", "1", "r")
	expect(t, c, "*1\r\n$1\r\na\r\n", "FCALL", "collect", "1", "ka")
	expect(t, c, bulk("second"), "FCALL", "remember", "1", "kb")
}
