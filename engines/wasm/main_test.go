package wasm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// rebuilt is the directory of the modules TestMain built afresh when
// POLYFN_WASM_REBUILD asks for it ("" when the tests use the committed
// testdata/*.wasm).
var rebuilt string

// TestMain rebuilds test modules with their guest toolchains before the
// tests when POLYFN_WASM_REBUILD names the parts (testdata/build.sh's
// arguments, separated by spaces or commas: "c,rust", or "all"); the
// tests then load those builds instead of the committed ones. CI does
// this for the toolchains it installs.
func TestMain(m *testing.M) {
	parts := os.Getenv("POLYFN_WASM_REBUILD")
	if parts == "" {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "polyfn-wasm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	args := []string{"testdata/build.sh"}
	if parts != "all" {
		args = append(args, strings.Fields(strings.ReplaceAll(parts, ",", " "))...)
	}
	cmd := exec.Command("sh", args...)
	cmd.Env = append(os.Environ(), "OUT="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "POLYFN_WASM_REBUILD=%s: testdata/build.sh: %v\n%s", parts, err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	rebuilt = dir
	// The engine suite's other modules (@testdata/... in its case files)
	// come from the same builds.
	os.Setenv(conformance.ModulesEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// modulePath is the file of the test module name: the fresh build when
// there is one, else testdata/<name>.wasm.
func modulePath(name string) string {
	if rebuilt != "" {
		p := filepath.Join(rebuilt, name+".wasm")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join("testdata", name+".wasm")
}

// TestRebuiltModules fails when a rebuild was asked for and produced
// nothing, so that CI cannot pass on the committed modules by mistake.
func TestRebuiltModules(t *testing.T) {
	if rebuilt == "" {
		t.Skip("POLYFN_WASM_REBUILD not set: the tests use the committed modules")
	}
	files, _ := filepath.Glob(filepath.Join(rebuilt, "*.wasm"))
	if len(files) == 0 {
		t.Fatalf("POLYFN_WASM_REBUILD built no modules in %s", rebuilt)
	}
	t.Logf("%d modules rebuilt", len(files))
}
