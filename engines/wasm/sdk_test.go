package wasm_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/engines/wasm"
)

// The C and Rust SDKs' example libraries (sdk/c/example,
// sdk/rust/example register the same functions) through a real server,
// in RESP2 and RESP3: every function they register, binary data of every
// byte value both ways, errors returned, raised by a call, caught by
// pcall, and a panic.
func TestSDKExamples(t *testing.T) {
	for _, sdk := range []string{"c", "rust"} {
		for _, resp3 := range []bool{false, true} {
			name := sdk + "/resp2"
			if resp3 {
				name = sdk + "/resp3"
			}
			t.Run(name, func(t *testing.T) { testSDKExample(t, "example-"+sdk, resp3) })
		}
	}
}

// allBytes is every byte value, 0 to 255, repeated n times.
func allBytes(n int) string {
	b := make([]byte, 0, 256*n)
	for i := 0; i < 256*n; i++ {
		b = append(b, byte(i))
	}
	return string(b)
}

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func testSDKExample(t *testing.T, mod string, resp3 bool) {
	addr := startAddr(t, wasm.Options{})
	c := conformance.Dial(t, addr)
	// pick is the reply for the connection's protocol.
	pick := func(resp2, resp3reply string) string {
		if resp3 {
			return resp3reply
		}
		return resp2
	}
	if resp3 {
		do(t, c, "HELLO", "3")
	}
	expect(t, c, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", module(t, mod)))
	all := allBytes(1)

	expect(t, c, bulk("Hello, world!"), "FCALL_RO", "hello", "0", "world")
	expect(t, c, bulk("Hello, stranger!"), "FCALL", "hello", "0")
	expect(t, c, bulk("Hello, "+all+"!"), "FCALL", "hello", "0", all)

	// Keys, args, command arguments and replies carry every byte value.
	expect(t, c, bulk(all), "FCALL", "set_get", "1", all, all)
	expect(t, c, bulk(all), "GET", all)
	expect(t, c, bulk(""), "FCALL", "set_get", "1", "", "")
	expect(t, c, "-ERR Can not execute a script with write flag using *_ro command.\r\n", "FCALL_RO", "set_get", "1", "k", "v")
	expect(t, c, "-ERR set_get needs a key and a value\r\n", "FCALL", "set_get", "0")

	expect(t, c, ":1000\r\n", "FCALL", "count_to", "0", "1000")
	expect(t, c, ":0\r\n", "FCALL", "count_to", "0", "0")
	expect(t, c, ":1001000\r\n", "FCALL", "sum_loop", "0", "1000")
	expect(t, c, ":1\r\n", "FCALL_RO", "one", "0")
	expect(t, c, ":0\r\n", "FCALL", "sum_loop", "0", "0")
	expect(t, c, ":2\r\n", "FCALL", "sum_loop", "0", "1")
	expect(t, c, "-ERR value is not an integer or out of range\r\n", "FCALL", "sum_loop", "0", "x")
	expect(t, c, "-ERR value is not an integer or out of range\r\n", "FCALL", "count_to", "0", "1e3")

	// SHA-256 across block boundaries.
	for _, n := range []int{0, 3, 55, 56, 63, 64, 65, 119, 120, 1000} {
		data := allBytes(4)[:n]
		sum := sha256.Sum256([]byte(data))
		expect(t, c, bulk(hex.EncodeToString(sum[:])), "FCALL", "sha256hex", "0", data)
	}

	expect(t, c, "+PONG\r\n", "FCALL", "ping", "0")
	expect(t, c, "*3\r\n"+bulk(all)+bulk("")+bulk("x"), "FCALL", "echo", "0", all, "", "x")
	expect(t, c, "*0\r\n", "FCALL", "echo", "0")

	// pcall hands errors over as data; call aborts the function.
	expect(t, c, "+OK\r\n", "SET", "str", "abc")
	expect(t, c, "*2\r\n$5\r\nerror\r\n"+bulk("WRONGTYPE Operation against a key holding the wrong kind of value"),
		"FCALL", "pcall_info", "0", "LPUSH", "str", "x")
	expect(t, c, "*2\r\n$5\r\nerror\r\n"+bulk("ERR Unknown Redis command called from script"),
		"FCALL", "pcall_info", "0", "NOSUCH")
	expect(t, c, "*2\r\n$7\r\ninteger\r\n:1\r\n", "FCALL", "pcall_info", "0", "INCR", "n")
	expect(t, c, "*2\r\n$4\r\nnull\r\n$0\r\n\r\n", "FCALL", "pcall_info", "0", "GET", "missing")
	expect(t, c, "*2\r\n$6\r\nstatus\r\n$2\r\nOK\r\n", "FCALL", "pcall_info", "0", "SET", "k2", "v")
	expect(t, c, "-ERR value is not an integer or out of range script: incr_by, on @user_function.\r\n",
		"FCALL", "incr_by", "1", "str", "5")
	expect(t, c, ":6\r\n", "FCALL", "incr_by", "1", "n", "5")
	expect(t, c, ":-4\r\n", "FCALL", "incr_by", "1", "n", "-10")
	expect(t, c, "-ERR value is not an integer or out of range\r\n", "FCALL", "incr_by", "1", "n", "x")
	// Command replies are shaped for the script's protocol (RESP2 until
	// the function asks for 3), whatever the client's.
	expect(t, c, ":1\r\n", "HSET", "h", "f", "v")
	expect(t, c, "*2\r\n$5\r\narray\r\n:2\r\n", "FCALL", "pcall_info", "0", "HGETALL", "h")
	expect(t, c, pick("*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n"), "FCALL", "resp3_hgetall", "1", "h")

	// One reply of every type, as the client's protocol shows it.
	expect(t, c, pick(
		"*14\r\n+OK\r\n:-42\r\n$4\r\nbulk\r\n$-1\r\n$-1\r\n$3\r\n1.5\r\n:1\r\n:0\r\n$20\r\n12345678901234567890\r\n"+
			"$8\r\nverbatim\r\n*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\nm\r\n*0\r\n-ERR nested\r\n",
		"*14\r\n+OK\r\n:-42\r\n$4\r\nbulk\r\n_\r\n_\r\n,1.5\r\n#t\r\n#f\r\n(12345678901234567890\r\n"+
			"=12\r\ntxt:verbatim\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\nm\r\n*0\r\n-ERR nested\r\n"),
		"FCALL", "types", "0")

	// An error reply returned as it is; a panic traps with its message,
	// and the next call runs on a fresh instance.
	expect(t, c, "-MYERR something failed\r\n", "FCALL", "fail", "0")
	expect(t, c, "-ERR wasm error: unreachable (stderr: panic: crashed on purpose) script: crash, on @user_function.\r\n", "FCALL", "crash", "0")
	expect(t, c, bulk("Hello, again!"), "FCALL", "hello", "0", "again")

	expect(t, c, "+OK\r\n", "FCALL", "log", "0", "3", "a warning from the guest")
	expect(t, c, "-ERR Invalid log level script: log, on @user_function.\r\n", "FCALL", "log", "0", "7", "x")
	expect(t, c, "+OK\r\n", "FCALL", "set_norepl", "1", "nr", "v")
	expect(t, c, "$1\r\nv\r\n", "GET", "nr")

	// ACL checks and calls run as the calling user.
	expect(t, c, pick(":1\r\n", "#t\r\n"), "FCALL", "may", "0", "SET", "k", "v")
	expect(t, c, "-ERR Invalid command passed to redis.acl_check_cmd() script: may, on @user_function.\r\n", "FCALL", "may", "0", "NOSUCH")
	expect(t, c, "+OK\r\n", "ACL", "SETUSER", "limited", "on", ">pw", "+@all", "-set", "~*", "&*")
	u := conformance.Dial(t, addr)
	expect(t, u, "+OK\r\n", "AUTH", "limited", "pw")
	if resp3 {
		do(t, u, "HELLO", "3")
	}
	expect(t, u, pick(":0\r\n", "#f\r\n"), "FCALL", "may", "0", "SET", "k", "v")
	expect(t, u, pick(":1\r\n", "#t\r\n"), "FCALL", "may", "0", "GET", "k")
	expect(t, u, "-ERR The user executing the script can't run this command or subcommand script: set_get, on @user_function.\r\n",
		"FCALL", "set_get", "1", "k", "v")

	// Registration carried the flags and descriptions.
	list := do(t, c, "FUNCTION", "LIST", "LIBRARYNAME", "example")
	for _, want := range []string{"greets", "one reply of every type", "allow-stale", "sha256hex", "incr_by"} {
		if !strings.Contains(list, want) {
			t.Errorf("FUNCTION LIST lacks %q: %q", want, list)
		}
	}
}

// A 1 MiB argument and reply cross whole (polyfn_alloc, polyfn_call),
// a command's reply of 16 KiB, the SDKs' command buffer, fits it, and
// arguments of any size follow.
func TestSDKLargeData(t *testing.T) {
	for _, sdk := range []string{"c", "rust"} {
		t.Run(sdk, func(t *testing.T) {
			c := startServer(t, wasm.Options{})
			expect(t, c, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", module(t, "example-"+sdk)))
			huge := allBytes(4096)
			if got := do(t, c, "FCALL", "echo", "0", huge, "x"); got != "*2\r\n"+bulk(huge)+bulk("x") {
				t.Errorf("echo huge: %.100q", got)
			}
			fits := allBytes(64)[:16384-len("$16375\r\n\r\n")]
			expect(t, c, bulk(fits), "FCALL", "set_get", "1", "k", fits)
			// Arguments of every size after those (the host reuses the
			// polyfn_alloc_keep buffer while they fit, asks again otherwise).
			for _, n := range []int{1, 3, 1, 40, 1, 300, 2, 1} {
				v := allBytes(n)
				expect(t, c, "*2\r\n"+bulk(v)+bulk("y"), "FCALL", "echo", "0", v, "y")
			}
			expect(t, c, bulk("Hello, x!"), "FCALL", "hello", "0", "x")
		})
	}
}

// Replies larger than the C and Rust SDKs' 16 KiB command buffer go
// through polyfn.reply_read.
// (The host once compared the guest's i32 buffer capacity unmasked and
// wrote such replies past the buffer; ABI.md states the i32 rule.)
func TestSDKLargeReplies(t *testing.T) {
	for _, sdk := range []string{"c", "rust"} {
		t.Run(sdk, func(t *testing.T) {
			c := startServer(t, wasm.Options{})
			expect(t, c, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", module(t, "example-"+sdk)))
			big := allBytes(1024)
			expect(t, c, "+OK\r\n", "SET", "big", big)
			expect(t, c, "*2\r\n$4\r\nbulk\r\n"+bulk(big), "FCALL", "pcall_info", "0", "GET", "big")
			expect(t, c, bulk(big), "FCALL", "set_get", "1", "big2", big)
		})
	}
}
