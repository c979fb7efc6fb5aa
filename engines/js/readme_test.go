package js_test

import "testing"

// The examples of README.md work as written there.
func TestReadmeExamples(t *testing.T) {
	c := server(t)
	load(t, c, "#!js name=mylib\nredis.registerFunction('hello', (keys, args) => redis.call('GET', keys[0]))")
	load(t, c, `#!js name=counters
const PREFIX = 'counter:';                       // helpers and constants are fine
function key(k) { return PREFIX + k; }

redis.registerFunction('incr', (keys, args) => redis.call('INCRBY', key(keys[0]), args[0] ?? 1));

redis.registerFunction({
  name: 'peek',
  callback: (keys) => redis.call('GET', key(keys[0])),
  flags: ['no-writes'],                          // Redis's flag names
  description: 'read a counter',
});`)
	load(t, c, `#!js name=async
redis.registerFunction('both', async (keys) => {
  const [a, b] = await Promise.all(keys.map(async (k) => redis.call('GET', k)));
  return [a, b];
});`)
	run(t, c, []step{
		{cmd("SET", "greeting", "hi"), "+OK\r\n"},
		{cmd("FCALL", "hello", "1", "greeting"), "$2\r\nhi\r\n"},
		{cmd("EVAL", "#!js\nreturn redis.call('GET', KEYS[0]) ?? 'none'", "1", "greeting"), "$2\r\nhi\r\n"},
		{cmd("EVAL", "#!js\nreturn redis.call('GET', KEYS[0]) ?? 'none'", "1", "nokey"), "$4\r\nnone\r\n"},
		{cmd("EVAL", "#!js flags=no-writes\nreturn ARGV.length", "0", "a", "b", "c"), ":3\r\n"},
		{cmd("FCALL", "incr", "1", "a"), ":1\r\n"},
		{cmd("FCALL", "incr", "1", "a", "5"), ":6\r\n"},
		{cmd("FCALL_RO", "peek", "1", "a"), "$1\r\n6\r\n"},
		{cmd("FCALL", "both", "2", "greeting", "nokey"), "*2\r\n$2\r\nhi\r\n$-1\r\n"},
		{cmd("FCALL", "incr", "1", "a", "x"), "-ERR value is not an integer or out of range script: incr, on @user_function:5.\r\n"},
	})
}
