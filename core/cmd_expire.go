package core

import (
	"fmt"
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL,
// EXPIRETIME, PEXPIRETIME, PERSIST. Times are unix milliseconds
// internally; a key whose time has come is deleted lazily by the next
// write that touches it and actively by the expiry cycle (expire.go).

func registerExpireCommands(t *Table) {
	t.Add("expire", func(ctx *Ctx) { expireGeneric(ctx, ctx.Now, true) })
	t.Add("pexpire", func(ctx *Ctx) { expireGeneric(ctx, ctx.Now, false) })
	t.Add("expireat", func(ctx *Ctx) { expireGeneric(ctx, 0, true) })
	t.Add("pexpireat", func(ctx *Ctx) { expireGeneric(ctx, 0, false) })
	t.Add("ttl", func(ctx *Ctx) { ttlGeneric(ctx, false, false) })
	t.Add("pttl", func(ctx *Ctx) { ttlGeneric(ctx, true, false) })
	t.Add("expiretime", func(ctx *Ctx) { ttlGeneric(ctx, false, true) })
	t.Add("pexpiretime", func(ctx *Ctx) { ttlGeneric(ctx, true, true) })
	t.Add("persist", cmdPersist)
}

// Expire condition flags (NX, XX, GT, LT).
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

// parseExpireFlags reads the NX|XX|GT|LT options from argument 3 on,
// rejecting unknown words first and incompatible combinations after.
func (ctx *Ctx) parseExpireFlags() (int, bool) {
	flags := 0
	for i := 3; i < len(ctx.Args); i++ {
		switch {
		case ctx.ArgIs(i, "nx"):
			flags |= expireNX
		case ctx.ArgIs(i, "xx"):
			flags |= expireXX
		case ctx.ArgIs(i, "gt"):
			flags |= expireGT
		case ctx.ArgIs(i, "lt"):
			flags |= expireLT
		default:
			ctx.Errorf(fmtUnsupportedOption, ctx.Args[i])
			return 0, false
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		ctx.Error(ErrExpireNXCombo)
		return 0, false
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		ctx.Error(ErrExpireGTLT)
		return 0, false
	}
	return flags, true
}

// expireGeneric sets a key's expiry to base + the argument (seconds when
// secs, else milliseconds). A time already past deletes the key.
func expireGeneric(ctx *Ctx, base int64, secs bool) {
	key := ctx.Args[1]
	flags, ok := ctx.parseExpireFlags()
	if !ok {
		return
	}
	when, ok := ctx.Int(2)
	if !ok {
		return
	}
	if secs {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			ctx.Error(fmt.Sprintf(ErrInvalidExpire, ctx.Cmd.FullName()))
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		ctx.Error(fmt.Sprintf(ErrInvalidExpire, ctx.Cmd.FullName()))
		return
	}
	when += base
	if ctx.Write(key) == nil {
		ctx.W.WriteInt(0)
		return
	}
	if flags != 0 {
		cur, has := ctx.DB.Expire(keyspace.Str(key))
		switch {
		case flags&expireNX != 0 && has,
			flags&expireXX != 0 && !has,
			flags&expireGT != 0 && (!has || when <= cur),
			flags&expireLT != 0 && has && when >= cur:
			ctx.W.WriteInt(0)
			return
		}
	}
	if when <= ctx.Now {
		ctx.Delete(key)
		ctx.Notify(NotifyGeneric, "del", key)
		ctx.W.WriteInt(1)
		return
	}
	ctx.DB.SetExpire(keyspace.Str(key), when)
	ctx.Modified(key)
	ctx.Notify(NotifyGeneric, "expire", key)
	ctx.W.WriteInt(1)
}

// ttlGeneric is TTL (ms false, abs false), PTTL, EXPIRETIME and
// PEXPIRETIME: -2 for a missing key, -1 for a key without expiry.
// Seconds are rounded to the nearest.
func ttlGeneric(ctx *Ctx, ms, abs bool) {
	key := ctx.Args[1]
	if ctx.peek(key) == nil {
		ctx.W.WriteInt(-2)
		return
	}
	at, has := ctx.DB.Expire(keyspace.Str(key))
	if !has {
		ctx.W.WriteInt(-1)
		return
	}
	t := at
	if !abs {
		t = at - ctx.Now
		if t < 0 {
			t = 0
		}
	}
	if !ms {
		// (t+500)/1000 without overflowing near MaxInt64 (t >= 0)
		t = t/1000 + (t%1000+500)/1000
	}
	ctx.W.WriteInt(t)
}

func cmdPersist(ctx *Ctx) {
	key := ctx.Args[1]
	if ctx.Write(key) == nil || !ctx.DB.Persist(keyspace.Str(key)) {
		ctx.W.WriteInt(0)
		return
	}
	ctx.Modified(key)
	ctx.Notify(NotifyGeneric, "persist", key)
	ctx.W.WriteInt(1)
}
