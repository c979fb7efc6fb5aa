package js_test

import (
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// Tests talk to a real server through a real client, as users do.

type step struct {
	args []string
	want string // the raw reply bytes
}

// server starts polyfn and returns a client connection.
func server(t *testing.T, args ...string) *conformance.Client {
	t.Helper()
	return conformance.Dial(t, conformance.StartPolyfn(t, args...))
}

// do runs a command and returns its raw reply.
func do(t *testing.T, c *conformance.Client, args ...string) string {
	t.Helper()
	_, raw, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return string(raw)
}

// load loads a library, failing the test when it does not load.
func load(t *testing.T, c *conformance.Client, code string) {
	t.Helper()
	if got := do(t, c, "FUNCTION", "LOAD", code); got[0] != '$' {
		t.Fatalf("FUNCTION LOAD: %q", got)
	}
}

// run plays steps, checking every reply.
func run(t *testing.T, c *conformance.Client, steps []step) {
	t.Helper()
	for _, s := range steps {
		if got := do(t, c, s.args...); got != s.want {
			t.Errorf("%q:\n got  %q\n want %q", s.args, got, s.want)
		}
	}
}

func cmd(args ...string) []string { return args }
