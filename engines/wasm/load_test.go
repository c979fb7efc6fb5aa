package wasm_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/wasm"
)

// Modules that must not load, each with a clear error; the server stays up.
func TestLoadErrors(t *testing.T) {
	c := startServer(t, wasm.Options{})
	cases := []struct{ name, code, want string }{
		{"garbage", "#!wasm name=x\nnot a module", "-ERR Error compiling function: invalid wasm module: invalid magic number\r\n"},
		{"empty", "#!wasm name=x\n", "-ERR Error compiling function: invalid wasm module: invalid magic number\r\n"},
		{"abi2", library("x", module(t, "abi2")), "-ERR Error registering functions: ERR wasm module speaks polyfn ABI version 2; this server speaks 1\r\n"},
		{"nocall", library("x", module(t, "nocall")), "-ERR Error compiling function: wasm module does not export polyfn_call (polyfn ABI 1)\r\n"},
		{"none", library("x", module(t, "none")), "-ERR Error registering functions: ERR No functions registered\r\n"},
		{"twice", library("x", module(t, "twice")), "-ERR Error registering functions: ERR Function already exists in the library\r\n"},
		{"badflag", library("x", module(t, "badflag")), "-ERR Error registering functions: ERR unknown flag given\r\n"},
		{"badimport", library("x", module(t, "badimport")), "-ERR Error compiling function: wasm module imports polyfn.open_socket, which polyfn does not provide\r\n"},
		{"bigmem", library("x", module(t, "bigmem")), "-ERR Error compiling function: wasm module's memory is over wasm-max-memory-pages (1024 pages of 64 KiB): section memory: min 2000 pages (125 Mi) over limit of 1024 pages (64 Mi)\r\n"},
		{"inittrap", library("x", module(t, "inittrap")), "-ERR Error registering functions: ERR wasm error: unreachable\r\n"},
		{"initspin", library("x", module(t, "initspin")), "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n"},
		{"startspin", library("x", module(t, "startspin")), "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n"},
		{"eval", "", ""},
	}
	for _, tc := range cases {
		if tc.name == "eval" {
			expect(t, c, "-ERR wasm code can only be loaded as a library (FUNCTION LOAD)\r\n", "EVAL", "#!wasm\n\x00asm", "0")
			continue
		}
		got := do(t, c, "FUNCTION", "LOAD", tc.code)
		if got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.name, got, tc.want)
		}
	}
	expect(t, c, "*0\r\n", "FUNCTION", "LIST")
	expect(t, c, "+PONG\r\n", "PING")
}

// The memory cap is the server's wasm-max-memory-pages parameter (fixed
// at start-up): a module whose memory starts above it does not load, a
// guest that grows past it gets an error reply, and the server and the
// library work on afterwards (the next call on a fresh instance).
func TestMemoryLimit(t *testing.T) {
	c := startServer(t, wasm.Options{}, "--wasm-max-memory-pages", "1500")
	expect(t, c, "*2\r\n$21\r\nwasm-max-memory-pages\r\n$4\r\n1500\r\n", "CONFIG", "GET", "wasm-max-memory-pages")
	// polyfn's own parameters answer to their name, not to patterns
	// (which list what redis-server's would).
	expect(t, c, "*0\r\n", "CONFIG", "GET", "wasm*")
	expect(t, c, "-ERR CONFIG SET failed (possibly related to argument 'wasm-max-memory-pages') - can't set immutable config\r\n",
		"CONFIG", "SET", "wasm-max-memory-pages", "10")
	expect(t, c, "-ERR Error compiling function: wasm module's memory is over wasm-max-memory-pages (1500 pages of 64 KiB): section memory: min 2000 pages (125 Mi) over limit of 1500 pages (93 Mi)\r\n",
		"FUNCTION", "LOAD", library("x", module(t, "bigmem")))
	expect(t, c, "$4\r\ntest\r\n", "FUNCTION", "LOAD", library("test", module(t, "test")))
	got := do(t, c, "FCALL", "hog", "0", "200") // 200 MiB, over the 1500 pages (94 MiB)
	if got != "-ERR wasm error: unreachable (stderr: fatal error: out of memory) script: hog, on @user_function.\r\n" {
		t.Errorf("hog: %q", got)
	}
	expect(t, c, ":1048576\r\n", "FCALL", "hog", "0", "1")
	expect(t, c, "+PONG\r\n", "PING")

	// A module that loads under the default cap does not under a small one.
	small := startServer(t, wasm.Options{}, "--wasm-max-memory-pages", "16")
	got = do(t, small, "FUNCTION", "LOAD", library("test", module(t, "test")))
	if !strings.HasPrefix(got, "-ERR Error compiling function: wasm module's memory is over wasm-max-memory-pages (16 pages of 64 KiB)") {
		t.Errorf("small cap: %q", got)
	}
	expect(t, small, "*0\r\n", "FUNCTION", "LIST")
	// Values out of range are refused at start-up, as Redis does.
	cfg := core.NewConfig()
	if err := cfg.LoadArgs([]string{"--wasm-max-memory-pages", "65537"}); err == nil {
		t.Error("wasm-max-memory-pages 65537 accepted")
	}
}

