// Package examples_test loads each example library into a real server and
// checks what it does through a client, as a user would.
package examples_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/conformance"
)

type step struct {
	args []string
	want string // the raw RESP2 reply
}

func cmd(args ...string) []string { return args }

// serverWith starts polyfn, loads the example file and returns a client.
func serverWith(t *testing.T, file string) *conformance.Client {
	t.Helper()
	code, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := conformance.Dial(t, conformance.StartPolyfn(t))
	if got := do(t, c, "FUNCTION", "LOAD", string(code)); !strings.HasPrefix(got, "$") {
		t.Fatalf("FUNCTION LOAD %s: %q", file, got)
	}
	return c
}

func do(t *testing.T, c *conformance.Client, args ...string) string {
	t.Helper()
	_, raw, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return string(raw)
}

func run(t *testing.T, c *conformance.Client, steps []step) {
	t.Helper()
	for _, s := range steps {
		if got := do(t, c, s.args...); got != s.want {
			t.Errorf("%q:\n got  %q\n want %q", s.args, got, s.want)
		}
	}
}

// bulk is a RESP2 bulk string.
func bulk(s string) string { return "$" + itoa(len(s)) + "\r\n" + s + "\r\n" }

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// limiter is a ratelimit reply: {allowed, remaining, retry_after_ms} as a
// RESP2 flat map, with retry_after_ms left to the caller.
func limiter(allowed, remaining int, retry string) string {
	return "*6\r\n" + bulk("allowed") + ":" + itoa(allowed) + "\r\n" + bulk("remaining") + ":" + itoa(remaining) + "\r\n" +
		bulk("retry_after_ms") + retry
}

func TestRateLimit(t *testing.T) {
	c := serverWith(t, "ratelimit.js")
	run(t, c, []step{
		{cmd("FCALL_RO", "ratelimit_peek", "1", "rl:ann", "3", "300"), limiter(1, 3, ":0\r\n")},
		{cmd("FCALL", "ratelimit_hit", "1", "rl:ann", "3", "300"), limiter(1, 2, ":0\r\n")},
		{cmd("FCALL", "ratelimit_hit", "1", "rl:ann", "3", "300"), limiter(1, 1, ":0\r\n")},
		{cmd("FCALL", "ratelimit_hit", "1", "rl:ann", "3", "300"), limiter(1, 0, ":0\r\n")},
		{cmd("ZCARD", "rl:ann"), ":3\r\n"},
		// Another key has its own window.
		{cmd("FCALL", "ratelimit_hit", "1", "rl:bob", "3", "300"), limiter(1, 2, ":0\r\n")},
		{cmd("FCALL", "ratelimit_hit", "1", "rl:ann", "0", "300"), "-ERR limit and window must be positive integers script: ratelimit_hit, on @user_function:22.\r\n"},
	})
	// The fourth hit is refused, with the time until a slot frees.
	got := do(t, c, "FCALL", "ratelimit_hit", "1", "rl:ann", "3", "300")
	if !strings.HasPrefix(got, limiter(0, 0, ":")) || got == limiter(0, 0, ":0\r\n") {
		t.Errorf("fourth hit: %q", got)
	}
	if ttl := do(t, c, "PTTL", "rl:ann"); ttl == ":-1\r\n" || ttl == ":-2\r\n" {
		t.Errorf("the window key has no TTL: %s", ttl)
	}
	// Once the window has passed, hits are allowed again and the key expires.
	time.Sleep(350 * time.Millisecond)
	run(t, c, []step{
		{cmd("EXISTS", "rl:ann"), ":0\r\n"},
		{cmd("FCALL", "ratelimit_hit", "1", "rl:ann", "3", "300"), limiter(1, 2, ":0\r\n")},
	})
}

