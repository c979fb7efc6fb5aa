package js_test

import "testing"

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
