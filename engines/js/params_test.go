package js_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A function is given only the arrays it can see (params.go): whatever
// way a callback or script reaches its keys and arguments, it gets them.
func TestArgumentsReachable(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=params
redis.registerFunction('both', (keys, args) => [keys[0], args[0]]);
redis.registerFunction('keys_only', (keys) => keys);
redis.registerFunction('none', () => 'none');
redis.registerFunction('rest', (...a) => [a.length, a[1][0]]);
redis.registerFunction('default_first', (k = 1, a) => a[0]);
redis.registerFunction('destructured', ([k], [a]) => k + a);
redis.registerFunction('arguments', function () { return [arguments.length, arguments[1][0]]; });
redis.registerFunction('arguments_extra', function (keys) { return arguments[1][0]; });
redis.registerFunction('escaped', function () { return argum\u0065nts[1][0]; });
redis.registerFunction('method', ({ m(keys, args) { return args[0]; } }).m);
redis.registerFunction('function_named', ({ function() { return arguments[1][0]; } }).function);
redis.registerFunction('bound', function (k, a) { return a[0]; }.bind(null));
const crafted = function (k, a) { return a[0]; }.bind(null);
Object.defineProperty(crafted, 'name', {value: '(){}//'});
redis.registerFunction('crafted', crafted);
redis.registerFunction('proxied', new Proxy((k, a) => a[0], {}));
redis.registerFunction({name: 'named', callback: (keys, args) => args[0]});
redis.registerFunction({name: 'named_none', callback: () => 'none'});
Function.prototype.toString = () => '() => 1';
redis.registerFunction('lying', (keys, args) => args[0]);
`)
	run(t, c, []step{
		{cmd("FCALL", "both", "1", "k", "a"), "*2\r\n$1\r\nk\r\n$1\r\na\r\n"},
		{cmd("FCALL", "keys_only", "2", "k1", "k2", "a"), "*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n"},
		{cmd("FCALL", "none", "1", "k", "a"), "$4\r\nnone\r\n"},
		{cmd("FCALL", "rest", "1", "k", "a"), "*2\r\n:2\r\n$1\r\na\r\n"},
		{cmd("FCALL", "default_first", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "destructured", "1", "k", "a"), "$2\r\nka\r\n"},
		{cmd("FCALL", "arguments", "1", "k", "a"), "*2\r\n:2\r\n$1\r\na\r\n"},
		{cmd("FCALL", "arguments_extra", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "escaped", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "method", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "function_named", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "bound", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "crafted", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "proxied", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "named", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("FCALL", "named_none", "1", "k", "a"), "$4\r\nnone\r\n"},
		{cmd("FCALL", "lying", "1", "k", "a"), "$1\r\na\r\n"},
		// EVAL: the body's (KEYS, ARGV) by name, through arguments, or
		// spelled with escapes.
		{cmd("EVAL", "#!js\nreturn [KEYS[0], ARGV[0]]", "1", "k", "a"), "*2\r\n$1\r\nk\r\n$1\r\na\r\n"},
		{cmd("EVAL", "#!js\nreturn KEYS", "1", "k", "a"), "*1\r\n$1\r\nk\r\n"},
		{cmd("EVAL", "#!js\nreturn ARGV", "1", "k", "a"), "*1\r\n$1\r\na\r\n"},
		{cmd("EVAL", "#!js\nreturn arguments[1][0]", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("EVAL", "#!js\nreturn \\u0041RGV[0]", "1", "k", "a"), "$1\r\na\r\n"},
		{cmd("EVAL", "#!js\nreturn K\\u{45}YS[0]", "1", "k", "a"), "$1\r\nk\r\n"},
		{cmd("EVAL", "#!js\nreturn 1", "1", "k", "a"), ":1\r\n"},
		{cmd("EVAL", "#!js\nreturn typeof KEYS", "0"), "$6\r\nobject\r\n"},
	})
}

// A function whose arrays are reused from call to call (params.go) sees
// its own keys and arguments every time, and no code ever gets hold of a
// reused array: every way a reference could be taken or the array
// written makes the function get fresh arrays. kept collects the arrays
// code got hold of; check shows their contents at the end, which a reused
// array would have changed.
func TestReusedArraysNeverEscape(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=reuse
const kept = new Map();
const keep = (x) => { kept.set(kept.size, x); };
const resumes = [];
Object.defineProperty(Array.prototype, '5', {get() { keep(this); return 'proto'; }, configurable: true});
Object.defineProperty(Array.prototype, '9', {set(v) { keep(this); }, configurable: true});
redis.registerFunction('read', (keys, args) => [keys.length, keys[0], args[1], {k: keys[0]}, typeof keys[0], -args.length]);
redis.registerFunction('stored', (keys) => { keep(keys); return keys[0]; });
redis.registerFunction('past_end', (keys) => keys[5]);
redis.registerFunction('closure', (keys) => { keep({join: () => keys[0]}); return keys[0]; });
redis.registerFunction('suspended', async (keys) => { await new Promise((r) => resumes.push(r)); keep([keys[0]]); });
redis.registerFunction('resume', () => { resumes.splice(0).forEach((r) => r()); return kept.size; });
redis.registerFunction('written', (keys) => { keys[9] = 'x'; return keys.length; });
redis.registerFunction('truncated', (keys) => { keys.length = 0; return keys.length; });
redis.registerFunction('deleted', (keys) => { delete keys[0]; return keys[0] ?? 'gone'; });
redis.registerFunction('pattern', (keys) => { ({a: keys[0]} = {a: 'x'}); return keys[0]; });
redis.registerFunction('spread', (keys) => [...keys].length);
redis.registerFunction('called', (keys) => keys.at(0));
redis.registerFunction('args_object', function (keys) { keep(arguments[0]); return keys[0]; });
redis.registerFunction('shadowed', (keys) => { { const keys = ['inner']; keep(keys); } return keys[0]; });
redis.registerFunction('check', () => [...kept.values()].map((a) => a.join(',')).join('|'));
`)
	run(t, c, []step{
		// Reused: right every time, whatever the counts.
		{cmd("FCALL", "read", "1", "a", "x", "y"), "*6\r\n:1\r\n$1\r\na\r\n$1\r\ny\r\n*2\r\n$1\r\nk\r\n$1\r\na\r\n$6\r\nstring\r\n:-2\r\n"},
		{cmd("FCALL", "read", "1", "b", "x", "z"), "*6\r\n:1\r\n$1\r\nb\r\n$1\r\nz\r\n*2\r\n$1\r\nk\r\n$1\r\nb\r\n$6\r\nstring\r\n:-2\r\n"},
		{cmd("FCALL", "read", "2", "c", "d", "x", "w", "v"), "*6\r\n:2\r\n$1\r\nc\r\n$1\r\nw\r\n*2\r\n$1\r\nk\r\n$1\r\nc\r\n$6\r\nstring\r\n:-3\r\n"},
		{cmd("FCALL", "read", "1", "e", "x"), "*6\r\n:1\r\n$1\r\ne\r\n$-1\r\n*2\r\n$1\r\nk\r\n$1\r\ne\r\n$6\r\nstring\r\n:-1\r\n"},
		{cmd("FCALL", "read", "0"), "*6\r\n:0\r\n$-1\r\n$-1\r\n*2\r\n$1\r\nk\r\n$-1\r\n$9\r\nundefined\r\n:0\r\n"},
		{cmd("FCALL", "read", "1", "f", "x", "y"), "*6\r\n:1\r\n$1\r\nf\r\n$1\r\ny\r\n*2\r\n$1\r\nk\r\n$1\r\nf\r\n$6\r\nstring\r\n:-2\r\n"},
		// Every escape, twice with different keys.
		{cmd("FCALL", "stored", "1", "s1"), "$2\r\ns1\r\n"},
		{cmd("FCALL", "stored", "1", "s2"), "$2\r\ns2\r\n"},
		{cmd("FCALL", "past_end", "1", "p1"), "$5\r\nproto\r\n"},
		{cmd("FCALL", "past_end", "1", "p2"), "$5\r\nproto\r\n"},
		{cmd("FCALL", "closure", "1", "c1"), "$2\r\nc1\r\n"},
		{cmd("FCALL", "closure", "1", "c2"), "$2\r\nc2\r\n"},
		{cmd("FCALL", "suspended", "1", "a1"), "-ERR the function returned a promise that never settled script: suspended, on @user_function:0.\r\n"},
		{cmd("FCALL", "suspended", "1", "a2"), "-ERR the function returned a promise that never settled script: suspended, on @user_function:0.\r\n"},
		{cmd("FCALL", "resume", "0"), ":6\r\n"},
		{cmd("FCALL", "written", "1", "w1"), ":1\r\n"},
		{cmd("FCALL", "written", "1", "w2"), ":1\r\n"},
		{cmd("FCALL", "truncated", "1", "t1"), ":0\r\n"},
		{cmd("FCALL", "truncated", "1", "t2"), ":0\r\n"},
		{cmd("FCALL", "deleted", "1", "d1"), "$4\r\ngone\r\n"},
		{cmd("FCALL", "deleted", "1", "d2"), "$4\r\ngone\r\n"},
		{cmd("FCALL", "pattern", "1", "q1"), "$1\r\nx\r\n"},
		{cmd("FCALL", "pattern", "1", "q2"), "$1\r\nx\r\n"},
		{cmd("FCALL", "spread", "1", "r1"), ":1\r\n"},
		{cmd("FCALL", "called", "1", "k1"), "$2\r\nk1\r\n"},
		{cmd("FCALL", "args_object", "1", "o1"), "$2\r\no1\r\n"},
		{cmd("FCALL", "args_object", "1", "o2"), "$2\r\no2\r\n"},
		{cmd("FCALL", "shadowed", "1", "h1"), "$2\r\nh1\r\n"},
		// (the written ones are caught by the '9' setter of
		// Array.prototype; truncated and deleted ones would be on their
		// next refill)
		{cmd("FCALL", "check", "0"), "$41\r\ns1|s2|p1|p2|c1|c2|a1|a2|w1|w2|o1|o2|inner\r\n"},
		// EVAL scripts likewise.
		{cmd("EVAL", "#!js\nreturn [KEYS[0], ARGV[1], KEYS.length]", "1", "k1", "a", "b"), "*3\r\n$2\r\nk1\r\n$1\r\nb\r\n:1\r\n"},
		{cmd("EVAL", "#!js\nreturn [KEYS[0], ARGV[1], KEYS.length]", "2", "k2", "k3", "c", "d"), "*3\r\n$2\r\nk2\r\n$1\r\nd\r\n:2\r\n"},
		{cmd("EVAL", "#!js\nreturn [KEYS[0], ARGV[1], KEYS.length]", "1", "k4", "e"), "*3\r\n$2\r\nk4\r\n$-1\r\n:1\r\n"},
	})
}

// Strings of keys and arguments that a script keeps stay what they were,
// whatever later calls bring (they share allocations made per call).
func TestKeptArgumentStrings(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=keep
const kept = [];
redis.registerFunction('remember', (keys, args) => { kept.push(keys[0], args[0], args[1]); return kept.length; });
redis.registerFunction('recall', () => kept.join(','));
`)
	want := ""
	for i := 0; i < 300; i++ {
		k, a, b := strings.Repeat("k", i%20)+strconv.Itoa(i), "é"+strconv.Itoa(i), strings.Repeat("v", i%70)
		do(t, c, "FCALL", "remember", "1", k, a, b)
		if want != "" {
			want += ","
		}
		want += k + "," + a + "," + b
	}
	got := do(t, c, "FCALL", "recall", "0")
	require.Equal(t, "$"+strconv.Itoa(len(want))+"\r\n"+want+"\r\n", got)
}
