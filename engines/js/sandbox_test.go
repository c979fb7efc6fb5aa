package js_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// What scripts cannot reach or change.
func TestSandboxGlobals(t *testing.T) {
	c := server(t)
	run(t, c, []step{
		{cmd("EVAL", "#!js\nreturn [typeof require, typeof process, typeof setTimeout, typeof console, typeof module, typeof fetch, typeof Deno, typeof globalThis.redis]", "0"),
			"*8\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$6\r\nobject\r\n"},
		// The Function constructor reaches the realm's own globalThis, nothing more.
		{cmd("EVAL", "#!js\nconst g = Function('return this')(); return [g === globalThis ? 'same' : 'other', typeof g.require, Object.isFrozen(g) ? 'frozen' : 'open']", "0"),
			"*3\r\n$4\r\nsame\r\n$9\r\nundefined\r\n$6\r\nfrozen\r\n"},
		{cmd("EVAL", "#!js\nreturn (() => {}).constructor('return typeof redis.call.constructor')()", "0"), "$8\r\nfunction\r\n"},
	})
}

// EVAL scripts share a frozen realm: nothing one run does is seen by the next.
func TestEvalIsolation(t *testing.T) {
	c := server(t)
	for _, s := range []step{
		{cmd("EVAL", "#!js\nleak = 1", "0"), "-ERR ReferenceError: leak is not defined script: "},
		{cmd("EVAL", "#!js\nglobalThis.leak = 1", "0"), "-ERR TypeError: Cannot add property leak, object is not extensible script: "},
		{cmd("EVAL", "#!js\nFunction('leak = 1')()", "0"), "$-1\r\n"}, // sloppy code: the write is ignored
		{cmd("EVAL", "#!js\nArray.prototype.polluted = 1", "0"), "-ERR TypeError: Cannot add property polluted, object is not extensible script: "},
		{cmd("EVAL", "#!js\nObject.prototype.toString = () => 'owned'", "0"), "-ERR TypeError: Cannot assign to read only property 'toString' of a frozen built-in script: "},
		{cmd("EVAL", "#!js\nJSON.parse = () => 1", "0"), "-ERR TypeError: Cannot assign to read only property 'parse' script: "},
		{cmd("EVAL", "#!js\nredis.call = () => 'hijacked'", "0"), "-ERR TypeError: Cannot assign to read only property 'call' script: "},
		{cmd("EVAL", "#!js\nObject.getPrototypeOf(function* () {}).polluted = 1", "0"), "-ERR TypeError: Cannot add property polluted, object is not extensible script: "},
	} {
		if got := do(t, c, s.args...); !strings.HasPrefix(got, s.want) {
			t.Errorf("%q:\n got  %q\n want %q...", s.args, got, s.want)
		}
	}
	run(t, c, []step{
		{cmd("EVAL", "#!js\nreturn [typeof leak, typeof [].polluted, String({}), JSON.parse('2'), typeof redis.call('PING')]", "0"),
			"*5\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$15\r\n[object Object]\r\n:2\r\n$6\r\nobject\r\n"},
		// Overriding inherited built-in properties on one's own objects still works.
		{cmd("EVAL", "#!js\nclass E extends Error { constructor(m) { super(m); this.name = 'E'; } }\nconst o = {}; o.toString = () => 'mine';\nreturn [new E('x').name, String(o), String(new E('m'))]", "0"),
			"*3\r\n$1\r\nE\r\n$4\r\nmine\r\n$4\r\nE: m\r\n"},
		// Local state is per run.
		{cmd("EVAL", "#!js\nlet n = 0; n++; return n", "0"), ":1\r\n"},
		{cmd("EVAL", "#!js\nlet n = 0; n++; return n", "0"), ":1\r\n"},
	})
}

