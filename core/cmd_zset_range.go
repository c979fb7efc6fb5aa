package core

import "github.com/polyfn/polyfn/core/keyspace"

// Range queries: ZRANGE (rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), its
// older single-purpose forms, ZRANGESTORE and ZREMRANGEBY*. They all
// reduce a range to a span of ranks [lo, hi) and walk it.

type zrangeType uint8

const (
	zrangeAuto zrangeType = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

type zrangeDir uint8

const (
	zdirAuto zrangeDir = iota
	zdirForward
	zdirReverse
)

func registerZSetRangeCommands(t *Table) {
	t.Add("zrange", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeAuto, zdirAuto) })
	t.Add("zrangestore", func(ctx *Ctx) { zrangeGeneric(ctx, 2, true, zrangeAuto, zdirAuto) })
	t.Add("zrevrange", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeRank, zdirReverse) })
	t.Add("zrangebyscore", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeScore, zdirForward) })
	t.Add("zrevrangebyscore", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeScore, zdirReverse) })
	t.Add("zrangebylex", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeLex, zdirForward) })
	t.Add("zrevrangebylex", func(ctx *Ctx) { zrangeGeneric(ctx, 1, false, zrangeLex, zdirReverse) })
	t.Add("zremrangebyrank", func(ctx *Ctx) { zremrangeGeneric(ctx, zrangeRank) })
	t.Add("zremrangebyscore", func(ctx *Ctx) { zremrangeGeneric(ctx, zrangeScore) })
	t.Add("zremrangebylex", func(ctx *Ctx) { zremrangeGeneric(ctx, zrangeLex) })
}

