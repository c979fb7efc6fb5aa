package conformance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Deeply nested code: Lua 5.1 refuses more than LUAI_MAXCCALLS syntax
// levels ("chunk has too many syntax levels"); polyfn must too, at the
// same depth, and code nested millions deep must not take the server
// down (gopher-lua's parser and compiler would exhaust memory or the Go
// stack).
func TestLuaSyntaxLevels(t *testing.T) {
	rep := func(s string, n int) string { return strings.Repeat(s, n) }
	var scripts []string
	for _, n := range []int{190, 197, 198, 199, 200} {
		scripts = append(scripts,
			"return "+rep("(", n)+"1"+rep(")", n),
			"return "+rep("{", n)+rep("}", n),
			rep("do ", n)+rep("end ", n)+"return 1",
			"return 1"+rep(" .. 1", n),
			"return 2"+rep("^1", n),
			"return "+rep("not ", n)+"1",
			"return "+rep("- ", n)+"1",
			"return #"+rep("{", n)+rep("}", n),
			"local t = {} t[1] = t return type(t"+rep("[1]", n)+")",
			fmt.Sprintf("local f, e = loadstring('return ' .. string.rep('(', %d) .. '1' .. string.rep(')', %d)) return e or 'ok'", n, n),
			fmt.Sprintf("local f, e = loadstring(string.rep('do ', %d) .. string.rep('end ', %d)) return e or 'ok'", n, n),
			fmt.Sprintf("local f, e = loadstring('return 1' .. string.rep(' .. 1', %d)) return e or 'ok'", n),
		)
	}
	// Code that is long but not deep, with brackets in strings and comments.
	long := "local t = {}\n" + rep("t[#t+1] = ('x' .. '(' .. \"[[\" .. 1 - -1) -- ((((( [[\n", 500) +
		"if #t > 1 then return #t elseif #t == 0 then return 0 else return -1 end"
	scripts = append(scripts, long, "--[==[ (((( ]==] return [[ {{{{ ]] .. 'ok'")
	polyfn := Dial(t, StartPolyfn(t))
	// Millions deep: refused, and the server still serves.
	for _, s := range []string{
		"return " + rep("(", 5e6) + "1" + rep(")", 5e6),
		rep("do ", 3e6) + rep("end ", 3e6),
		"return 1" + rep(" .. 1", 3e6),
		"return " + rep("{", 5e6) + rep("}", 5e6),
		"local f, e = loadstring(string.rep('not ', 5e6) .. '1') return e",
	} {
		v, _, err := polyfn.Do("EVAL", s, "0")
		require.NoError(t, err)
		require.Contains(t, string(v.Str), "chunk has too many syntax levels")
	}
	v, _, err := polyfn.Do("PING")
	require.NoError(t, err)
	require.Equal(t, "PONG", string(v.Str))
	redisAddr, ok := tryRedis(t)
	if !ok {
		t.Skip("redis-server is not installed: the depths are not compared")
	}
	redis := Dial(t, redisAddr)
	for _, s := range scripts {
		_, want, err := redis.Do("EVAL", s, "0")
		require.NoError(t, err)
		_, got, err := polyfn.Do("EVAL", s, "0")
		require.NoError(t, err)
		require.Equal(t, Quote(want), Quote(got), "%.80s", s)
	}
}