// Each library has its own realm: what one does to its built-ins stays
// there; once loaded its globalThis is frozen.
func TestLibraryIsolation(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=polluter
Array.prototype.polluted = 'yes';
Object.prototype.injected = 'yes';
globalThis.shared = 'mine';
function helper() { return [].polluted; }
let calls = 0;
redis.registerFunction('p_read', () => [helper(), ({}).injected, shared, ++calls]);
redis.registerFunction('p_write', () => { globalThis.later = 1; });
redis.registerFunction('p_proto', () => { Array.prototype.later = 1; });`)
	load(t, c, `#!js name=victim
redis.registerFunction('v_read', () => [typeof [].polluted, typeof ({}).injected, typeof shared]);`)
	run(t, c, []step{
		{cmd("FCALL", "p_read", "0"), "*4\r\n$3\r\nyes\r\n$3\r\nyes\r\n$4\r\nmine\r\n:1\r\n"},
		{cmd("FCALL", "p_read", "0"), "*4\r\n$3\r\nyes\r\n$3\r\nyes\r\n$4\r\nmine\r\n:2\r\n"},
		{cmd("FCALL", "v_read", "0"), "*3\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n"},
		{cmd("FCALL", "p_write", "0"), "-ERR TypeError: Cannot add property later, object is not extensible script: p_write, on @user_function:8.\r\n"},
		{cmd("FCALL", "p_proto", "0"), "$-1\r\n"}, // its own built-ins, its own business
		{cmd("FCALL", "v_read", "0"), "*3\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n$9\r\nundefined\r\n"},
	})
}

// Library top-level code may only register functions.
func TestLibraryLoadRules(t *testing.T) {
	c := server(t)
	run(t, c, []step{
		{cmd("FUNCTION", "LOAD", "#!js name=a\nredis.call('SET', 'k', 'v');\nredis.registerFunction('f', () => 1)"),
			"-ERR Error registering functions: ERR redis.call can only be called inside a function, not while the library loads\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=a\nredis.log(redis.LOG_NOTICE, 'loading');\nredis.registerFunction('f', () => redis.registerFunction('g', () => 2))"), "$1\r\na\r\n"},
		{cmd("FCALL", "f", "0"), "-ERR redis.registerFunction can only be called on FUNCTION LOAD command script: f, on @user_function:3.\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction('bad name', () => 1)"),
			"-ERR Error registering functions: ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction('x', () => 1); redis.registerFunction('x', () => 2)"),
			"-ERR Error registering functions: ERR Function already exists in the library\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction({name: 'x', callback: () => 1, flags: ['no-such']})"),
			"-ERR Error registering functions: ERR unknown flag given\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction({name: 'x', callback: () => 1, color: 'red'})"),
			"-ERR Error registering functions: ERR unknown argument given to redis.registerFunction\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction({callback: () => 1})"),
			"-ERR Error registering functions: ERR redis.registerFunction must get a function name argument\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction('x', 1)"),
			"-ERR Error registering functions: ERR second argument to redis.registerFunction must be a function\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nconst x = 1;"), "-ERR No functions registered\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=b\nredis.registerFunction('x', () => {"),
			"-ERR Error compiling function: user_function: Line 2:36 Unexpected end of input (and 1 more errors)\r\n"},
		{cmd("EVAL", "#!js\nreturn )", "0"), "-ERR Error compiling script (new function): user_script: Line 2:8 Unexpected token ) (and 2 more errors)\r\n"},
		{cmd("EVAL", "#!js\n}); redis.call('SET', 'pwned', 1); (function () {", "0"),
			"-ERR Error compiling script (new function): user_script: the script is not a function body (unbalanced braces?)\r\n"},
		{cmd("EXISTS", "pwned"), ":0\r\n"},
	})
}

// A "//# sourceMappingURL=" comment naming a file must not make the
// server read it (goja's parser would, by default, relative to the
// server's directory: "../../dev/zero" would never finish). The test's map
// moves every position to line 99: were the file read, the reported line
// would be 99.
func TestSourceMapFilesNotRead(t *testing.T) {
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	path, err := filepath.Rel(wd, filepath.Join(dir, "evil.map"))
	if err != nil {
		t.Fatal(err)
	}
	// Every generated line maps to source line 99 (VAAoG = line +98 on the first segment).
	sm := `{"version":3,"sources":["x"],"names":[],"mappings":"AAkGA;AAAA;AAAA;AAAA;AAAA"}`
	if err := os.WriteFile(filepath.Join(dir, "evil.map"), []byte(sm), 0o600); err != nil {
		t.Fatal(err)
	}
	c := server(t)
	body := "throw new Error('boom')\n//# sourceMappingURL=" + path
	for _, s := range []step{
		{cmd("EVAL", "#!js\n"+body, "0"), "-ERR boom script: "},
		{cmd("EVAL", "#!js\nreturn new Function("+strconv.Quote(body)+")()", "0"), "-ERR boom script: "},
		{cmd("EVAL", "#!js\nreturn eval("+strconv.Quote(body)+")", "0"), "-ERR boom script: "},
	} {
		got := do(t, c, s.args...)
		if !strings.HasPrefix(got, s.want) || strings.Contains(got, ":99.") {
			t.Errorf("%q:\n got  %q\n want %q... at a line of the script", s.args, got, s.want)
		}
	}
	load(t, c, "#!js name=sm\nredis.registerFunction('sm', () => { throw new Error('boom') })\n//# sourceMappingURL="+path)
	if got := do(t, c, "FCALL", "sm", "0"); got != "-ERR boom script: sm, on @user_function:2.\r\n" {
		t.Errorf("FCALL sm: %q", got)
	}
}