// rankSpan turns ZRANGE-style start/stop indexes (negative from the end)
// into ranks [lo, hi) of a set of n members.
func rankSpan(start, end int64, n int) (lo, hi int) {
	ln := int64(n)
	if start < 0 {
		start += ln
	}
	if end < 0 {
		end += ln
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= ln {
		return 0, 0
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end) + 1
}

// limitSpan applies LIMIT offset count to the ranks [lo, hi) walked in the
// given direction. A negative offset selects nothing, a negative count
// everything, as in Redis.
func limitSpan(lo, hi int, offset, limit int64, rev bool) (int, int) {
	n := int64(hi - lo)
	if offset < 0 || offset >= n {
		return 0, 0
	}
	n -= offset
	if limit >= 0 && limit < n {
		n = limit
	}
	if rev {
		return hi - int(offset) - int(n), hi - int(offset)
	}
	return lo + int(offset), lo + int(offset) + int(n)
}

func zrangeGeneric(ctx *Ctx, start int, store bool, rtype zrangeType, dir zrangeDir) {
	args := ctx.Args
	minIdx, maxIdx := start+1, start+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := start + 3; j < len(args); j++ {
		left := len(args) - j - 1
		switch {
		case !store && ctx.ArgIs(j, "withscores"):
			withScores = true
		case ctx.ArgIs(j, "limit") && left >= 2:
			var ok bool
			if offset, ok = ctx.Int(j + 1); !ok {
				return
			}
			if limit, ok = ctx.Int(j + 2); !ok {
				return
			}
			j += 2
		case dir == zdirAuto && ctx.ArgIs(j, "rev"):
			dir = zdirReverse
		case rtype == zrangeAuto && ctx.ArgIs(j, "bylex"):
			rtype = zrangeLex
		case rtype == zrangeAuto && ctx.ArgIs(j, "byscore"):
			rtype = zrangeScore
		default:
			ctx.SyntaxError()
			return
		}
	}
	if rtype == zrangeAuto {
		rtype = zrangeRank
	}
	rev := dir == zdirReverse
	if limit != -1 && rtype == zrangeRank {
		ctx.Error(ErrZRangeLimit)
		return
	}
	if withScores && rtype == zrangeLex {
		ctx.Error(ErrZRangeLexScores)
		return
	}
	if rev && rtype != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var rstart, rend int64
	var srange keyspace.ScoreRange
	var lrange keyspace.LexRange
	var ok bool
	switch rtype {
	case zrangeRank:
		if rstart, ok = ctx.Int(minIdx); !ok {
			return
		}
		if rend, ok = ctx.Int(maxIdx); !ok {
			return
		}
	case zrangeScore:
		if srange, ok = parseScoreRange(args[minIdx], args[maxIdx]); !ok {
			ctx.Error(ErrMinMaxNotFloat)
			return
		}
	case zrangeLex:
		if lrange, ok = parseLexRange(args[minIdx], args[maxIdx]); !ok {
			ctx.Error(ErrMinMaxNotString)
			return
		}
	}
	z, ok := ctx.readZSet(args[start])
	if !ok {
		return
	}
	var lo, hi int
	if z != nil {
		switch rtype {
		case zrangeRank:
			lo, hi = rankSpan(rstart, rend, z.Len())
			if rev { // indexes count from the top
				lo, hi = z.Len()-hi, z.Len()-lo
			}
		case zrangeScore:
			lo, hi = z.ScoreRanks(srange)
			lo, hi = limitSpan(lo, hi, offset, limit, rev)
		case zrangeLex:
			lo, hi = z.LexRanks(lrange)
			lo, hi = limitSpan(lo, hi, offset, limit, rev)
		}
	}
	if store {
		dst := keyspace.NewZSet(false)
		if lo < hi {
			maxEntries, maxValue := ctx.zsetLimits()
			it := z.Iter(lo, false)
			for r := lo; r < hi; r++ {
				m, s, _ := it.Next()
				dst.Insert(m, s, maxEntries, maxValue)
			}
		}
		ctx.storeZSet(args[1], dst)
		return
	}
	if lo >= hi {
		ctx.W.WriteArray(0)
		return
	}
	first := lo
	if rev {
		first = hi - 1
	}
	it := z.Iter(first, rev)
	writeZEntries(ctx, hi-lo, withScores, func() (string, float64) {
		m, s, _ := it.Next()
		return m, s
	})
}

// writeZEntries replies with n members from next, with their scores when
// withScores: a flat array in RESP2, an array of [member, score] pairs in
// RESP3.
func writeZEntries(ctx *Ctx, n int, withScores bool, next func() (string, float64)) {
	w := ctx.W
	pairs := withScores && w.Resp() > 2
	if withScores && !pairs {
		w.WriteArray(2 * n)
	} else {
		w.WriteArray(n)
	}
	for i := 0; i < n; i++ {
		m, s := next()
		if pairs {
			w.WriteArray(2)
		}
		w.WriteBulkString(m)
		if withScores {
			w.WriteDouble(s)
		}
	}
}

func zremrangeGeneric(ctx *Ctx, rtype zrangeType) {
	args := ctx.Args
	var rstart, rend int64
	var srange keyspace.ScoreRange
	var lrange keyspace.LexRange
	var ok bool
	switch rtype {
	case zrangeRank:
		if rstart, ok = ctx.Int(2); !ok {
			return
		}
		if rend, ok = ctx.Int(3); !ok {
			return
		}
	case zrangeScore:
		if srange, ok = parseScoreRange(args[2], args[3]); !ok {
			ctx.Error(ErrMinMaxNotFloat)
			return
		}
	case zrangeLex:
		if lrange, ok = parseLexRange(args[2], args[3]); !ok {
			ctx.Error(ErrMinMaxNotString)
			return
		}
	}
	key := args[1]
	z, ok := ctx.writeZSet(key)
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteInt(0)
		return
	}
	var lo, hi int
	switch rtype {
	case zrangeRank:
		lo, hi = rankSpan(rstart, rend, z.Len())
	case zrangeScore:
		lo, hi = z.ScoreRanks(srange)
	case zrangeLex:
		lo, hi = z.LexRanks(lrange)
	}
	if lo < hi {
		z.DeleteRange(lo, hi)
		ctx.zsetChanged(key, z, ctx.Cmd.Name) // zremrangebyrank, zremrangebyscore, zremrangebylex
	}
	ctx.W.WriteInt(int64(max(0, hi-lo)))
}
