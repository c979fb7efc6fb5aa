package wasm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/engines/wasm"
	"github.com/stretchr/testify/require"
)

// TestCacheDir: with wasm-cache-dir, compiled modules land on disk (a
// relative path is under dir), and a second server on the same directory
// (a restart) loads and runs the library from it.
func TestCacheDir(t *testing.T) {
	mod := module(t, "example")
	c := startServer(t, wasm.Options{}, "--wasm-cache-dir", "wasmcache")
	dir := strings.Split(do(t, c, "CONFIG", "GET", "dir"), "\r\n")[4]
	cache := filepath.Join(dir, "wasmcache")
	expect(t, c, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", mod))
	require.NotZero(t, dirSize(t, cache), "compiled code written under %s", cache)
	expect(t, c, "-ERR CONFIG SET failed (possibly related to argument 'wasm-cache-dir') - can't set immutable config\r\n", "CONFIG", "SET", "wasm-cache-dir", "elsewhere")

	again := startServer(t, wasm.Options{}, "--wasm-cache-dir", cache)
	expect(t, again, "$7\r\nexample\r\n", "FUNCTION", "LOAD", library("example", mod))
	expect(t, again, "$16\r\nHello, stranger!\r\n", "FCALL", "hello", "0")
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
