package core

import (
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Sorted set commands. The type lives in keyspace.ZSet; this file has the
// write commands and point lookups, cmd_zset_range.go the range queries,
// cmd_zset_ops.go the multi-key algebra, cmd_zset_pop.go popping (blocking
// or not), random members and ZSCAN.

func registerZSetCommands(t *Table) {
	t.Add("zadd", func(ctx *Ctx) { zaddGeneric(ctx, 0) })
	t.Add("zincrby", func(ctx *Ctx) { zaddGeneric(ctx, zaddIncr) })
	t.Add("zrem", cmdZRem)
	t.Add("zcard", cmdZCard)
	t.Add("zscore", cmdZScore)
	t.Add("zmscore", cmdZMScore)
	t.Add("zrank", func(ctx *Ctx) { zrankGeneric(ctx, false) })
	t.Add("zrevrank", func(ctx *Ctx) { zrankGeneric(ctx, true) })
	t.Add("zcount", cmdZCount)
	t.Add("zlexcount", cmdZLexCount)
	registerZSetRangeCommands(t)
	registerZSetOpCommands(t)
	registerZSetPopCommands(t)
}

// zsetLimits returns zset-max-listpack-entries and zset-max-listpack-value.
func (ctx *Ctx) zsetLimits() (entries, value int) {
	cfg := ctx.S.Config
	e, v := cfg.ZSetLimits()
	return int(e), int(v)
}

// readZSet returns the sorted set under key (nil when absent); ok is false
// after a WRONGTYPE reply.
func (ctx *Ctx) readZSet(key []byte) (*keyspace.ZSet, bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindZSet)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.ZSet), true
}

// writeZSet is readZSet for modification (an expired key is removed).
func (ctx *Ctx) writeZSet(key []byte) (*keyspace.ZSet, bool) {
	e, ok := ctx.WriteKind(key, keyspace.KindZSet)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.ZSet), true
}

// zsetChanged signals a modification of the set under key and sends the
// keyspace event, deleting the key when the set became empty (event
// "del").
func (ctx *Ctx) zsetChanged(key []byte, z *keyspace.ZSet, event string) {
	ctx.Notify(NotifyZSet, event, key)
	if z.Len() == 0 {
		ctx.Delete(key)
		ctx.Notify(NotifyGeneric, "del", key)
		return
	}
	ctx.Modified(key)
}

// storeZSet stores a computed result under dst (dropping any TTL), or
// deletes dst when the result is empty, and replies with its size. The
// keyspace event is the command's name (zunionstore, zinterstore,
// zdiffstore, zrangestore), or "del".
func (ctx *Ctx) storeZSet(dst []byte, z *keyspace.ZSet) {
	n := z.Len()
	if n == 0 {
		if ctx.Delete(dst) {
			ctx.Notify(NotifyGeneric, "del", dst)
		}
		ctx.W.WriteInt(0)
		return
	}
	ctx.Store(dst, z, false)
	ctx.W.WriteInt(int64(n))
	ctx.Notify(NotifyZSet, ctx.Cmd.Name, dst)
}

const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddCH
	zaddIncr
)

// Outcomes of one score-member pair.
const (
	zaddOutNop = 1 << iota
	zaddOutAdded
	zaddOutUpdated
	zaddOutNaN
)

func zaddGeneric(ctx *Ctx, flags int) { zaddScores(ctx, flags, nil) }

// zaddScores is ZADD whose score arguments, when scores is not nil, are
// already parsed (GEOADD's computed ones).
func zaddScores(ctx *Ctx, flags int, scores []float64) {
	args := ctx.Args
	i := 2
options:
	for ; i < len(args); i++ {
		switch {
		case ctx.ArgIs(i, "nx"):
			flags |= zaddNX
		case ctx.ArgIs(i, "xx"):
			flags |= zaddXX
		case ctx.ArgIs(i, "gt"):
			flags |= zaddGT
		case ctx.ArgIs(i, "lt"):
			flags |= zaddLT
		case ctx.ArgIs(i, "ch"):
			flags |= zaddCH
		case ctx.ArgIs(i, "incr"):
			flags |= zaddIncr
		default:
			break options
		}
	}
	elements := len(args) - i
	if elements == 0 || elements%2 != 0 {
		ctx.SyntaxError()
		return
	}
	elements /= 2
	nx, xx, gt, lt := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0
	incr := flags&zaddIncr != 0
	if nx && xx {
		ctx.Error(ErrZAddXXNX)
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		ctx.Error(ErrZAddGTLTNX)
		return
	}
	if incr && elements > 1 {
		ctx.Error(ErrZAddIncrPair)
		return
	}
	var buf [16]float64
	if scores == nil {
		scores = buf[:0]
		if elements > len(buf) {
			scores = make([]float64, 0, elements)
		}
	}
	for j := len(scores); j < elements; j++ {
		f, ok := parseScore(args[i+2*j])
		if !ok {
			ctx.Error(ErrNotFloat)
			return
		}
		scores = append(scores, f)
	}
	key := args[1]
	e, ok := ctx.WriteKind(key, keyspace.KindZSet)
	if !ok {
		return
	}
	added, updated, processed := 0, 0, 0
	var score float64
	maxEntries, maxValue := ctx.zsetLimits()
	var z *keyspace.ZSet
	if e == nil {
		if xx {
			zaddReply(ctx, incr, flags&zaddCH != 0, 0, 0, 0, 0)
			return
		}
		z = keyspace.NewZSet(maxEntries == 0 || maxValue < len(args[i+1]))
		ctx.S.created(ctx.DB.Set(keyspace.Str(key), z, false), ctx.Now)
		ctx.Notify(NotifyNew, "new", key)
	} else {
		z = e.Value.(*keyspace.ZSet)
	}
	for j := 0; j < elements; j++ {
		out, newScore := zaddOne(z, keyspace.Str(args[i+2*j+1]), scores[j], flags, maxEntries, maxValue)
		if out&zaddOutNaN != 0 {
			ctx.Error(ErrZAddNaN)
			if added+updated > 0 {
				ctx.Modified(key)
				ctx.Notify(NotifyZSet, zaddEvent(incr), key)
			}
			return
		}
		if out&zaddOutAdded != 0 {
			added++
		}
		if out&zaddOutUpdated != 0 {
			updated++
		}
		if out&zaddOutNop == 0 {
			processed++
		}
		score = newScore
	}
	zaddReply(ctx, incr, flags&zaddCH != 0, added, updated, processed, score)
	if added+updated > 0 {
		ctx.Modified(key)
		ctx.Notify(NotifyZSet, zaddEvent(incr), key)
	}
}

