package conformance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Script memory limits (script-max-memory, polyfn's own): a script that
// allocates without end, or asks for one huge value, or returns a huge
// reply, is stopped with the limit's error; the server keeps serving and
// what the script wrote before stays. The limit here is small, so that a
// failing check costs the test process little.

const limitsMem = "67108864" // 64 MB

var memError = "ERR script exceeded the memory limit of " + limitsMem + " bytes"

// limitCase is one script and the start of the error it must end with.
type limitCase struct {
	name, body string
	numkeys    string
	// want is a prefix of the error; "" means memError.
	want string
}

func checkLimitCases(t *testing.T, c *Client, run func(body, numkeys string) (string, error), cases []limitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := run(tc.body, tc.numkeys)
			require.NoError(t, err)
			want := tc.want
			if want == "" {
				want = memError
			}
			require.True(t, strings.HasPrefix(got, want), "got %q, want %q...", got, want)
			v, _, err := c.Do("PING")
			require.NoError(t, err)
			require.Equal(t, "PONG", string(v.Str))
		})
	}
}

func evalRunner(c *Client) func(body, numkeys string) (string, error) {
	return func(body, numkeys string) (string, error) {
		if numkeys == "" {
			numkeys = "0"
		}
		v, raw, err := c.Do("EVAL", body, numkeys, "k")
		if v.Kind == 0 || len(raw) == 0 {
			return "", err
		}
		if raw[0] != '-' {
			return Quote(raw), err
		}
		return string(v.Str), err
	}
}

func TestScriptMemoryLimitLua(t *testing.T) {
	c := Dial(t, StartPolyfn(t, "--script-max-memory", limitsMem))
	checkLimitCases(t, c, evalRunner(c), []limitCase{
		// Gradual growth: the watchdog, which pcall cannot stop.
		{name: "table", body: "local t = {} for i = 1, 1e8 do t[i] = i end return #t"},
		{name: "strings", body: "local t = {} for i = 1, 1e6 do t[i] = string.rep('x', 1000) .. i end return #t"},
		{name: "pcall", body: "local t = {} while true do pcall(function() for i = 1, 1e4 do t[#t+1] = {} end end) end"},
		{name: "concat", body: "local s = 'x' while true do s = s .. s end"},
		// One value over the limit: refused before it is built.
		{name: "rep", body: "return #string.rep('x', 100 * 1024 * 1024)"},
		{name: "rep_pcall", body: "local ok = pcall(string.rep, 'x', 100 * 1024 * 1024) return 'swallowed'"},
		{name: "table_concat", body: "local s = string.rep('x', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s end return #table.concat(t)"},
		{name: "format", body: "local s = string.rep('x', 1024 * 1024) return #string.format(string.rep('%s', 100), unpack((function() local t = {} for i = 1, 100 do t[i] = s end return t end)()))"},
		{name: "cjson", body: "local s = string.rep('x', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s end return #cjson.encode(t)"},
		{name: "cmsgpack", body: "local s = string.rep('x', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s end return #cmsgpack.pack(t)"},
		{name: "struct", body: "local s = string.rep('x', 1024 * 1024) local t = {} for i = 1, 100 do t[i] = s end return #struct.pack(string.rep('c0', 100), unpack(t))"},
		// A reply bigger than the limit.
		{name: "reply", body: "local t = {} for i = 1, 1e6 do t[i] = i end return t"},
	})
	// Within the limit all is well, and garbage is not growth.
	v, _, err := c.Do("EVAL", "local n = 0 for i = 1, 2e5 do local s = string.rep('x', 1000) .. i n = n + #s end return n", "0")
	require.NoError(t, err)
	require.Equal(t, int64(201088895), v.Int)
}

// A script that wrote and is then stopped keeps its writes (as a script
// that raises an error after writing), and its later commands never run.
func TestScriptMemoryLimitAfterWrite(t *testing.T) {
	c := Dial(t, StartPolyfn(t, "--script-max-memory", limitsMem))
	v, _, err := c.Do("EVAL", "redis.call('SET', KEYS[1], 'before') local t = {} for i = 1, 1e8 do t[i] = i end redis.call('SET', KEYS[1], 'after')", "1", "k")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(v.Str), memError), "%q", v.Str)
	v, _, err = c.Do("GET", "k")
	require.NoError(t, err)
	require.Equal(t, "before", string(v.Str))
	// CONFIG SET takes effect for the next script; 0 turns the limit off.
	v, _, err = c.Do("CONFIG", "SET", "script-max-memory", "0")
	require.NoError(t, err)
	require.Equal(t, "OK", string(v.Str))
	v, _, err = c.Do("EVAL", "local t = {} for i = 1, 2e6 do t[i] = i end return #t", "0")
	require.NoError(t, err)
	require.Equal(t, int64(2e6), v.Int)
	v, _, err = c.Do("CONFIG", "GET", "script-max-memory")
	require.NoError(t, err)
	require.Equal(t, "0", string(v.Elems[1].Str))
}