// A guest in a tight loop with no host calls: other clients get BUSY,
// FUNCTION KILL stops it, and the library works afterwards.
func TestKillTightLoop(t *testing.T) {
	addr := startAddr(t, wasm.Options{})
	c := conformance.Dial(t, addr)
	expect(t, c, "$3\r\nabi\r\n", "FUNCTION", "LOAD", library("abi", module(t, "abi")))
	if err := c.Send("FCALL", "spin", "0"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	other := conformance.Dial(t, addr)
	expect(t, other, "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n", "GET", "k")
	expect(t, other, "+OK\r\n", "FUNCTION", "KILL")
	_, raw, err := c.Read()
	if err != nil || string(raw) != "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function.\r\n" {
		t.Fatalf("killed call: %q %v", raw, err)
	}
	expect(t, c, "$5\r\nworld\r\n", "FCALL", "hello", "0")
}

// Every byte value crosses both ways, in keys, args, command arguments
// and replies.
func TestBinarySafety(t *testing.T) {
	c := startServer(t, wasm.Options{})
	expect(t, c, "$4\r\ntest\r\n", "FUNCTION", "LOAD", library("test", module(t, "test")))
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	v := string(all)
	want := "*2\r\n$256\r\n" + v + "\r\n$256\r\n" + v + "\r\n"
	expect(t, c, want, "FCALL", "echo_binary", "1", v, v)
	expect(t, c, "$256\r\n"+v+"\r\n", "GET", v)
}

// Replies and arguments far larger than the SDK's 16 KiB command buffer
// (replies then go through polyfn.reply_read), of every byte value,
// several times in a row on one instance: 256 KiB, 1 MiB and 16 MiB.
func TestLargeBinaryReply(t *testing.T) {
	// A Go guest holds a value several times over (its arguments, the
	// command it sends, the reply it builds): 16 MiB values need more than
	// the default 64 MiB.
	c := startServer(t, wasm.Options{MaxMemoryPages: 4096})
	expect(t, c, "$4\r\ntest\r\n", "FUNCTION", "LOAD", library("test", module(t, "test")))
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	for _, size := range []int{256 << 10, 1 << 20, 16 << 20} {
		big := strings.Repeat(string(all), size/256)
		bulk := "$" + strconv.Itoa(size) + "\r\n" + big + "\r\n"
		for i := 0; i < 3; i++ {
			expect(t, c, "+OK\r\n", "SET", "big", big)
			expect(t, c, bulk, "FCALL", "get", "1", "big")
			expect(t, c, bulk, "FCALL", "echo", "0", big)
			expect(t, c, "*2\r\n"+bulk+bulk, "FCALL", "echo_binary", "1", "k", big)
			expect(t, c, bulk, "GET", "k")
		}
	}
	expect(t, c, ":1048576\r\n", "FCALL", "hog", "0", "1")
}
