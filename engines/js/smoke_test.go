package js_test

import (
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

func TestSmoke(t *testing.T) {
	addr := conformance.StartPolyfn(t)
	c := conformance.Dial(t, addr)
	for _, cmd := range [][]string{
		{"FUNCTION", "LOAD", "#!js name=mylib\nredis.registerFunction('hello', (keys, args) => redis.call('GET', keys[0]))"},
		{"SET", "greeting", "hi"},
		{"FCALL", "hello", "1", "greeting"},
		{"EVAL", "#!js\nreturn [KEYS, ARGV, 1.5, true, null]", "1", "a", "b"},
		{"EVAL", "#!js\nthrow new Error('boom')", "0"},
		{"EVAL", "#!js\n}); (function(){", "0"},
	} {
		args := make([]string, len(cmd))
		copy(args, cmd)
		_, raw, err := c.Do(args...)
		t.Logf("%v -> %q %v", cmd[:1], raw, err)
	}
}
