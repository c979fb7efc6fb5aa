package core

import (
	"math"
	"math/rand/v2"
)

// Shared by HSCAN and SSCAN (and usable by ZSCAN): cursor and option
// parsing with Redis's rules, and the reply shape.

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
