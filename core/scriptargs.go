package core

import "strings"

// Engines hand a call's keys and arguments to their language as strings.
// JoinArgs and CutArg let them do it with one allocation for all of them
// instead of one each: JoinArgs makes the joined string, and CutArg takes
// each item's string off its front, in order.

// joinArgsMax bounds JoinArgs: past it each item gets its own string, so
// that a script keeping one small argument does not keep a large one
// alive.
const joinArgsMax = 4096

// JoinArgs returns the bytes of every item of lists, one after the other,
// as one string. It returns "" (CutArg then reports every item missing)
// past joinArgsMax bytes, and when fewer than two items would cost an
// allocation (Go's strings of one byte cost none).
func JoinArgs(lists ...[][]byte) string {
	n, costly := 0, 0
	for _, l := range lists {
		for _, b := range l {
			n += len(b)
			if len(b) > 1 {
				costly++
			}
		}
	}
	if n > joinArgsMax || costly < 2 {
		return ""
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, l := range lists {
		for _, b := range l {
			sb.Write(b)
		}
	}
	return sb.String()
}

// CutArg cuts the next item, n bytes long, off the front of *joined (made
// by JoinArgs) and returns it; ok is false when *joined is too short (the
// caller then makes the item's string itself).
func CutArg(joined *string, n int) (s string, ok bool) {
	if len(*joined) < n {
		return "", false
	}
	s, *joined = (*joined)[:n], (*joined)[n:]
	return s, true
}
