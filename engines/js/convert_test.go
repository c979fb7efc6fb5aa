package js_test

import (
	"testing"
)

const convLib = `#!js name=conv
redis.registerFunction('ret', (keys, args) => {
  const values = {
    int: 42, negzero: -0, float: 0.5, nan: NaN, inf: Infinity, big: 12345678901234567890n,
    str: 'héllo', empty: '', nul: null, undef: undefined, t: true, f: false,
    arr: [1, [2, ['x']], null], obj: {b: 1, a: 'two'}, map: new Map([[1, 'one'], ['k', [2]]]),
    set: new Set(['s']), bytes: new Uint8Array([0, 255, 10]), buf: new Uint8Array([104, 105]).buffer,
    status: redis.statusReply('FINE'), err: redis.errorReply('MYERR x'), plainerr: new Error('oops'),
    typeerr: new TypeError('bad'), fn: () => 1, cyclic: (() => { const a = []; a.push(a); return a; })(),
    getter: {get boom() { throw new Error('from getter'); }},
  };
  return values[args[0]];
});
redis.registerFunction('ret3', (keys, args) => { redis.setResp(3); return [true, false, null]; });
redis.registerFunction('see', (keys, args) => {
  if (args[0] === '3') redis.setResp(3);
  const v = redis.call(...args.slice(1));
  const describe = (x) => x === null ? 'null' : x instanceof Map ? 'Map' : x instanceof Set ? 'Set' :
    x instanceof Uint8Array ? 'Uint8Array' : Array.isArray(x) ? 'Array' : x instanceof Error ? 'Error' : typeof x;
  return [describe(v), String(v)];
});
redis.registerFunction('status', (keys) => {
  const r = redis.call('SET', keys[0], 'v');
  return [r.ok, String(r), r == 'OK' ? 'loose-equal' : 'differs', r === 'OK' ? 'strict-equal' : 'object'];
});
redis.registerFunction('passthrough', (keys) => redis.call('SET', keys[0], 'v'));
redis.registerFunction('catch_type', (keys) => {
  try { redis.call('INCR', keys[0]); } catch (e) { return [e instanceof Error ? 'Error' : typeof e, e.name, e.message]; }
});
redis.registerFunction('pcall_err', (keys) => {
  const e = redis.pcall('INCR', keys[0]);
  return [e instanceof Error ? 'Error' : typeof e, e.message];
});
redis.registerFunction('args', (keys, args) => {
  redis.call('SET', keys[0], 1.5);
  redis.call('SET', keys[1], 10n ** 20n);
  redis.call('SET', keys[2], new Uint8Array([1, 2]));
  return [redis.call('GET', keys[0]), redis.call('GET', keys[1]), redis.call('STRLEN', keys[2])];
});
`

// Conversions of returned values into replies, in RESP2 and RESP3.
func TestReturnConversions(t *testing.T) {
	for _, resp3 := range []bool{false, true} {
		c := server(t)
		load(t, c, convLib)
		pick := func(r2, r3 string) string {
			if resp3 {
				return r3
			}
			return r2
		}
		if resp3 {
			do(t, c, "HELLO", "3")
		}
		run(t, c, []step{
			{cmd("FCALL", "ret", "0", "int"), ":42\r\n"},
			{cmd("FCALL", "ret", "0", "negzero"), ":0\r\n"},
			{cmd("FCALL", "ret", "0", "float"), pick("$3\r\n0.5\r\n", ",0.5\r\n")},
			{cmd("FCALL", "ret", "0", "nan"), pick("$3\r\nnan\r\n", ",nan\r\n")},
			{cmd("FCALL", "ret", "0", "inf"), pick("$3\r\ninf\r\n", ",inf\r\n")},
			{cmd("FCALL", "ret", "0", "big"), pick("$20\r\n12345678901234567890\r\n", "(12345678901234567890\r\n")},
			{cmd("FCALL", "ret", "0", "str"), "$6\r\nh\xc3\xa9llo\r\n"},
			{cmd("FCALL", "ret", "0", "empty"), "$0\r\n\r\n"},
			{cmd("FCALL", "ret", "0", "nul"), pick("$-1\r\n", "_\r\n")},
			{cmd("FCALL", "ret", "0", "undef"), pick("$-1\r\n", "_\r\n")},
			{cmd("FCALL", "ret", "0", "t"), ":1\r\n"},
			{cmd("FCALL", "ret", "0", "f"), pick("$-1\r\n", "_\r\n")},
			{cmd("FCALL", "ret", "0", "arr"), pick("*3\r\n:1\r\n*2\r\n:2\r\n*1\r\n$1\r\nx\r\n$-1\r\n", "*3\r\n:1\r\n*2\r\n:2\r\n*1\r\n$1\r\nx\r\n_\r\n")},
			{cmd("FCALL", "ret", "0", "obj"), pick("*4\r\n$1\r\nb\r\n:1\r\n$1\r\na\r\n$3\r\ntwo\r\n", "%2\r\n$1\r\nb\r\n:1\r\n$1\r\na\r\n$3\r\ntwo\r\n")},
			{cmd("FCALL", "ret", "0", "map"), pick("*4\r\n:1\r\n$3\r\none\r\n$1\r\nk\r\n*1\r\n:2\r\n", "%2\r\n:1\r\n$3\r\none\r\n$1\r\nk\r\n*1\r\n:2\r\n")},
			{cmd("FCALL", "ret", "0", "set"), pick("*1\r\n$1\r\ns\r\n", "~1\r\n$1\r\ns\r\n")},
			{cmd("FCALL", "ret", "0", "bytes"), "$3\r\n\x00\xff\n\r\n"},
			{cmd("FCALL", "ret", "0", "buf"), "$2\r\nhi\r\n"},
			{cmd("FCALL", "ret", "0", "status"), "+FINE\r\n"},
			{cmd("FCALL", "ret", "0", "err"), "-MYERR x\r\n"},
			{cmd("FCALL", "ret", "0", "plainerr"), "-ERR oops\r\n"},
			{cmd("FCALL", "ret", "0", "typeerr"), "-ERR TypeError: bad\r\n"},
			{cmd("FCALL", "ret", "0", "fn"), "-ERR cannot convert a function to a reply\r\n"},
			{cmd("FCALL", "ret", "0", "getter"), "-ERR from getter script: ret, on @user_function:10.\r\n"},
			{cmd("FCALL", "ret3", "0"), pick("*3\r\n:1\r\n:0\r\n$-1\r\n", "*3\r\n#t\r\n#f\r\n_\r\n")},
			{cmd("FCALL", "status", "1", "k"), "*4\r\n$2\r\nOK\r\n$2\r\nOK\r\n$11\r\nloose-equal\r\n$6\r\nobject\r\n"},
			{cmd("FCALL", "passthrough", "1", "k"), "+OK\r\n"},
			{cmd("FCALL", "catch_type", "1", "k"), "*3\r\n$5\r\nError\r\n$10\r\nReplyError\r\n$43\r\nERR value is not an integer or out of range\r\n"},
			{cmd("FCALL", "pcall_err", "1", "k"), "*2\r\n$5\r\nError\r\n$43\r\nERR value is not an integer or out of range\r\n"},
			{cmd("FCALL", "args", "3", "a", "b", "c"), "*3\r\n$3\r\n1.5\r\n$21\r\n100000000000000000000\r\n:2\r\n"},
		})
		run(t, c, []step{{cmd("FCALL", "ret", "0", "cyclic"), "-ERR reply nested too deeply script: ret, on @user_function:0.\r\n"}})
	}
}

