package core

import (
	"math"
	"math/rand/v2"
)

// Shared by HSCAN and SSCAN (and usable by ZSCAN): cursor and option
// parsing with Redis's rules, and the reply shape.

// parseCollCursor parses a SCAN-family cursor as Redis does with strtoul
// in base 10: no leading space, optional sign (a '-' negates modulo 2^64),
// at least one digit, nothing after the digits (the C string ends at a NUL
// byte), no overflow. The empty string is cursor 0.
func parseCollCursor(b []byte) (uint64, bool) {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) == 0 {
		return 0, true
	}
	switch b[0] {
	case ' ', '\t', '\n', '\v', '\f', '\r':
		return 0, false
	}
	neg := false
	i := 0
	if b[0] == '+' || b[0] == '-' {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// collScanOpts are the COUNT and MATCH options of HSCAN/SSCAN/ZSCAN.
type collScanOpts struct {
	count   int64
	pattern string
	match   bool
}

// parseCollScanOpts parses the options from argument i on, replying with
// Redis's error when they are invalid.
func parseCollScanOpts(ctx *Ctx, i int) (collScanOpts, bool) {
	o := collScanOpts{count: 10}
	for ; i < len(ctx.Args); i += 2 {
		more := len(ctx.Args) - i
		switch {
		case more >= 2 && ctx.ArgIs(i, "count"):
			n, ok := ctx.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				ctx.SyntaxError()
				return o, false
			}
			o.count = n
		case more >= 2 && ctx.ArgIs(i, "match"):
			o.pattern = string(ctx.Args[i+1])
			o.match = o.pattern != "*"
		default:
			ctx.SyntaxError()
			return o, false
		}
	}
	return o, true
}

// writeEmptyScan writes the reply to a scan of a missing key.
func writeEmptyScan(w ReplyWriter) {
	w.WriteArray(2)
	w.WriteBulkString("0")
	w.WriteArray(0)
}

// collScanLimit returns how many dict buckets a hashtable scan may visit
// for the given COUNT (Redis stops after ten times COUNT).
func collScanLimit(count int64) int64 {
	if count > math.MaxInt64/10 {
		return math.MaxInt64
	}
	return count * 10
}

// parseCountRange parses argument i as Redis's getRangeLongFromObjectOrReply
// with bounds -LONG_MAX..LONG_MAX and no custom message.
func parseCountRange(ctx *Ctx, i int) (int64, bool) {
	n, ok := ctx.Int(i)
	if !ok {
		return 0, false
	}
	if n == math.MinInt64 {
		ctx.Errorf(fmtLongOutOfRange, int64(-math.MaxInt64), int64(math.MaxInt64))
		return 0, false
	}
	return n, true
}

// shuffleFirst moves count randomly chosen elements of items to its front
// (a partial Fisher-Yates shuffle).
func shuffleFirst[T any](items []T, count int) {
	for i := 0; i < count && i < len(items)-1; i++ {
		j := i + rand.IntN(len(items)-i)
		items[i], items[j] = items[j], items[i]
	}
}
