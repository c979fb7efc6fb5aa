package lua

import (
	"context"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// TestArgTables checks the shared-allocation KEYS and ARGV tables: the
// array layout is found, and growing, shrinking or rewriting one table
// never shows in the other.
func TestArgTables(t *testing.T) {
	require.True(t, arrayLayout.ok, "gopher-lua's table layout changed: see argtables.go")
	e := New()
	eval := func(code string, keys, args []string) core.Value {
		fns, err := e.Compile(context.Background(), core.CompileRequest{Kind: core.KindEval, Name: "f_args", Code: []byte(code)})
		require.NoError(t, err)
		var kb, ab [][]byte
		for _, k := range keys {
			kb = append(kb, []byte(k))
		}
		for _, a := range args {
			ab = append(ab, []byte(a))
		}
		return e.Call(context.Background(), fns[0], &fakeHost{}, kb, ab)
	}
	str := func(v core.Value) string { require.Equal(t, core.VBulk, v.Kind, string(v.Str)); return string(v.Str) }
	// Appending to KEYS must not overwrite ARGV[1].
	require.Equal(t, "k1,k2,x|a1,a2", str(eval("table.insert(KEYS, 'x') return table.concat(KEYS, ',')..'|'..table.concat(ARGV, ',')", []string{"k1", "k2"}, []string{"a1", "a2"})))
	// Removing then appending stays within KEYS.
	require.Equal(t, "k1,y|a1", str(eval("table.remove(KEYS) KEYS[#KEYS+1] = 'y' return table.concat(KEYS, ',')..'|'..table.concat(ARGV, ',')", []string{"k1", "k2"}, []string{"a1"})))
	require.Equal(t, "|a1,z", str(eval("ARGV[#ARGV+1] = 'z' return table.concat(KEYS, ',')..'|'..table.concat(ARGV, ',')", nil, []string{"a1"})))
	require.Equal(t, "0 0 nil", str(eval("return #KEYS..' '..#ARGV..' '..tostring(getmetatable(KEYS))", nil, nil)))
	require.Equal(t, "2 1 k2 a", str(eval("KEYS[1] = 'w' return #KEYS..' '..#ARGV..' '..KEYS[2]..' '..ARGV[1]", []string{"k1", "k2"}, []string{"a"})))
	// Binary and empty arguments come through unchanged.
	require.Equal(t, "\x00\xff||b", str(eval("return KEYS[1]..'|'..ARGV[1]..'|'..ARGV[2]", []string{"\x00\xff"}, []string{"", "b"})))
}