// Command replies as the function sees them.
func TestCommandReplyConversions(t *testing.T) {
	c := server(t)
	load(t, c, convLib)
	run(t, c, []step{
		{cmd("HSET", "h", "f", "v"), ":1\r\n"},
		{cmd("SADD", "s", "m"), ":1\r\n"},
		{cmd("SET", "n", "9007199254740993"), "+OK\r\n"},
		{cmd("FCALL", "see", "0", "2", "HGETALL", "h"), "*2\r\n$5\r\nArray\r\n$3\r\nf,v\r\n"},
		{cmd("FCALL", "see", "0", "3", "HGETALL", "h"), "*2\r\n$3\r\nMap\r\n$12\r\n[object Map]\r\n"},
		{cmd("FCALL", "see", "0", "3", "SMEMBERS", "s"), "*2\r\n$3\r\nSet\r\n$12\r\n[object Set]\r\n"},
		{cmd("FCALL", "see", "0", "2", "GET", "nosuch"), "*2\r\n$4\r\nnull\r\n$4\r\nnull\r\n"},
		{cmd("FCALL", "see", "0", "3", "GET", "nosuch"), "*2\r\n$4\r\nnull\r\n$4\r\nnull\r\n"},
		{cmd("FCALL", "see", "0", "2", "INCR", "n"), "*2\r\n$6\r\nbigint\r\n$16\r\n9007199254740994\r\n"},
		{cmd("FCALL", "see", "0", "2", "INCR", "counter"), "*2\r\n$6\r\nnumber\r\n$1\r\n1\r\n"},
		{cmd("FCALL", "see", "0", "3", "ZADD", "z", "1.5", "m"), "*2\r\n$6\r\nnumber\r\n$1\r\n1\r\n"},
		{cmd("FCALL", "see", "0", "3", "ZSCORE", "z", "m"), "*2\r\n$6\r\nnumber\r\n$3\r\n1.5\r\n"},
		{cmd("FCALL", "see", "0", "2", "ZSCORE", "z", "m"), "*2\r\n$6\r\nstring\r\n$3\r\n1.5\r\n"},
		{cmd("FCALL", "see", "0", "2", "SET", "k", "v"), "*2\r\n$6\r\nobject\r\n$2\r\nOK\r\n"},
		{cmd("FCALL", "see", "0", "2", "SET", "k", "\xff"), "*2\r\n$6\r\nobject\r\n$2\r\nOK\r\n"},
		{cmd("FCALL", "see", "0", "2", "GET", "k"), "*2\r\n$10\r\nUint8Array\r\n$3\r\n255\r\n"},
	})
}

// A status reply has its own ok even when a library put a setter for
// "ok" on Object.prototype, which is not called.
func TestStatusIgnoresPrototypeSetter(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=status
let calls = 0;
Object.defineProperty(Object.prototype, 'ok', {set(v) { calls++; }, configurable: true});
redis.registerFunction('set', (keys) => redis.call('SET', keys[0], 'v'));
redis.registerFunction('status', () => redis.statusReply('FINE'));
redis.registerFunction('shape', (keys) => { const r = redis.call('SET', keys[0], 'v'); return [Object.keys(r).join(), JSON.stringify(r), String(r), calls]; });
`)
	run(t, c, []step{
		{cmd("FCALL", "set", "1", "k"), "+OK\r\n"},
		{cmd("FCALL", "status", "0"), "+FINE\r\n"},
		{cmd("FCALL", "shape", "1", "k"), "*4\r\n$2\r\nok\r\n$11\r\n{\"ok\":\"OK\"}\r\n$2\r\nOK\r\n:0\r\n"},
	})
}
