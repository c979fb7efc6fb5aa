package core

import (
	"bytes"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Blocking list commands: BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH. Each
// first tries to serve at once like its non-blocking form; otherwise it
// blocks (see blocking.go) and is served, in blocking order, by the
// command that next fills one of its keys.

// blockTimeout parses a timeout in seconds as Redis 7.0 does: strtold
// (so hex, "inf" and a long double range are accepted), milliseconds
// rounded up, a value that does not fit a long long wrapping to negative.
// It replies with the error and returns ok == false when the argument is
// invalid; 0 means wait forever.
func blockTimeout(ctx *Ctx, arg []byte) (time.Duration, bool) {
	ms, ok := parseTimeoutSeconds(string(arg))
	if !ok {
		ctx.Error(ErrTimeoutInvalid)
		return 0, false
	}
	if ms < 0 {
		ctx.Error(ErrTimeoutNegative)
		return 0, false
	}
	// Redis adds the timeout to the current time without an overflow
	// check; anything beyond a few centuries simply never fires.
	if ms > int64(math.MaxInt64/time.Millisecond)/2 {
		return 0, true
	}
	return time.Duration(ms) * time.Millisecond, true
}

// parseTimeoutSeconds converts seconds to milliseconds; ok is false when s is
// not a number strtold accepts in full.
func parseTimeoutSeconds(s string) (int64, bool) {
	if s == "" || strings.ContainsAny(s[:1], " \t\n\v\f\r") || strings.ContainsAny(s, "_\x00") {
		return 0, false
	}
	body := strings.TrimLeft(s, "+-")
	if len(body) < len(s)-1 {
		return 0, false
	}
	switch strings.ToLower(body) {
	case "inf", "infinity":
		return math.MinInt64, true // (long long) of an infinity
	}
	if len(body) > 1 && body[0] == '0' && strings.ContainsAny(body[1:2], "bBoO") {
		return 0, false
	}
	// 64 bits of mantissa, as a long double.
	f, _, err := big.ParseFloat(s, 0, 64, big.ToNearestEven)
	if err != nil || f.IsInf() {
		return 0, false
	}
	if f.Sign() != 0 {
		// Outside the long double range strtold reports ERANGE.
		exp := f.MantExp(nil)
		if exp > 16384 || exp < -16444 {
			return 0, false
		}
	}
	f.Mul(f, big.NewFloat(1000))
	if f.Sign() != 0 && !f.IsInt() {
		// ceil
		i, _ := f.Int(nil)
		if f.Sign() > 0 {
			i.Add(i, big.NewInt(1))
		}
		f.SetInt(i)
	}
	i, _ := f.Int(nil)
	if !i.IsInt64() {
		return math.MinInt64, true
	}
	return i.Int64(), true
}

// cmdBpop is BLPOP / BRPOP key [key ...] timeout.
func cmdBpop(ctx *Ctx, front bool) {
	n := len(ctx.Args)
	listBlockingPop(ctx, ctx.Args[1:n-1], front, n-1, -1)
}

// cmdBlmpop is BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT n].
func cmdBlmpop(ctx *Ctx) {
	keys, front, count, ok := lmpopArgs(ctx, 2)
	if !ok {
		return
	}
	listBlockingPop(ctx, keys, front, 1, count)
}

// listBlockingPop pops from the first non-empty list among keys or
// blocks on all of them. count == -1 is the BLPOP reply [key, element];
// otherwise the BLMPOP reply [key, [elements...]].
func listBlockingPop(ctx *Ctx, keys [][]byte, front bool, timeoutArg int, count int64) {
	timeout, ok := blockTimeout(ctx, ctx.Args[timeoutArg])
	if !ok {
		return
	}
	for _, k := range keys {
		l, ok := writeList(ctx, k)
		if !ok {
			return
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		listServePop(ctx, l, k, front, count)
		return
	}
	if ctx.NoBlock {
		ctx.W.WriteNullArray()
		return
	}
	ctx.Block(cloneArgs(keys), timeout, func(sctx *Ctx) bool {
		key := sctx.ReadyKey
		l := blockedList(sctx, key)
		if l == nil {
			return false
		}
		listServePop(sctx, l, key, front, count)
		return true
	}, func(tctx *Ctx) { tctx.W.WriteNullArray() })
}

func listServePop(ctx *Ctx, l *keyspace.List, key []byte, front bool, count int64) {
	if count != -1 {
		listPopWithKey(ctx, l, key, front, count)
		return
	}
	ctx.Propagate(popName(front), key)
	ctx.W.WriteArray(2)
	ctx.W.WriteBulk(key)
	ctx.W.WriteBulk(listPopEnd(l, front))
	listChanged(ctx, key, l, 1, popEvent(front))
}

// blockedList returns the non-empty list under a key that became ready,
// or nil when it cannot serve a blocked list client (gone, emptied, or
// now of another type: the client keeps waiting, as in Redis 7.0).
func blockedList(ctx *Ctx, key []byte) *keyspace.List {
	e := ctx.Write(key)
	if e == nil {
		return nil
	}
	l, ok := e.Value.(*keyspace.List)
	if !ok || l.Len() == 0 {
		return nil
	}
	return l
}

// popName is the command a blocking or multi-key pop is replayed as.
func popName(front bool) []byte {
	if front {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

// propagateMove records BLMOVE as LMOVE and BRPOPLPUSH as RPOPLPUSH.
func propagateMove(ctx *Ctx, src, dst []byte) {
	if ctx.Cmd.Name == "blmove" {
		ctx.Propagate([]byte("LMOVE"), src, dst, ctx.Args[3], ctx.Args[4])
	} else {
		ctx.Propagate([]byte("RPOPLPUSH"), src, dst)
	}
}

func cloneArgs(a [][]byte) [][]byte {
	out := make([][]byte, len(a))
	for i, x := range a {
		out[i] = bytes.Clone(x)
	}
	return out
}

// cmdBlmove is BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.
func cmdBlmove(ctx *Ctx) {
	from, ok := listWhere(ctx, 3)
	if !ok {
		return
	}
	to, ok := listWhere(ctx, 4)
	if !ok {
		return
	}
	timeout, ok := blockTimeout(ctx, ctx.Args[5])
	if !ok {
		return
	}
	listBlockingMove(ctx, from, to, timeout)
}

// cmdBrpoplpush is BRPOPLPUSH source destination timeout.
func cmdBrpoplpush(ctx *Ctx) {
	timeout, ok := blockTimeout(ctx, ctx.Args[3])
	if !ok {
		return
	}
	listBlockingMove(ctx, false, true, timeout)
}

func listBlockingMove(ctx *Ctx, from, to bool, timeout time.Duration) {
	src, dst := ctx.Args[1], ctx.Args[2]
	l, ok := writeList(ctx, src)
	if !ok {
		return
	}
	if l != nil {
		propagateMove(ctx, src, dst)
		listMoveFrom(ctx, l, src, dst, from, to)
		return
	}
	if ctx.NoBlock {
		// Inside MULTI Redis answers a plain null here, while a real
		// timeout replies with a null array.
		ctx.W.WriteNull()
		return
	}
	dst = bytes.Clone(dst)
	moveArgs := cloneArgs(ctx.Args)
	ctx.Block([][]byte{src}, timeout, func(sctx *Ctx) bool {
		key := sctx.ReadyKey
		l := blockedList(sctx, key)
		if l == nil {
			return false
		}
		// A destination of the wrong type ends the wait with WRONGTYPE
		// and leaves the source untouched.
		sctx.Args = moveArgs
		propagateMove(sctx, key, dst)
		listMoveFrom(sctx, l, key, dst, from, to)
		return true
	}, func(tctx *Ctx) { tctx.W.WriteNullArray() })
}