// zaddEvent is the keyspace event of ZADD (and ZINCRBY, ZADD INCR).
func zaddEvent(incr bool) string {
	if incr {
		return "zincr"
	}
	return "zadd"
}

func zaddReply(ctx *Ctx, incr, ch bool, added, updated, processed int, score float64) {
	switch {
	case incr && processed > 0:
		ctx.W.WriteDouble(score)
	case incr:
		ctx.W.WriteNull()
	case ch:
		ctx.W.WriteInt(int64(added + updated))
	default:
		ctx.W.WriteInt(int64(added))
	}
}

// zaddOne applies one score-member pair with ZADD's flags and returns its
// outcome and the member's resulting score.
func zaddOne(z *keyspace.ZSet, member string, score float64, flags int, maxEntries, maxValue int) (out int, newScore float64) {
	cur, exists := z.Score(member)
	if exists {
		if flags&zaddNX != 0 {
			return zaddOutNop, 0
		}
		if flags&zaddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return zaddOutNaN, 0
			}
		}
		if (flags&zaddLT != 0 && score >= cur) || (flags&zaddGT != 0 && score <= cur) {
			return zaddOutNop, 0
		}
		if score != cur {
			z.SetScore(member, score)
			return zaddOutUpdated, score
		}
		return 0, score
	}
	if flags&zaddXX != 0 {
		return zaddOutNop, 0
	}
	z.Insert(member, score, maxEntries, maxValue)
	return zaddOutAdded, score
}

func cmdZRem(ctx *Ctx) {
	key := ctx.Args[1]
	z, ok := ctx.writeZSet(key)
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteInt(0)
		return
	}
	deleted := 0
	for _, m := range ctx.Args[2:] {
		if z.Delete(keyspace.Str(m)) {
			deleted++
			if z.Len() == 0 {
				break
			}
		}
	}
	if deleted > 0 {
		ctx.zsetChanged(key, z, "zrem")
	}
	ctx.W.WriteInt(int64(deleted))
}

func cmdZCard(ctx *Ctx) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(int64(z.Len()))
}

func cmdZScore(ctx *Ctx) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z != nil {
		if s, found := z.Score(keyspace.Str(ctx.Args[2])); found {
			ctx.W.WriteDouble(s)
			return
		}
	}
	ctx.W.WriteNull()
}

func cmdZMScore(ctx *Ctx) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	members := ctx.Args[2:]
	ctx.W.WriteArray(len(members))
	for _, m := range members {
		if z != nil {
			if s, found := z.Score(keyspace.Str(m)); found {
				ctx.W.WriteDouble(s)
				continue
			}
		}
		ctx.W.WriteNull()
	}
}

func zrankGeneric(ctx *Ctx, rev bool) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, _, found := z.Rank(keyspace.Str(ctx.Args[2])); found {
			if rev {
				r = z.Len() - 1 - r
			}
			ctx.W.WriteInt(int64(r))
			return
		}
	}
	ctx.W.WriteNull()
}

func cmdZCount(ctx *Ctx) {
	r, ok := parseScoreRange(ctx.Args[2], ctx.Args[3])
	if !ok {
		ctx.Error(ErrMinMaxNotFloat)
		return
	}
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteInt(0)
		return
	}
	lo, hi := z.ScoreRanks(r)
	ctx.W.WriteInt(int64(hi - lo))
}

func cmdZLexCount(ctx *Ctx) {
	r, ok := parseLexRange(ctx.Args[2], ctx.Args[3])
	if !ok {
		ctx.Error(ErrMinMaxNotString)
		return
	}
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteInt(0)
		return
	}
	lo, hi := z.LexRanks(r)
	ctx.W.WriteInt(int64(hi - lo))
}
