package core

import (
	"math"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Counters: INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. They keep the key's
// time to live, as Redis overwrites the value in place.

func cmdIncr(ctx *Ctx) { incrDecr(ctx, 1) }
func cmdDecr(ctx *Ctx) { incrDecr(ctx, -1) }

func cmdIncrBy(ctx *Ctx) {
	n, ok := ctx.Int(2)
	if ok {
		incrDecr(ctx, n)
	}
}

func cmdDecrBy(ctx *Ctx) {
	n, ok := ctx.Int(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		ctx.Error(ErrDecrOverflow)
		return
	}
	incrDecr(ctx, -n)
}

func incrDecr(ctx *Ctx, by int64) {
	key := ctx.Args[1]
	e, ok := ctx.WriteKind(key, keyspace.KindString)
	if !ok {
		return
	}
	var cur int64
	if e != nil {
		if cur, ok = ParseInt(e.Value.([]byte)); !ok {
			ctx.Error(ErrNotInteger)
			return
		}
	}
	if (by < 0 && cur < 0 && by < math.MinInt64-cur) || (by > 0 && cur > 0 && by > math.MaxInt64-cur) {
		ctx.Error(ErrOverflow)
		return
	}
	v := cur + by
	if e == nil {
		e = ctx.Store(key, strconv.AppendInt(make([]byte, 0, 8), v, 10), false)
	} else {
		// Reuse the value's bytes: no allocation while the number of
		// digits stays the same.
		old := e.Value.([]byte)
		var tmp [20]byte
		digits := strconv.AppendInt(tmp[:0], v, 10)
		if len(digits) == len(old) {
			copy(old, digits)
		} else if len(digits) <= cap(old) {
			e.Value = append(old[:0], digits...)
		} else {
			e.Value = append(make([]byte, 0, 20), digits...)
		}
		e.Raw, e.NotInt = false, false
		ctx.Modified(key)
	}
	ctx.Notify(NotifyString, "incrby", key)
	ctx.W.WriteInt(v)
}

func cmdIncrByFloat(ctx *Ctx) {
	key := ctx.Args[1]
	e, ok := ctx.WriteKind(key, keyspace.KindString)
	if !ok {
		return
	}
	v, msg := IncrByFloat(strValue(e), e != nil, ctx.Args[2])
	if msg != "" {
		ctx.Error(msg)
		return
	}
	if e == nil {
		e = ctx.Store(key, v, false)
	} else {
		e.Value = v
		e.Raw = false
		ctx.Modified(key)
	}
	e.NotInt = true
	ctx.Notify(NotifyString, "incrbyfloat", key)
	ctx.W.WriteBulk(v)
}
