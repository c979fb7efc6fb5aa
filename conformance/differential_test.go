package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDifferential runs every script under testdata/diff against polyfn
// and redis-server 7.0, in RESP2 and in RESP3.
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no differential scripts: %v", err)
	}
	for _, f := range files {
		f := f
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name+"/resp2", func(t *testing.T) {
			t.Parallel()
			RunDiffFile(t, f, false)
		})
		data, _ := os.ReadFile(f)
		if !strings.Contains(string(data), "!noresp3") {
			t.Run(name+"/resp3", func(t *testing.T) {
				t.Parallel()
				RunDiffFile(t, f, true)
			})
		}
	}
}