func TestScriptMemoryLimitJS(t *testing.T) {
	c := Dial(t, StartPolyfn(t, "--script-max-memory", limitsMem))
	js := func(body string) string { return "#!js\n" + body }
	checkLimitCases(t, c, evalRunner(c), []limitCase{
		// Gradual growth: the watchdog; try/catch cannot stop it.
		{name: "push", body: js("const a = []; while (true) a.push({n: a.length})")},
		{name: "doubling", body: js("let s = 'x'; while (true) s = s + s")},
		{name: "catch", body: js("const a = []; while (true) { try { for (let i = 0; i < 1e4; i++) a.push([i]) } catch (e) {} }")},
		// One value over the limit: refused before it is built.
		{name: "repeat", body: js("return 'x'.repeat(2 ** 31).length")},
		{name: "repeat_catch", body: js("try { 'x'.repeat(2 ** 31) } catch (e) { return 'swallowed' }")},
		{name: "padStart", body: js("return 'x'.padStart(2 ** 30).length")},
		{name: "padEnd", body: js("return 'x'.padEnd(2 ** 30).length")},
		{name: "fill", body: js("return new Array(2 ** 32 - 1).fill(0).length")},
		{name: "array_from", body: js("return Array.from({length: 2 ** 32 - 1}).length")},
		{name: "spread", body: js("return [...new Array(2 ** 32 - 1)].length")},
		{name: "apply", body: js("return Math.max.apply(null, new Array(2 ** 32 - 1))")},
		{name: "join", body: js("return new Array(2 ** 30).join('x').length")},
		{name: "join_refs", body: js("const s = 'x'.repeat(2 ** 20); return new Array(100).fill(s).join('').length")},
		{name: "arraybuffer", body: js("return new ArrayBuffer(2 ** 31).byteLength")},
		{name: "typed", body: js("return new Float64Array(2 ** 28).length")},
		{name: "typed_from", body: js("return new Uint8Array(new Array(2 ** 32 - 1)).length")},
		{name: "stringify_holes", body: js("return JSON.stringify(new Array(2 ** 32 - 1)).length")},
		{name: "stringify_refs", body: js("const s = 'x'.repeat(2 ** 20); return JSON.stringify(new Array(100).fill(s)).length")},
		// Replies bigger than the limit.
		{name: "reply_holes", body: js("return new Array(2 ** 32 - 1)")},
		{name: "reply", body: js("return new Array(1e6).fill(1)")},
		{name: "reply_strings", body: js("const s = 'x'.repeat(2 ** 20); return new Array(100).fill(s)")},
		// Nesting that goja would follow on the Go stack.
		{name: "json_parse_deep", body: js("return JSON.parse('['.repeat(1e6))"), want: "ERR SyntaxError: JSON nested too deeply"},
		{name: "stringify_deep", body: js("let o = {}; for (let i = 0; i < 1e5; i++) o = {a: o}; return JSON.stringify(o)"), want: "ERR RangeError: Maximum call stack size exceeded"},
		{name: "eval_deep", body: js("return eval('('.repeat(5e6) + '1' + ')'.repeat(5e6))"), want: "ERR SyntaxError: code nested too deeply"},
		{name: "function_deep", body: js("return new Function('return ' + '['.repeat(5e6))()"), want: "ERR SyntaxError: code nested too deeply"},
		{name: "code_deep", body: js("return " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)),
			want: "ERR Error compiling script (new function): user_script: code nested too deeply"},
	})
	// Within the limit all is well, and the guarded built-ins still work.
	v, raw, err := c.Do("EVAL", "#!js\nconst a = [3, 1, 2].sort().map((x) => x * 2); const u = new Uint8Array([1, 2]);\n"+
		"return [a.join(','), JSON.stringify({a, s: 'x'.repeat(3)}), JSON.stringify({a: 1, b: 2}, ['b']), u instanceof Uint8Array ? u.length : -1, "+
		"[...'ab'].length, Array.from({length: 2}).length, eval('1 + 1'), new Function('a', 'return a * 2')(4), 'x'.padStart(3, '-'), [1, 2].concat([3]).length]", "0")
	require.NoError(t, err, Quote(raw))
	require.Equal(t, "*10\r\n$5\r\n2,4,6\r\n$23\r\n{\"a\":[2,4,6],\"s\":\"xxx\"}\r\n$7\r\n{\"b\":2}\r\n:2\r\n:2\r\n:2\r\n:2\r\n:8\r\n$3\r\n--x\r\n:3\r\n", string(raw), v)
	// A library whose top-level code asks for too much does not load.
	v, _, err = c.Do("FUNCTION", "LOAD", "#!js name=hog\nconst s = 'x'.repeat(2 ** 30);\nredis.registerFunction('f', () => s.length)")
	require.NoError(t, err)
	require.Equal(t, "ERR Error registering functions: "+memError, string(v.Str))
	// A library function is stopped the same way.
	v, _, err = c.Do("FUNCTION", "LOAD", "#!js name=grow\nredis.registerFunction('grow', () => { const a = []; while (true) a.push([a.length]); })")
	require.NoError(t, err)
	require.Equal(t, "grow", string(v.Str))
	v, _, err = c.Do("FCALL", "grow", "0")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(v.Str), memError+" script: grow, on @user_function:2."), "%q", v.Str)
}
