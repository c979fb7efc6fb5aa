package core_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/polyfn/polyfn/core"
	_ "github.com/polyfn/polyfn/protocol" // provides core.SplitLine
	"github.com/stretchr/testify/require"
)

func TestLoadArgsAndFile(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "polyfn.conf")
	require.NoError(t, os.WriteFile(conf, []byte("# comment\nport 7100\nrequirepass \"s3cret pass\"\n\nsave \"\"\nhash-max-ziplist-entries 64\n"), 0o644))
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{conf, "--port", "7200", "--bind", "127.0.0.1", "::1", "--lua-time-limit", "100"}))
	get := func(n string) string { v, ok := cfg.Get(n); require.True(t, ok, n); return v }
	require.Equal(t, "7200", get("port"), "command line overrides the file")
	require.Equal(t, "s3cret pass", cfg.RequirePass())
	require.Equal(t, "", get("save"))
	require.Equal(t, "127.0.0.1 ::1", get("bind"))
	require.Equal(t, int64(100), cfg.BusyReplyThreshold(), "alias")
	require.Equal(t, int64(64), cfg.Int("hash-max-listpack-entries"), "alias in file")

	require.Error(t, core.NewConfig().LoadArgs([]string{"--no-such-option", "1"}))
	require.Error(t, core.NewConfig().LoadArgs([]string{"--port", "notanumber"}))
	require.Error(t, core.NewConfig().LoadArgs([]string{filepath.Join(dir, "missing.conf")}))
	require.NoError(t, os.WriteFile(conf, []byte("requirepass \"unterminated\n"), 0o644))
	require.Error(t, core.NewConfig().LoadArgs([]string{conf}))
}

func TestParseMemory(t *testing.T) {
	for in, want := range map[string]int64{"100": 100, "1k": 1000, "1kb": 1024, "2mb": 2 << 20, "1GB": 1 << 30, "3g": 3e9} {
		got, ok := core.ParseMemory(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	_, ok := core.ParseMemory("12x")
	require.False(t, ok)
}
