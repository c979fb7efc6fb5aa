package wasm_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/engines/wasm"
)

// The hand-written ABI module (testdata/wat/abi.wat) through a real
// server: registration, replies, commands, traps.
func TestABIModule(t *testing.T) {
	c := startServer(t, wasm.Options{})
	expect(t, c, "$3\r\nabi\r\n", "FUNCTION", "LOAD", library("abi", module(t, "abi")))
	expect(t, c, "$5\r\nworld\r\n", "FCALL", "hello", "0")
	expect(t, c, "$5\r\nworld\r\n", "FCALL_RO", "hello", "0")
	expect(t, c, "+OK\r\n", "FCALL", "echo", "0", "SET", "k", "v\x00\xff")
	expect(t, c, "$3\r\nv\x00\xff\r\n", "FCALL", "echo", "0", "GET", "k")
	expect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "FCALL", "echo", "0", "LPUSH", "k", "x")
	expect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value script: raise, on @user_function.\r\n", "FCALL", "raise", "0", "LPUSH", "k", "x")
	// The instance was thrown away after the trap; the next call makes another.
	expect(t, c, "$3\r\nv\x00\xff\r\n", "FCALL", "raise", "0", "GET", "k")
	expect(t, c, "-ERR Please specify at least one argument for this redis lib call\r\n", "FCALL", "echo", "0")
	expect(t, c, "-ERR wasm error: unreachable script: trap, on @user_function.\r\n", "FCALL", "trap", "0")
	expect(t, c, "-ERR stack overflow script: deep, on @user_function.\r\n", "FCALL", "deep", "0")
	expect(t, c, "-ERR wasm error: out of bounds memory access script: grow, on @user_function.\r\n", "FCALL", "grow", "0")
	expect(t, c, "-ERR malformed RESP reply from wasm guest\r\n", "FCALL", "badreply", "0")
	expect(t, c, "$5\r\nworld\r\n", "FCALL", "hello", "0")

	// FUNCTION DUMP / RESTORE and LIST WITHCODE carry the module's bytes
	// unchanged (the core keeps everything after the first line as is).
	code := library("abi", module(t, "abi"))
	list := "*1\r\n*8\r\n$12\r\nlibrary_name\r\n$3\r\nabi\r\n$6\r\nengine\r\n$4\r\nWASM\r\n"
	got := do(t, c, "FUNCTION", "LIST", "WITHCODE")
	if !strings.HasPrefix(got, list) || !strings.HasSuffix(got, "$12\r\nlibrary_code\r\n$"+strconv.Itoa(len(code))+"\r\n"+code+"\r\n") {
		t.Errorf("FUNCTION LIST WITHCODE: %q", got)
	}
	v, _, err := c.Do("FUNCTION", "DUMP")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, c, "+OK\r\n", "FUNCTION", "FLUSH")
	expect(t, c, "-ERR Function not found\r\n", "FCALL", "hello", "0")
	expect(t, c, "+OK\r\n", "FUNCTION", "RESTORE", string(v.Str))
	expect(t, c, "$5\r\nworld\r\n", "FCALL", "hello", "0")
	if got2 := do(t, c, "FUNCTION", "LIST", "WITHCODE"); got2 != got {
		t.Errorf("after RESTORE:\n got  %q\n want %q", got2, got)
	}
}
