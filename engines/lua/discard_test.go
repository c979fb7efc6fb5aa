package lua

import (
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// TestResultDiscarded pins what redis.call relies on to skip converting
// a reply: only a call whose results Lua throws away says so.
func TestResultDiscarded(t *testing.T) {
	require.True(t, frameLayout.ok, "gopher-lua's call frame layout changed: see discard.go")
	L := lua.NewState()
	defer L.Close()
	var seen []bool
	L.SetGlobal("probe", L.NewFunction(func(L *lua.LState) int {
		seen = append(seen, resultDiscarded(L))
		L.Push(lua.LNumber(1))
		return 1
	}))
	for _, c := range []struct {
		code string
		want bool
	}{
		{"probe()", true},
		{"probe('a', 'b')", true},
		{"local function f() probe() end f()", true},
		{"local x = probe()", false},
		{"local x, y = probe()", false},
		{"return probe()", false},
		{"local t = {probe()}", false},
		{"print(probe())", false},
		{"local ok = pcall(probe)", false},
		{"if probe() then end", false},
		{"local x = probe() + 1", false},
		{"local function f() return probe() end f()", true}, // a tail call inherits its caller's wish
		{"local function f() return probe() end local x = f()", false},
		{"local co = coroutine.wrap(function() probe() end) co()", true},
	} {
		seen = nil
		require.NoError(t, L.DoString(c.code), c.code)
		require.Equal(t, []bool{c.want}, seen, c.code)
	}
}
