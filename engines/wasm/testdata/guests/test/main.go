// Command test is a wasm library for the engine's own tests (memory,
// binary data), built with the Go SDK.
package main

import polyfn "github.com/polyfn/polyfn/engines/wasm/sdk/go"

var (
	keep [][]byte
	kept polyfn.Reply
)

func init() {
	// hog 0 <MiB>: allocates and touches that many MiB, keeping them.
	polyfn.RegisterFunction("hog", func(keys, args [][]byte) polyfn.Reply {
		n := polyfn.Bulk(args[0]).Int()
		var last []byte
		for i := int64(0); i < n; i++ {
			last = make([]byte, 1<<20)
			last[len(last)-1] = 1
			keep = append(keep, last)
		}
		keep = nil
		return polyfn.Int(int64(len(last)))
	})
	// echo_binary 1 key value: SET key value, then [GET key, value].
	polyfn.RegisterFunction("echo_binary", func(keys, args [][]byte) polyfn.Reply {
		polyfn.Call("SET", keys[0], args[0])
		return polyfn.Array(polyfn.Call("GET", keys[0]), polyfn.Bulk(args[0]))
	})
	// echo 0 value: value.
	polyfn.RegisterFunction("echo", func(keys, args [][]byte) polyfn.Reply {
		return polyfn.Bulk(args[0])
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})
	// collect n key...: GET of every key, all the replies together, each
	// read after the later calls.
	polyfn.RegisterFunction("collect", func(keys, args [][]byte) polyfn.Reply {
		var out []polyfn.Reply
		for _, k := range keys {
			out = append(out, polyfn.Call("GET", k))
		}
		return polyfn.Array(out...)
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})
	// remember 1 key: the value remember kept last time (null at first),
	// then keeps a clone of GET key for the next time.
	polyfn.RegisterFunction("remember", func(keys, args [][]byte) polyfn.Reply {
		last := kept
		kept = polyfn.Call("GET", keys[0]).Clone()
		return last
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})
	polyfn.RegisterFunction("get", func(keys, args [][]byte) polyfn.Reply {
		return polyfn.Call("GET", keys[0])
	}, polyfn.Options{Flags: []string{polyfn.NoWrites}})
}

func main() {}
