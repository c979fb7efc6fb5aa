// Command suite is the wasm library of the engine conformance suite
// (conformance/testdata/suite): the functions of every case file, with
// the names and behaviour of the Lua and JavaScript libraries there. Each
// case file loads this one module under its own library name.
package main

import (
	"crypto/rand"
	"net"
	"os"
	"time"

	polyfn "github.com/polyfn/polyfn/engines/wasm/sdk/go"
)

type reply = polyfn.Reply

func fn(name string, f func(keys, args [][]byte) reply, flags ...string) {
	polyfn.RegisterFunction(name, f, polyfn.Options{Flags: flags})
}

func anyArgs(args [][]byte) []polyfn.Arg {
	out := make([]polyfn.Arg, len(args))
	for i, a := range args {
		out[i] = a
	}
	return out
}

func kind(r reply) string {
	return [...]string{"null", "status", "error", "integer", "bulk", "array", "map", "set", "double", "boolean", "bignumber", "verbatim"}[r.Kind()]
}

func init() {
	// calls.txt
	fn("set_get", func(keys, args [][]byte) reply {
		polyfn.Call("SET", keys[0], args[0])
		return polyfn.Call("GET", keys[0])
	})
	fn("call_any", func(keys, args [][]byte) reply { return polyfn.Call(anyArgs(args)...) })
	fn("pcall_any", func(keys, args [][]byte) reply { return polyfn.PCall(anyArgs(args)...) })
	fn("pcall_type", func(keys, args [][]byte) reply {
		r := polyfn.PCall(anyArgs(args)...)
		if r.IsError() {
			return polyfn.String("caught: " + r.Text())
		}
		return r
	})
	fn("select_db", func(keys, args [][]byte) reply {
		polyfn.Call("SELECT", args[0])
		return polyfn.Call("GET", keys[0])
	})
	fn("no_args", func(keys, args [][]byte) reply { return polyfn.PCall() })
	fn("numbers", func(keys, args [][]byte) reply {
		polyfn.Call("SET", keys[0], 1.0/3)
		polyfn.Call("SET", keys[1], 42)
		return polyfn.Array(polyfn.Call("GET", keys[0]), polyfn.Call("GET", keys[1]))
	})
	fn("counter", func(keys, args [][]byte) reply {
		var n reply
		for i := int64(1); i <= polyfn.Bulk(args[0]).Int(); i++ {
			n = polyfn.Call("INCR", keys[0])
		}
		return n
	})

	// errors.txt
	fn("raise_string", func(keys, args [][]byte) reply { panic("something broke") })
	fn("raise_table", func(keys, args [][]byte) reply { panic(polyfn.Error("MYCODE custom failure")) })
	fn("raise_from_call", func(keys, args [][]byte) reply { return polyfn.Call("INCR", keys[0]) })
	fn("catch_call", func(keys, args [][]byte) reply {
		if r := polyfn.PCall("INCR", keys[0]); r.IsError() {
			return polyfn.Array(polyfn.String("false"), polyfn.String(r.Text()))
		}
		return polyfn.Array(polyfn.String("true"))
	})
	fn("bad_arg", func(keys, args [][]byte) reply { return polyfn.Call("SET", "k", struct{}{}) })
	fn("undefined_global", func(keys, args [][]byte) reply {
		var m *map[string]int
		return polyfn.Int(int64((*m)["x"]))
	})

	// flags.txt
	fn("writer", func(keys, args [][]byte) reply { return polyfn.Call("SET", keys[0], args[0]) })
	fn("reader", func(keys, args [][]byte) reply { return polyfn.Call("GET", keys[0]) }, polyfn.NoWrites)
	fn("sneaky", func(keys, args [][]byte) reply { return polyfn.Call("SET", keys[0], "x") }, polyfn.NoWrites)
	fn("publisher", func(keys, args [][]byte) reply { return polyfn.Call("PUBLISH", "ch", "m") }, polyfn.NoWrites)
	fn("oomok", func(keys, args [][]byte) reply { return polyfn.Call("SET", keys[0], "y") }, polyfn.AllowOOM)
	polyfn.RegisterFunction("described", func(keys, args [][]byte) reply { return polyfn.Int(1) },
		polyfn.Options{Flags: []string{polyfn.NoWrites, polyfn.AllowStale, polyfn.NoCluster}, Description: "a function with flags"})

	// kill.txt
	fn("spin", func(keys, args [][]byte) reply {
		n := 0
		for {
			n++
		}
	})
	fn("dirty_spin", func(keys, args [][]byte) reply {
		polyfn.Call("SET", keys[0], "written")
		for i := 0; i >= 0; i++ {
			if i > 2e8 {
				break
			}
		}
		return polyfn.String("done")
	})
	fn("quick", func(keys, args [][]byte) reply { return polyfn.String("quick") }, polyfn.NoWrites)

	// replies.txt
	fn("r_int", func(keys, args [][]byte) reply { return polyfn.Int(42) })
	fn("r_float", func(keys, args [][]byte) reply { return polyfn.Double(3.99) })
	fn("r_negfloat", func(keys, args [][]byte) reply { return polyfn.Double(-3.99) })
	fn("r_string", func(keys, args [][]byte) reply { return polyfn.String("hello") })
	fn("r_empty", func(keys, args [][]byte) reply { return polyfn.String("") })
	fn("r_nil", func(keys, args [][]byte) reply { return polyfn.Null() })
	fn("r_none", func(keys, args [][]byte) reply { return reply{} })
	fn("r_true", func(keys, args [][]byte) reply { return polyfn.Bool(true) })
	fn("r_false", func(keys, args [][]byte) reply { return polyfn.Bool(false) })
	fn("r_array", func(keys, args [][]byte) reply {
		return polyfn.Array(polyfn.Int(1), polyfn.String("two"), polyfn.Array(polyfn.Int(3), polyfn.String("four")), polyfn.Array())
	})
	fn("r_holes", func(keys, args [][]byte) reply {
		return polyfn.Array(polyfn.Int(1), polyfn.Int(2), polyfn.Null(), polyfn.Int(4))
	})
	fn("r_status", func(keys, args [][]byte) reply { return polyfn.Status("FINE") })
	fn("r_status_reply", func(keys, args [][]byte) reply { return polyfn.Status("ALSO FINE") })
	fn("r_error", func(keys, args [][]byte) reply { return polyfn.Error("MYERR something failed") })
	fn("r_error_reply", func(keys, args [][]byte) reply { return polyfn.Error("MYERR via helper") })
	fn("r_error_nocode", func(keys, args [][]byte) reply { return polyfn.Error("no code here") })
	fn("r_double", func(keys, args [][]byte) reply { return polyfn.Double(3.5) })
	fn("r_bignum", func(keys, args [][]byte) reply { return polyfn.BigNumber("123456789012345678901234567890") })
	fn("r_map", func(keys, args [][]byte) reply { return polyfn.Map(polyfn.String("field"), polyfn.String("value")) })
	fn("r_set", func(keys, args [][]byte) reply { return polyfn.Set(polyfn.String("member")) })
	fn("r_verbatim", func(keys, args [][]byte) reply { return polyfn.Verbatim("txt", "some text") })
	fn("r_nested_status", func(keys, args [][]byte) reply {
		return polyfn.Array(polyfn.Status("in"), polyfn.Error("ERR inside"))
	})
	fn("r3_true", func(keys, args [][]byte) reply { polyfn.SetResp(3); return polyfn.Bool(true) })
	fn("r3_false", func(keys, args [][]byte) reply { polyfn.SetResp(3); return polyfn.Bool(false) })
	fn("r3_nil", func(keys, args [][]byte) reply { polyfn.SetResp(3); return polyfn.Null() })
	fn("see2", func(keys, args [][]byte) reply {
		h := polyfn.Call("HGETALL", keys[0])
		z := polyfn.Call("ZSCORE", keys[1], "m")
		missing := polyfn.Call("GET", "nosuchkey")
		return polyfn.Array(polyfn.String(kind(h)), polyfn.Int(int64(len(h.Elems()))), polyfn.String(kind(z)), z,
			polyfn.String(kind(missing)), polyfn.String(missing.Text()))
	})
	fn("see3", func(keys, args [][]byte) reply {
		polyfn.SetResp(3)
		h := polyfn.Call("HGETALL", keys[0])
		z := polyfn.Call("ZSCORE", keys[1], "m")
		s := polyfn.Call("SMEMBERS", keys[2])
		missing := polyfn.Call("GET", "nosuchkey")
		has := "no"
		for _, m := range s.Elems() {
			if m.Text() == "one" {
				has = "has one"
			}
		}
		return polyfn.Array(h.Elems()[1], polyfn.String(kind(z)), z, polyfn.String(has), polyfn.String(kind(missing)))
	})
	fn("pass3", func(keys, args [][]byte) reply {
		polyfn.SetResp(3)
		return polyfn.Call("HGETALL", keys[0])
	})
	fn("bad_resp", func(keys, args [][]byte) reply { polyfn.SetResp(4); return polyfn.Null() })

	// sandbox-wasm.txt: WASI offers clocks and random bytes, nothing else.
	fn("read_file", func(keys, args [][]byte) reply {
		if _, err := os.ReadFile("/etc/passwd"); err != nil {
			return polyfn.String("no file")
		}
		return polyfn.String("read a file")
	})
	fn("environment", func(keys, args [][]byte) reply {
		return polyfn.Array(polyfn.Int(int64(len(os.Environ()))), polyfn.Int(int64(len(os.Args))))
	})
	fn("dial", func(keys, args [][]byte) reply {
		if _, err := net.Dial("tcp", "127.0.0.1:6379"); err != nil {
			return polyfn.String("no network")
		}
		return polyfn.String("connected")
	})
	fn("clock", func(keys, args [][]byte) reply {
		return polyfn.Bool(time.Now().Year() >= 2024)
	})
	fn("random", func(keys, args [][]byte) reply {
		a, b := make([]byte, 16), make([]byte, 16)
		rand.Read(a)
		rand.Read(b)
		return polyfn.Bool(string(a) != string(b))
	})
}

func main() {}