func TestJSONDoc(t *testing.T) {
	c := serverWith(t, "jsondoc.js")
	run(t, c, []step{
		{cmd("FCALL", "doc_set", "1", "user:1", `{ "name": "Ann", "tags": ["a"], "address": {"city": "Oslo", "zip": "0150"} }`),
			bulk(`{"name":"Ann","tags":["a"],"address":{"city":"Oslo","zip":"0150"}}`)},
		{cmd("EXPIRE", "user:1", "100"), ":1\r\n"},
		// Merge: replace a value, add a key, delete a nested key, replace an array.
		{cmd("FCALL", "doc_merge", "1", "user:1", `{"name": "Anna", "age": 31, "address": {"zip": null}, "tags": ["b", "c"]}`),
			bulk(`{"name":"Anna","tags":["b","c"],"address":{"city":"Oslo"},"age":31}`)},
		{cmd("GET", "user:1"), bulk(`{"name":"Anna","tags":["b","c"],"address":{"city":"Oslo"},"age":31}`)},
		{cmd("TTL", "user:1"), ":100\r\n"}, // the update keeps the TTL
		{cmd("FCALL_RO", "doc_get", "1", "user:1", "address.city"), bulk(`"Oslo"`)},
		{cmd("FCALL_RO", "doc_get", "1", "user:1", "tags.1"), bulk(`"c"`)},
		{cmd("FCALL_RO", "doc_get", "1", "user:1", "address.nothing"), "$-1\r\n"},
		{cmd("FCALL_RO", "doc_get", "1", "user:1"), bulk(`{"name":"Anna","tags":["b","c"],"address":{"city":"Oslo"},"age":31}`)},
		// A merge into a missing key creates the document.
		{cmd("FCALL", "doc_merge", "1", "user:2", `{"name": "Bob", "x": null}`), bulk(`{"name":"Bob"}`)},
		{cmd("FCALL_RO", "doc_get", "1", "user:3"), "$-1\r\n"},
	})
	// An invalid patch changes nothing.
	got := do(t, c, "FCALL", "doc_merge", "1", "user:1", `{"name": `)
	if !strings.HasPrefix(got, "-ERR the patch is not valid JSON: ") {
		t.Errorf("invalid patch: %q", got)
	}
	run(t, c, []step{
		{cmd("GET", "user:1"), bulk(`{"name":"Anna","tags":["b","c"],"address":{"city":"Oslo"},"age":31}`)},
		{cmd("SET", "plain", "not json"), "+OK\r\n"},
	})
	if got := do(t, c, "FCALL", "doc_merge", "1", "plain", `{}`); !strings.HasPrefix(got, "-ERR the stored document is not valid JSON") {
		t.Errorf("merge into a non-JSON value: %q", got)
	}
}

// The JavaScript and TypeScript leaderboards answer the same.
func TestLeaderboard(t *testing.T) {
	for _, file := range []string{"leaderboard.js", "leaderboard.ts"} {
		t.Run(file, func(t *testing.T) {
			c := serverWith(t, file)
			entry := func(member string, score, rank int) string {
				return "*6\r\n" + bulk("member") + bulk(member) + bulk("score") + ":" + itoa(score) + "\r\n" + bulk("rank") + ":" + itoa(rank) + "\r\n"
			}
			ranked := func(rank int, member string, score int) string {
				return "*6\r\n" + bulk("rank") + ":" + itoa(rank) + "\r\n" + bulk("member") + bulk(member) + bulk("score") + ":" + itoa(score) + "\r\n"
			}
			run(t, c, []step{
				{cmd("FCALL", "lb_add", "1", "lb", "ann", "10"), entry("ann", 10, 1)},
				{cmd("FCALL", "lb_add", "1", "lb", "bob", "20"), entry("bob", 20, 1)},
				{cmd("FCALL", "lb_add", "1", "lb", "cat", "5"), entry("cat", 5, 3)},
				{cmd("FCALL", "lb_add", "1", "lb", "ann", "15"), entry("ann", 25, 1)},
				{cmd("FCALL", "lb_add", "1", "lb", "dan", "1"), entry("dan", 1, 4)},
				{cmd("FCALL_RO", "lb_top", "1", "lb", "2"), "*2\r\n" + ranked(1, "ann", 25) + ranked(2, "bob", 20)},
				{cmd("FCALL_RO", "lb_top", "1", "lb", "10"), "*4\r\n" + ranked(1, "ann", 25) + ranked(2, "bob", 20) + ranked(3, "cat", 5) + ranked(4, "dan", 1)},
				{cmd("FCALL_RO", "lb_around", "1", "lb", "cat", "1"), "*3\r\n" + ranked(2, "bob", 20) + ranked(3, "cat", 5) + ranked(4, "dan", 1)},
				{cmd("FCALL_RO", "lb_around", "1", "lb", "nobody", "1"), "*0\r\n"},
				{cmd("FCALL_RO", "lb_get", "1", "lb", "bob"), entry("bob", 20, 2)},
				{cmd("FCALL_RO", "lb_get", "1", "lb", "nobody"), "$-1\r\n"},
				{cmd("ZSCORE", "lb", "ann"), bulk("25")},
			})
			if got := do(t, c, "FCALL", "lb_add", "1", "lb", "ann", "lots"); !strings.HasPrefix(got, "-ERR points must be a number script: lb_add") {
				t.Errorf("bad points: %q", got)
			}
			if got := do(t, c, "FCALL_RO", "lb_top", "1", "lb", "0"); !strings.HasPrefix(got, "-ERR count must be a positive integer script: lb_top") {
				t.Errorf("bad count: %q", got)
			}
		})
	}
}
