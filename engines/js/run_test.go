package js_test

import (
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/conformance"
)

// A running script stops on SCRIPT KILL / FUNCTION KILL however it
// loops: try/catch/finally cannot swallow the kill, and the realm works
// afterwards.
func TestKillTightLoops(t *testing.T) {
	addr := conformance.StartPolyfn(t, "--busy-reply-threshold", "100")
	c := conformance.Dial(t, addr)
	other := conformance.Dial(t, addr)
	load(t, c, `#!js name=loops
redis.registerFunction('spin', () => { for (;;) {} });
redis.registerFunction('swallow', () => {
  for (;;) { try { while (true) {} } catch (e) { } finally { continue; } }
});
redis.registerFunction('async_spin', async () => { await null; while (true) {} });
redis.registerFunction('recurse_catch', () => {
  const f = () => { try { for (;;) {} } catch (e) { return f(); } };
  return f();
});
redis.registerFunction('ok', () => 'alive');`)
	kill := func(what string, args ...string) {
		t.Helper()
		if err := c.Send(args...); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			if got := do(t, other, what, "KILL"); got == "+OK\r\n" {
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("%s KILL: %q", what, got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, raw, err := c.Read()
		if err != nil || !strings.HasPrefix(string(raw), "-ERR Script killed by user with") {
			t.Fatalf("%q: %q %v", args, raw, err)
		}
	}
	for _, fn := range []string{"spin", "swallow", "async_spin", "recurse_catch"} {
		kill("FUNCTION", "FCALL", fn, "0")
		run(t, c, []step{{cmd("FCALL", "ok", "0"), "$5\r\nalive\r\n"}})
	}
	kill("SCRIPT", "EVAL", "#!js\nwhile (true) { try { for (;;) {} } catch (e) {} }", "0")
	run(t, c, []step{{cmd("EVAL", "#!js\nreturn 'alive'", "0"), "$5\r\nalive\r\n"}})
}

// A library whose top-level code does not finish is stopped by the load
// timeout.
func TestLoadTimeout(t *testing.T) {
	c := server(t)
	start := time.Now()
	run(t, c, []step{
		{cmd("FUNCTION", "LOAD", "#!js name=slow\nwhile (true) { try { for (;;) {} } catch (e) {} }"), "-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n"},
		{cmd("FUNCTION", "LOAD", "#!js name=fine\nredis.registerFunction('f', () => 1)"), "$4\r\nfine\r\n"},
		{cmd("FCALL", "f", "0"), ":1\r\n"},
	})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("load timeout took %v", d)
	}
}

// Deep recursion ends the run with an error; the server and the realm
// stay up.
func TestDeepRecursion(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=deep
redis.registerFunction('deep', () => { const f = (n) => f(n + 1) + 1; return f(0); });
redis.registerFunction('deep_catch', () => { const f = (n) => { try { return f(n + 1); } catch (e) { return 'caught'; } }; return f(0); });
redis.registerFunction('deep_native', () => { const f = (a) => a.map(() => f(a)); return f([1]); });
redis.registerFunction('deep_json', () => { let a = []; for (let i = 0; i < 1000; i++) a = [a]; return JSON.stringify(a).length; });
redis.registerFunction('ok', () => 'alive');`)
	for _, fn := range []string{"deep", "deep_catch", "deep_native"} {
		if got := do(t, c, "FCALL", fn, "0"); !strings.HasPrefix(got, "-ERR Maximum call stack size exceeded script: "+fn) {
			t.Errorf("FCALL %s: %q", fn, got)
		}
		run(t, c, []step{{cmd("FCALL", "ok", "0"), "$5\r\nalive\r\n"}})
	}
	run(t, c, []step{{cmd("FCALL", "deep_json", "0"), ":2002\r\n"}})
}

// Async callbacks and returned promises are awaited before the reply.
func TestAsync(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=async
redis.registerFunction('a_get', async (keys) => {
  const v = await Promise.resolve(redis.call('GET', keys[0]));
  await null;
  return v + '!';
});
redis.registerFunction('a_chain', (keys) => Promise.resolve(1).then((x) => x + 1).then((x) => [x, redis.call('INCR', keys[0])]));
redis.registerFunction('a_reject', async () => { await null; throw new Error('MYERR async failure'); });
redis.registerFunction('a_call_fail', async (keys) => { await null; return redis.call('INCR', keys[0]); });
redis.registerFunction('a_never', () => new Promise(() => {}));
redis.registerFunction('a_all', async (keys) => (await Promise.all([1, 2].map(async (n) => n * 10))).concat([redis.call('GET', keys[0])]));`)
	run(t, c, []step{
		{cmd("SET", "k", "v"), "+OK\r\n"},
		{cmd("FCALL", "a_get", "1", "k"), "$2\r\nv!\r\n"},
		{cmd("FCALL", "a_chain", "1", "n"), "*2\r\n:2\r\n:1\r\n"},
		{cmd("FCALL", "a_reject", "0"), "-MYERR async failure script: a_reject, on @user_function:8.\r\n"},
		{cmd("FCALL", "a_call_fail", "1", "k"), "-ERR value is not an integer or out of range script: a_call_fail, on @user_function:9.\r\n"},
		{cmd("FCALL", "a_never", "0"), "-ERR the function returned a promise that never settled script: a_never, on @user_function:0.\r\n"},
		{cmd("FCALL", "a_all", "1", "k"), "*3\r\n:10\r\n:20\r\n$1\r\nv\r\n"},
		{cmd("EVAL", "#!js\nreturn (async () => { await null; return redis.call('GET', KEYS[0]); })()", "1", "k"), "$1\r\nv\r\n"},
	})
}

