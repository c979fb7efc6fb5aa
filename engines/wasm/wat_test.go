package wasm_test

import (
	"testing"

	"github.com/polyfn/polyfn/engines/wasm"
)

// More of the smallest ABI tests, on hand-written modules
// (testdata/wat): exports the ABI requires and host imports used where
// the ABI forbids them. Each fails with a clear error; the server stays
// up and keeps the libraries that loaded.
func TestABIMisuse(t *testing.T) {
	c := startServer(t, wasm.Options{})
	expect(t, c, "-ERR Error compiling function: wasm module does not export its memory as \"memory\" (polyfn ABI 1)\r\n",
		"FUNCTION", "LOAD", library("x", module(t, "nomem")))
	expect(t, c, "-ERR Error compiling function: wasm module exports polyfn_call with the wrong signature (polyfn ABI 1)\r\n",
		"FUNCTION", "LOAD", library("x", module(t, "badsig")))
	expect(t, c, "-ERR Error registering functions: ERR polyfn.call can only be called inside a function, not while the library loads\r\n",
		"FUNCTION", "LOAD", library("x", module(t, "initcall")))
	expect(t, c, "$4\r\nlate\r\n", "FUNCTION", "LOAD", library("late", module(t, "late")))
	expect(t, c, "-ERR polyfn.register_function can only be called from polyfn_init script: late, on @user_function.\r\n",
		"FCALL", "late", "0")
	expect(t, c, "-ERR Function not found\r\n", "FCALL", "other", "0")
	expect(t, c, "-ERR polyfn.register_function can only be called from polyfn_init script: late, on @user_function.\r\n",
		"FCALL", "late", "0")
	expect(t, c, "+PONG\r\n", "PING")
}
