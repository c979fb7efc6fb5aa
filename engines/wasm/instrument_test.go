package wasm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
)

// Every test module instruments into a module wazero accepts, with the
// interrupt global exported (the loop checks are tested by the kill and
// load-timeout tests through a server).
func TestInstrumentModules(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.wasm")
	if len(files) < 10 {
		t.Fatalf("test modules: %v", files)
	}
	rt := wazero.NewRuntime(t.Context())
	defer rt.Close(t.Context())
	for _, f := range files {
		mod, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := instrument(mod)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if bytes.Equal(out, mod) {
			t.Errorf("%s: unchanged", f)
			continue
		}
		cm, err := rt.CompileModule(t.Context(), out)
		if err != nil {
			if !bytes.Contains([]byte(err.Error()), []byte("over limit")) { // bigmem
				t.Errorf("%s: %v", f, err)
			}
			continue
		}
		if !bytes.Contains(out, []byte(interruptExport)) {
			t.Errorf("%s: no %s export", f, interruptExport)
		}
		cm.Close(t.Context())
	}
	// Not a module: left for the compiler to refuse.
	if out, err := instrument([]byte("nope")); err != nil || string(out) != "nope" {
		t.Errorf("garbage: %q %v", out, err)
	}
	// A module exporting a reserved name is refused.
	wat := []byte("\x00asm\x01\x00\x00\x00" + "\x05\x03\x01\x00\x01" + "\x07\x14\x01\x10polyfn_interrupt\x02\x00")
	if _, err := instrument(wat); err == nil {
		t.Error("reserved export accepted")
	}
}
