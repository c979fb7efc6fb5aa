package engines_test

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/rdb"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
)

// FuzzFunctionRestore feeds FUNCTION RESTORE payloads to a server with
// every engine: the payload's libraries are decoded (RDB strings, LZF) and
// compiled by their engines, so whatever the bytes, the server must answer
// +OK or an error and keep its libraries whole. What it accepts must
// survive FUNCTION DUMP and RESTORE unchanged. The fuzzer's bytes are the
// payload's body; the footer (RDB version and CRC64) is appended, so that
// inputs get past the checksum to the decoder and the engines.
func FuzzFunctionRestore(f *testing.F) {
	lua := []byte("#!lua name=l\nredis.register_function('lf', function(keys, args) return redis.call('GET', keys[1]) end)")
	js := []byte("#!js name=j\nredis.registerFunction({name: 'jf', callback: () => 1, flags: ['no-writes']})")
	wasmMod, err := os.ReadFile("wasm/testdata/abi.wasm")
	if err != nil {
		f.Fatal(err)
	}
	wasmLib := append([]byte("#!wasm name=w\n"), wasmMod...)
	body := func(payload []byte) []byte { return payload[:len(payload)-10] }
	for _, codes := range [][][]byte{{lua}, {js}, {lua, js}, {wasmLib}, {[]byte("#!lua name=bad\nreturn (")}} {
		f.Add(body(rdb.DumpFunctions(codes, false)), uint8(0))
		f.Add(body(rdb.DumpFunctions(codes, true)), uint8(2))
	}
	f.Add([]byte{}, uint8(1))
	f.Add([]byte{rdb.OpFunction2, 0xc3, 0x05, 0x10, 0x00}, uint8(0)) // a truncated LZF string

	cs := core.New(core.NewConfig(), core.DefaultTable())
	f.Cleanup(cs.RequestShutdown)
	cs.SetEngines(engines.Registry())
	c := cs.NewClient(nil, "fuzz", "fuzz")
	w := protocol.NewWriter(2)
	c.W = w
	exec := func(args ...[]byte) []byte {
		w.Reset()
		cs.Exec(c, args)
		return bytes.Clone(w.Bytes())
	}
	b := func(s string) []byte { return []byte(s) }
	policies := []string{"APPEND", "REPLACE", "FLUSH"}

	f.Fuzz(func(t *testing.T, payload []byte, policy uint8) {
		exec(b("FUNCTION"), b("FLUSH"))
		full := rdb.AppendFooter(bytes.Clone(payload))
		got := exec(b("FUNCTION"), b("RESTORE"), full, b(policies[int(policy)%len(policies)]))
		if len(got) == 0 || got[0] != '+' && got[0] != '-' {
			t.Fatalf("FUNCTION RESTORE answered %q", got)
		}
		if got[0] == '-' {
			if list := exec(b("FUNCTION"), b("LIST")); string(list) != "*0\r\n" {
				t.Fatalf("a failed RESTORE left libraries: %q", list)
			}
			return
		}
		list := exec(b("FUNCTION"), b("LIST"), b("WITHCODE"))
		v, _, err := core.ReadValue(bufio.NewReader(bytes.NewReader(exec(b("FUNCTION"), b("DUMP")))))
		if err != nil || v.Kind != core.VBulk {
			t.Fatalf("FUNCTION DUMP: %v %v", v, err)
		}
		exec(b("FUNCTION"), b("FLUSH"))
		if again := exec(b("FUNCTION"), b("RESTORE"), v.Str); string(again) != "+OK\r\n" {
			t.Fatalf("restoring the dump of what was restored: %q", again)
		}
		if list2 := exec(b("FUNCTION"), b("LIST"), b("WITHCODE")); !bytes.Equal(list, list2) {
			t.Fatalf("libraries changed through DUMP and RESTORE:\n%q\n%q", list, list2)
		}
	})
}
