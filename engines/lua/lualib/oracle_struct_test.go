package lualib

// The differential runner shared by the struct, bit and compat tests: each
// snippet runs in gopher-lua (runGopherLua, with this package's libraries)
// and in the oracle redis-server (runRedisEval), and both must agree.

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// structPrelude defines helpers for snippets: hex(s) renders bytes in hex,
// J(...) joins all values with tostring. It stays on the snippet's first
// line so error positions agree.
const structPrelude = `local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ` +
	`local function J(...) local t = {} for i = 1, select('#', ...) do t[#t+1] = tostring((select(i, ...))) end return table.concat(t, ',') end `

// structOpenAll opens every library of this package plus the compat layer.
func structOpenAll(L *lua.LState) *lua.LTable {
	InstallCompat(L)
	OpenBit(L)
	return OpenStruct(L)
}

// structRunDiff runs each snippet (after structPrelude) in gopher-lua with
// this package's libraries and in redis-server, and requires equal results
// or equal error messages.
func structRunDiff(t *testing.T, snippets []string) {
	t.Helper()
	for i, s := range snippets {
		script := structPrelude + s
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			want, werr := runRedisEval(t, script)
			got, gerr := runGopherLua(t, script, structOpenAll)
			if werr != nil {
				require.Error(t, gerr, "snippet %q: redis failed with %q, we returned %q", s, werr, got)
				require.Equal(t, werr.Error(), gerr.Error(), "snippet %q", s)
				return
			}
			require.NoError(t, gerr, "snippet %q (redis returned %q)", s, want)
			require.Equal(t, want, got, "snippet %q", s)
		})
	}
}
