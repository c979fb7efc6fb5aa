// Command example is a polyfn library in Go: build it with
// engines/wasm/testdata/build.sh (or the command in README.md) and load
// the .wasm with FUNCTION LOAD.
package main

import (
	"crypto/sha256"
	"encoding/hex"

	polyfn "github.com/polyfn/polyfn/engines/wasm/sdk/go"
)

func init() {
	// FCALL hello 0 world -> "Hello, world!"
	polyfn.RegisterFunction("hello", func(keys, args [][]byte) polyfn.Reply {
		name := "stranger"
		if len(args) > 0 {
			name = string(args[0])
		}
		return polyfn.String("Hello, " + name + "!")
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}, Description: "greets"})

	// FCALL one 0 -> 1 (the benchmarks' trivial function, as Lua's
	// "return 1").
	polyfn.RegisterFunction("one", func(keys, args [][]byte) polyfn.Reply {
		return polyfn.Int(1)
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})

	// FCALL set_get 1 key value -> value, after SET key value.
	polyfn.RegisterFunction("set_get", func(keys, args [][]byte) polyfn.Reply {
		polyfn.Call("SET", keys[0], args[0])
		return polyfn.Call("GET", keys[0])
	})

	// FCALL count_to 0 n -> n, counted in a loop in the guest.
	polyfn.RegisterFunction("count_to", func(keys, args [][]byte) polyfn.Reply {
		n := polyfn.Bulk(args[0]).Int()
		var i int64
		for i = 0; i < n; i++ {
		}
		return polyfn.Int(i)
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})

	// FCALL sum_loop 0 n -> the sum of i*2 for i = 1..n, added up in a
	// loop (the benchmarks' 1,000-iteration arithmetic loop; the Lua one
	// is "local s = 0 for i = 1, n do s = s + i * 2 end return s"), in a
	// small function of its own (see sumLoop).
	polyfn.RegisterFunction("sum_loop", func(keys, args [][]byte) polyfn.Reply {
		return polyfn.Int(sumLoop(polyfn.Bulk(args[0]).Int()))
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})

	// FCALL sha256hex 0 data -> the SHA-256 of data, in hex.
	polyfn.RegisterFunction("sha256hex", func(keys, args [][]byte) polyfn.Reply {
		sum := sha256.Sum256(args[0])
		return polyfn.String(hex.EncodeToString(sum[:]))
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})

	// FCALL ping 0 -> the server's PONG, or its error as a value.
	polyfn.RegisterFunction("ping", func(keys, args [][]byte) polyfn.Reply {
		return polyfn.PCall("PING")
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})
}

func main() {}

// sumLoop is the loop of sum_loop. Go compiles each function to one wasm
// loop that dispatches on a block number, and every iteration of a Go
// loop goes back through it; in a small function the loop runs faster
// under wazero than in a large one (the README's "What a call costs").
// Not inlined, so that it stays small.
//
//go:noinline
func sumLoop(n int64) int64 {
	var s int64
	for i := int64(1); i <= n; i++ {
		s += i * 2
	}
	return s
}
