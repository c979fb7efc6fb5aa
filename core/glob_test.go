package core

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", false}, // as stringmatchlen; KEYS/SCAN special-case "*"
		{"*", "abc", true}, {"a*", "abc", true}, {"a*c", "abc", true},
		{"a*d", "abc", false}, {"h?llo", "hello", true}, {"h?llo", "hllo", false},
		{"h[ae]llo", "hallo", true}, {"h[ae]llo", "hillo", false}, {"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false}, {"h[a-b]llo", "hbllo", true}, {"h[b-a]llo", "hallo", true},
		{"h\\*llo", "h*llo", true}, {"h\\*llo", "hallo", false}, {"", "", true}, {"", "a", false},
		{"a**", "a", true}, {"*a*b*", "xaxxbx", true}, {"[abc", "a", true}, {"user:*", "user:1", true},
		{"a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, c := range cases {
		if got := Match(c.p, c.s, false); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
	if !Match("HeLLo", "hello", true) {
		t.Error("nocase")
	}
}
