package wasm_test

import (
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
}
