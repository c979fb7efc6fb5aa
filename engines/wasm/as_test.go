package wasm_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/engines/wasm"
)

// The AssemblyScript SDK's example library (sdk/assemblyscript/example,
// built into testdata/asexample.wasm) through a server, in RESP2 and
// RESP3: binary data of every byte value both ways, replies of every
// type, errors raised and caught, a trap and the instance made again.
func TestAssemblyScriptExample(t *testing.T) {
	addr := startAddr(t, wasm.Options{})
	c := conformance.Dial(t, addr)
	expect(t, c, "$9\r\nasexample\r\n", "FUNCTION", "LOAD", library("asexample", module(t, "asexample")))
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	v := string(all)
	bulk := func(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
	big := strings.Repeat(v, 4096) // 1 MiB: replies beyond the SDK's 16 KiB buffer

	for _, resp3 := range []bool{false, true} {
		c := conformance.Dial(t, addr)
		pick := func(two, three string) string {
			if resp3 {
				return three
			}
			return two
		}
		if resp3 {
			if _, _, err := c.Do("HELLO", "3"); err != nil {
				t.Fatal(err)
			}
		}
		expect(t, c, "$13\r\nHello, world!\r\n", "FCALL_RO", "hello", "0", "world")
		expect(t, c, bulk(v), "FCALL", "set_get", "1", v, v)
		expect(t, c, bulk(v), "GET", v)
		expect(t, c, "*3\r\n"+bulk(v)+"$0\r\n\r\n"+bulk("x"), "FCALL", "echo", "0", v, "", "x")
		expect(t, c, bulk(big), "FCALL", "set_get", "1", "big", big)
		expect(t, c, "*1\r\n"+bulk(big), "FCALL", "echo", "0", big)
		expect(t, c, "+PONG\r\n", "FCALL", "call_any", "0", "PING")
		expect(t, c, "-ERR Wrong number of args calling Redis command from script script: call_any, on @user_function.\r\n",
			"FCALL", "call_any", "0", "GET")
		expect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value script: call_any, on @user_function.\r\n",
			"FCALL", "call_any", "0", "LPUSH", v, "x")
		expect(t, c, bulk("caught: WRONGTYPE Operation against a key holding the wrong kind of value"),
			"FCALL", "pcall_any", "0", "LPUSH", v, "x")
		expect(t, c, bulk(v), "FCALL", "pcall_any", "0", "GET", v)
		expect(t, c, "-MYERR something went wrong\r\n", "FCALL", "fail", "0")
		expect(t, c, "-ERR Can not execute a script with write flag using *_ro command.\r\n", "FCALL_RO", "call_any", "0", "SET", "k", "v")
		got := do(t, c, "FCALL", "crash", "0")
		if !strings.HasPrefix(got, "-ERR wasm error: unreachable (stderr: abort: deliberate at example/index.ts:") ||
			!strings.HasSuffix(got, ") script: crash, on @user_function.\r\n") {
			t.Errorf("crash: %q", got)
		}
		// The instance was thrown away; the next call makes another.
		expect(t, c, "$13\r\nHello, again!\r\n", "FCALL", "hello", "0", "again")
		expect(t, c, pick(
			"*10\r\n+OK\r\n:-42\r\n$-1\r\n$3\r\n3.5\r\n:1\r\n:0\r\n$20\r\n12345678901234567890\r\n$9\r\nsome text\r\n*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\nm\r\n",
			"*10\r\n+OK\r\n:-42\r\n_\r\n,3.5\r\n#t\r\n#f\r\n(12345678901234567890\r\n=13\r\ntxt:some text\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\nm\r\n"),
			"FCALL", "types", "0")
		expect(t, c, ":1\r\n", "HSET", "h"+pick("2", "3"), "f", "v")
		expect(t, c, pick("*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"), "FCALL", "resp3_hgetall", "1", "h"+pick("2", "3"))
		expect(t, c, pick(":1\r\n", "#t\r\n"), "FCALL", "may", "0", "GET", "k")
		expect(t, c, "-ERR Invalid command passed to redis.acl_check_cmd() script: may, on @user_function.\r\n", "FCALL", "may", "0", "NOSUCH")
		expect(t, c, "+OK\r\n", "FCALL", "logged", "0", "hello log")
		expect(t, c, ":1000\r\n", "FCALL", "count_to", "0", "1000")
		expect(t, c, ":1001000\r\n", "FCALL", "sum_loop", "0", "1000")
		expect(t, c, ":1\r\n", "FCALL_RO", "one", "0")
		expect(t, c, ":0\r\n", "FCALL", "sum_loop", "0", "-5")
		expect(t, c, bulk("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), "FCALL", "sha256hex", "0", "abc")
		expect(t, c, bulk("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "FCALL", "sha256hex", "0", "")
		expect(t, c, pick(":5\r\n", ":5\r\n"), "FCALL", "incr_by", "1", "n"+pick("2", "3"), "5")
		expect(t, c, bulk("2816597888e4a0d3a36b82b83316ab32680eb8f00f8cd3b904d681246d285a0e"), "FCALL", "sha256hex", "0", strings.Repeat("a", 100))
		expect(t, c, ":-9223372036854775808\r\n", "FCALL", "incr_by", "1", "min"+pick("2", "3"), "-9223372036854775808")
		for i := 0; i < 2; i++ {
			expect(t, c, ":1\r\n", "FCALL", "grow_args", "0")
		}
		expect(t, c, ":3\r\n", "FCALL", "grow_args", "0", "a", "b")
	}
}

// The AssemblyScript SDK keeps what it makes (command encodings, command
// replies, keys and args) in memory it never writes twice (arena.ts): a
// command built while another is, values and a command kept from one call
// to a later one while many calls, some of them large, go by.
func TestAssemblyScriptArena(t *testing.T) {
	addr := startAddr(t, wasm.Options{})
	c := conformance.Dial(t, addr)
	expect(t, c, "$9\r\nasexample\r\n", "FUNCTION", "LOAD", library("asexample", module(t, "asexample")))
	bulk := func(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

	src := "\x00" + strings.Repeat("source", 10) + "\xff"
	expect(t, c, "+OK\r\n", "SET", "src", src)
	expect(t, c, "+OK\r\n", "FCALL", "copy", "2", "dst", "src")
	expect(t, c, bulk(src), "GET", "dst")
	expect(t, c, "*1\r\n"+bulk(src), "FCALL", "kept", "0")

	expect(t, c, "$-1\r\n", "FCALL", "incr_later", "1", "a")
	var want strings.Builder
	n := 1
	want.WriteString(bulk(src))
	for i := 0; i < 300; i++ {
		k, v := "key"+strconv.Itoa(i), strings.Repeat(string(rune('a'+i%26)), i)
		if i%100 == 50 {
			v = strings.Repeat("large", 10000) // beyond an arena buffer
		}
		n += 3
		expect(t, c, ":"+strconv.Itoa(n)+"\r\n", "FCALL", "keep", "1", k, v)
		want.WriteString(bulk(k) + bulk(v) + bulk(v))
		// Calls in between: each takes arena memory.
		expect(t, c, bulk(v), "FCALL", "set_get", "1", "sg", v)
	}
	expect(t, c, "*"+strconv.Itoa(n)+"\r\n"+want.String(), "FCALL", "kept", "0")
	// A command that grows argument by argument well past a buffer.
	push := []string{"FCALL", "call_any", "0", "RPUSH", "list"}
	var items strings.Builder
	for i := 0; i < 2000; i++ {
		item := strconv.Itoa(i) + strings.Repeat("x", 100)
		push = append(push, item)
		items.WriteString(bulk(item))
	}
	expect(t, c, ":2000\r\n", push...)
	expect(t, c, "*2000\r\n"+items.String(), "LRANGE", "list", "0", "-1")

	// The INCR a built by the first call runs now; this call's INCR b
	// waits for the next one.
	expect(t, c, ":1\r\n", "FCALL", "incr_later", "1", "b")
	expect(t, c, ":1\r\n", "FCALL", "incr_later", "1", "a")
	expect(t, c, ":2\r\n", "FCALL", "incr_later", "1", "a")
}
