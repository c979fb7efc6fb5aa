package js_test

import (
	"bytes"
	"math/rand"
	"testing"
	"unicode/utf8"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
)

// Every byte string round-trips unchanged: as a key and an argument,
// through redis.call (SET, GET) and back as the reply, for FCALL and EVAL.
func TestBinaryRoundTrip(t *testing.T) {
	c := server(t)
	load(t, c, `#!js name=bin
redis.registerFunction('rt', (keys, args) => {
  redis.call('SET', keys[0], args[0]);
  const v = redis.call('GET', keys[0]);
  return [v, args[0], keys[0], typeof v === 'string' ? 'string' : v.constructor.name];
});`)
	evalBody := "#!js\nredis.call('SET', KEYS[0], ARGV[0]); return [redis.call('GET', KEYS[0]), ARGV[0], KEYS[0]];"
	samples := [][]byte{{}, []byte("plain"), []byte("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80")}
	for b := 0; b < 256; b++ {
		samples = append(samples, []byte{byte(b)}, []byte{'a', byte(b), 'z'})
	}
	samples = append(samples,
		[]byte("\xed\xa0\x80"),     // an encoded surrogate: not valid UTF-8
		[]byte("\xc0\xaf"),         // overlong
		[]byte("\xf4\x90\x80\x80"), // past U+10FFFF
		[]byte("\xe2\x82"),         // truncated
		[]byte("\x00\x00\x00"),
	)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		b := make([]byte, rng.Intn(64))
		rng.Read(b)
		samples = append(samples, b)
	}
	for _, s := range samples {
		v := call(t, c, "FCALL", "rt", "1", string(s), string(s))
		for i := 0; i < 3; i++ {
			if !bytes.Equal(v.Elems[i].Str, s) {
				t.Fatalf("FCALL %q: element %d is %q", s, i, v.Elems[i].Str)
			}
		}
		want := "string"
		if !utf8.Valid(s) {
			want = "Uint8Array"
		}
		if got := string(v.Elems[3].Str); got != want {
			t.Errorf("%q arrives as %s, want %s", s, got, want)
		}
		v = call(t, c, "EVAL", evalBody, "1", string(s), string(s))
		for i := 0; i < 3; i++ {
			if !bytes.Equal(v.Elems[i].Str, s) {
				t.Fatalf("EVAL %q: element %d is %q", s, i, v.Elems[i].Str)
			}
		}
	}
}

func call(t *testing.T, c *conformance.Client, args ...string) core.Value {
	t.Helper()
	v, raw, err := c.Do(args...)
	if err != nil || v.Kind != core.VArray {
		t.Fatalf("%q: %q %v", args, raw, err)
	}
	return v
}
