package js_test

import (
	"strings"
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// tsLib uses TypeScript's syntax (types, interfaces, enums, classes with
// parameter properties, generics, casts) and the features goja lacks and
// esbuild lowers (async generators, for await).
const tsLib = `#!ts name=tslib
interface Address { city?: string }
interface Profile { name: string; address?: Address }
enum Level { Low = 1, High = 10 }
type Keys = string[];

function parse<T>(raw: unknown): T | null {
  return typeof raw === 'string' ? (JSON.parse(raw) as T) : null;
}

class Counter {
  private n = 0;
  constructor(readonly step: number) {}
  next(): number { return (this.n += this.step); }
}

async function* countdown(from: number): AsyncGenerator<number> {
  for (let i = from; i > 0; i--) yield i;
}

redis.registerFunction('city', (keys: Keys): string =>
  parse<Profile>(redis.call('GET', keys[0]))?.address?.city ?? 'unknown');

redis.registerFunction('level', (_keys: Keys, args: string[]): number =>
  args[0] === 'high' ? Level.High : Level.Low);

redis.registerFunction('values', async (keys: Keys): Promise<string[]> => {
  const vals = await Promise.all(keys.map(async (k) => (redis.call('GET', k) as string | null) ?? '-'));
  return vals;
});

redis.registerFunction('steps', (_keys: Keys, args: string[]): number[] => {
  const c = new Counter(Number(args[0]));
  return [c.next(), c.next(), c.next()];
});

redis.registerFunction('sum', async (): Promise<number> => {
  let s = 0;
  for await (const v of countdown(4)) s += v;
  return s;
});

redis.registerFunction('fail', (): never => {
  throw new Error('MYERR failed here');
});
`

func TestTypeScriptLibrary(t *testing.T) {
	c := server(t)
	load(t, c, tsLib)
	run(t, c, []step{
		{cmd("SET", "p1", `{"name":"ann","address":{"city":"Oslo"}}`), "+OK\r\n"},
		{cmd("SET", "p2", `{"name":"bob"}`), "+OK\r\n"},
		{cmd("FCALL", "city", "1", "p1"), "$4\r\nOslo\r\n"},
		{cmd("FCALL", "city", "1", "p2"), "$7\r\nunknown\r\n"},
		{cmd("FCALL", "city", "1", "nokey"), "$7\r\nunknown\r\n"},
		{cmd("FCALL", "level", "0", "high"), ":10\r\n"},
		{cmd("FCALL", "level", "0", "low"), ":1\r\n"},
		{cmd("FCALL", "values", "2", "p2", "nokey"), "*2\r\n$14\r\n{\"name\":\"bob\"}\r\n$1\r\n-\r\n"},
		{cmd("FCALL", "steps", "0", "5"), "*3\r\n:5\r\n:10\r\n:15\r\n"},
		{cmd("FCALL", "sum", "0"), ":10\r\n"},
		// Run-time positions are lines of the TypeScript source (the
		// throw is on line 44, counting the shebang), through the source map.
		{cmd("FCALL", "fail", "0"), "-MYERR failed here script: fail, on @user_function:44.\r\n"},
	})
	// FUNCTION LIST names the engine TS and shows the TypeScript source.
	list := do(t, c, "FUNCTION", "LIST", "WITHCODE")
	for _, want := range []string{"$6\r\nengine\r\n$2\r\nTS\r\n", "interface Profile", "enum Level"} {
		if !strings.Contains(list, want) {
			t.Errorf("FUNCTION LIST WITHCODE lacks %q:\n%q", want, list)
		}
	}
}

// A syntax error is reported at its line in the TypeScript source, in the
// format of the JavaScript engine's syntax errors; a type error is not an
// error (types are erased, not checked).
func TestTypeScriptErrors(t *testing.T) {
	c := server(t)
	run(t, c, []step{
		{cmd("FUNCTION", "LOAD", "#!ts name=bad\nconst a: number = 1;\nfunction f(x: string {\n  return x;\n}\nredis.registerFunction('f', f);"),
			"-ERR Error compiling function: user_function: Line 3:22 Expected \")\" but found \"{\"\r\n"},
		{cmd("FUNCTION", "LOAD", "#!ts name=bad\nlet x: = 1;\nlet y = );"),
			"-ERR Error compiling function: user_function: Line 2:8 Unexpected \"=\"\r\n"},
		{cmd("EVAL", "#!ts\nconst k: string = KEYS[0]\nreturn k as", "1", "a"),
			"-ERR Error compiling script (new function): user_script: Line 3:12 Unexpected end of file\r\n"},
		// Not type-checked: a string where a number is declared runs.
		{cmd("EVAL", "#!ts\nconst n: number = 'not a number' as any as string as unknown as number;\nlet m: number = ARGV[0];\nreturn [n, m]", "0", "x"),
			"*2\r\n$12\r\nnot a number\r\n$1\r\nx\r\n"},
		// Top-level code errors of a library are JavaScript's.
		{cmd("FUNCTION", "LOAD", "#!ts name=bad\nconst f = (): void => {};\nredis.call('PING');"),
			"-ERR Error registering functions: ERR redis.call can only be called inside a function, not while the library loads\r\n"},
	})
	prefixes(t, c, []step{
		{cmd("EVAL", "#!ts\nenum E { A }\nconst x: number = 1;\nthrow new Error(`at ${E.A + x}`);", "0"), "-ERR at 1 script: "},
	}, " on @user_script:4.\r\n")
}

// prefixes plays steps whose replies start with want and end with end
// (EVAL errors name the script by its SHA1).
func prefixes(t *testing.T, c *conformance.Client, steps []step, end string) {
	t.Helper()
	for _, s := range steps {
		if got := do(t, c, s.args...); !strings.HasPrefix(got, s.want) || !strings.HasSuffix(got, end) {
			t.Errorf("%q:\n got  %q\n want %q...%q", s.args, got, s.want, end)
		}
	}
}

func TestTypeScriptEval(t *testing.T) {
	c := server(t)
	script := "#!ts\ninterface Pair { key: string; value: string | null }\n" +
		"const pairs: Pair[] = KEYS.map((key: string): Pair => ({ key, value: redis.call('GET', key) as string | null }));\n" +
		"return pairs.map((p) => `${p.key}=${p.value ?? 'none'}`);"
	run(t, c, []step{
		{cmd("SET", "a", "1"), "+OK\r\n"},
		{cmd("EVAL", script, "2", "a", "b"), "*2\r\n$3\r\na=1\r\n$6\r\nb=none\r\n"},
		{cmd("EVAL", "#!ts flags=no-writes\nreturn (ARGV as string[]).length", "0", "x", "y"), ":2\r\n"},
	})
	prefixes(t, c, []step{
		{cmd("EVAL", "#!ts flags=no-writes\nredis.call('SET', 'a', '2')", "0"),
			"-ERR Write commands are not allowed from read-only scripts. script: "},
	}, " on @user_script:2.\r\n")
}

// FUNCTION DUMP keeps the TypeScript source; RESTORE transpiles it again.
func TestTypeScriptDumpRestore(t *testing.T) {
	c := server(t)
	load(t, c, tsLib)
	_, dump, err := c.Do("FUNCTION", "DUMP")
	if err != nil {
		t.Fatal(err)
	}
	payload, ok := bulk(dump)
	if !ok {
		t.Fatalf("FUNCTION DUMP: %q", dump)
	}
	run(t, c, []step{
		{cmd("FUNCTION", "FLUSH"), "+OK\r\n"},
		{cmd("FCALL", "level", "0", "high"), "-ERR Function not found\r\n"},
		{cmd("FUNCTION", "RESTORE", payload), "+OK\r\n"},
		{cmd("FCALL", "level", "0", "high"), ":10\r\n"},
		{cmd("FCALL", "sum", "0"), ":10\r\n"},
	})
	if list := do(t, c, "FUNCTION", "LIST", "WITHCODE"); !strings.Contains(list, "$2\r\nTS\r\n") || !strings.Contains(list, "enum Level") {
		t.Errorf("FUNCTION LIST after RESTORE: %q", list)
	}
}

// bulk returns the payload of a raw bulk string reply.
func bulk(raw []byte) (string, bool) {
	s := string(raw)
	if !strings.HasPrefix(s, "$") {
		return "", false
	}
	i := strings.Index(s, "\r\n")
	if i < 0 || !strings.HasSuffix(s, "\r\n") {
		return "", false
	}
	return s[i+2 : len(s)-2], true
}

// The examples of README.md's TypeScript section work as written there;
// modules are refused.
func TestTypeScriptReadme(t *testing.T) {
	c := server(t)
	load(t, c, "#!ts name=mylib\nredis.registerFunction('hello', (keys: string[]): string => redis.call('GET', keys[0]))")
	run(t, c, []step{
		{cmd("SET", "greeting", "hi"), "+OK\r\n"},
		{cmd("FCALL", "hello", "1", "greeting"), "$2\r\nhi\r\n"},
		{cmd("EVAL", "#!ts\nconst n: number = ARGV.length;\nreturn n", "0", "a", "b"), ":2\r\n"},
	})
	for _, code := range []string{
		"#!ts name=m\nimport { x } from 'y';\nredis.registerFunction('f', () => x)",
		"#!ts name=m\nexport const x = 1;\nredis.registerFunction('f', () => x)",
	} {
		if got := do(t, c, "FUNCTION", "LOAD", code); !strings.HasPrefix(got, "-ERR Error compiling function: user_function: Line 2:") {
			t.Errorf("%q: %q", code, got)
		}
	}
}
