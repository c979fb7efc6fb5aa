package lua

import (
	"regexp"
	"strings"
)

// Runtime error messages. gopher-lua words them its own way; Redis users
// see Lua 5.1's. luaMessage rewrites the frequent ones into Lua 5.1's
// anonymous form ("attempt to index a nil value"). Lua 5.1 names the
// variable when it can ("local 't'", "global 'x'", "field 'f'"), which
// needs its bytecode analysis: that part still differs (DIFFERENCES.md).

var (
	reIndex  = regexp.MustCompile(`attempt to index a non-table object\((\w+)\) with key '.*'$`)
	reArith  = regexp.MustCompile(`cannot perform (\w+) operation between (\w+) and (\w+)$`)
	reForErr = regexp.MustCompile(`for statement (init|limit|step) must be a number$`)
	reCmp    = regexp.MustCompile(`attempt to compare (\w+) with (\w+)$`)
)

// luaMessage translates a runtime error message (with or without its
// "chunk:line: " prefix).
func luaMessage(msg string) string {
	if !strings.Contains(msg, "attempt to") && !strings.Contains(msg, "cannot perform") && !strings.Contains(msg, "for statement") {
		return msg
	}
	if m := reIndex.FindStringSubmatchIndex(msg); m != nil {
		return msg[:m[0]] + "attempt to index a " + msg[m[2]:m[3]] + " value"
	}
	if m := reArith.FindStringSubmatchIndex(msg); m != nil {
		op, a, b := msg[m[2]:m[3]], msg[m[4]:m[5]], msg[m[6]:m[7]]
		// Lua blames the first operand that is not a number (concat: not
		// a string or number).
		bad := a
		if a == "number" || op == "concat" && a == "string" {
			bad = b
		}
		if op == "concat" {
			return msg[:m[0]] + "attempt to concatenate a " + bad + " value"
		}
		return msg[:m[0]] + "attempt to perform arithmetic on a " + bad + " value"
	}
	if m := reCmp.FindStringSubmatchIndex(msg); m != nil && msg[m[2]:m[3]] == msg[m[4]:m[5]] {
		return msg[:m[0]] + "attempt to compare two " + msg[m[2]:m[3]] + " values"
	}
	if i := strings.Index(msg, "attempt to call a non-function object"); i >= 0 {
		return msg[:i] + "attempt to call a nil value"
	}
	if m := reForErr.FindStringSubmatchIndex(msg); m != nil {
		what := map[string]string{"init": "initial value", "limit": "limit", "step": "step"}[msg[m[2]:m[3]]]
		return msg[:m[0]] + "'for' " + what + " must be a number"
	}
	return msg
}