// The rest of the redis object. A want ending in "script: " is a prefix.
func TestAPI(t *testing.T) {
	c := server(t)
	for _, s := range []step{
		{cmd("EVAL", "#!js\nreturn [redis.sha1hex('abc'), redis.sha1hex(''), redis.REDIS_VERSION, redis.REDIS_VERSION_NUM > 0x070000]", "0"),
			"*4\r\n$40\r\na9993e364706816aba3e25717850c26c9cd0d89d\r\n$40\r\nda39a3ee5e6b4b0d3255bfef95601890afd80709\r\n$6\r\n7.0.15\r\n:1\r\n"},
		{cmd("EVAL", "#!js\nreturn [redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING, redis.REPL_NONE, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_ALL]", "0"),
			"*9\r\n:0\r\n:1\r\n:2\r\n:3\r\n:0\r\n:1\r\n:2\r\n:2\r\n:3\r\n"},
		{cmd("EVAL", "#!js\nredis.log(redis.LOG_WARNING, 'from', 'js', 1); return 1", "0"), ":1\r\n"},
		{cmd("EVAL", "#!js\nredis.log('x', 'y')", "0"), "-ERR First argument must be a number (log level). script: "},
		{cmd("EVAL", "#!js\nredis.setRepl(redis.REPL_ALL); return 1", "0"), ":1\r\n"},
		{cmd("EVAL", "#!js\nredis.setRepl(42)", "0"), "-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: "},
		{cmd("EVAL", "#!js\nreturn [redis.aclCheckCmd('GET', 'k'), redis.aclCheckCmd('SET', 'k', 'v')]", "0"), "*2\r\n:1\r\n:1\r\n"},
		{cmd("EVAL", "#!js\nreturn redis.aclCheckCmd('NOSUCH')", "0"), "-ERR Invalid command passed to redis.acl_check_cmd() script: "},
		{cmd("EVAL", "#!js\nreturn redis.setResp(4)", "0"), "-ERR RESP version must be 2 or 3. script: "},
		{cmd("EVAL", "#!js\nreturn redis.pcall('NOSUCH') instanceof Error", "0"), ":1\r\n"},
		{cmd("EVAL", "#!js\nreturn redis.call('SET', 'x', true)", "0"), "-ERR redis.call arguments must be strings, numbers, BigInts, Uint8Arrays or ArrayBuffers script: "},
		{cmd("EVAL", "#!js flags=no-writes\nreturn redis.call('SET', 'x', 1)", "0"), "-ERR Write commands are not allowed from read-only scripts. script: "},
		{cmd("EVAL_RO", "#!js\nreturn redis.call('GET', 'x')", "0"), "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{cmd("EVAL", "#!js\nthrow new Error('with code? no')", "0"), "-ERR with code? no script: "},
		{cmd("EVAL", "#!js\nthrow new Error('NOPE it failed')", "0"), "-NOPE it failed script: "},
		{cmd("EVAL", "#!js\nthrow 42", "0"), "-ERR 42 script: "},
		{cmd("EVAL", "#!js\nthrow redis.errorReply('lower case')", "0"), "-lower case script: "},
	} {
		got := do(t, c, s.args...)
		if got != s.want && !(strings.HasSuffix(s.want, "script: ") && strings.HasPrefix(got, s.want)) {
			t.Errorf("%q:\n got  %q\n want %q", s.args, got, s.want)
		}
	}
}
