package core

import (
	"math"
	"sort"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Multi-key algebra: ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD. Plain sets are accepted as inputs, each member scoring 1.

func registerZSetOpCommands(t *Table) {
	t.Add("zunion", func(ctx *Ctx) { zsetOpGeneric(ctx, nil, 1, zopUnion, false) })
	t.Add("zinter", func(ctx *Ctx) { zsetOpGeneric(ctx, nil, 1, zopInter, false) })
	t.Add("zdiff", func(ctx *Ctx) { zsetOpGeneric(ctx, nil, 1, zopDiff, false) })
	t.Add("zunionstore", func(ctx *Ctx) { zsetOpGeneric(ctx, ctx.Args[1], 2, zopUnion, false) })
	t.Add("zinterstore", func(ctx *Ctx) { zsetOpGeneric(ctx, ctx.Args[1], 2, zopInter, false) })
	t.Add("zdiffstore", func(ctx *Ctx) { zsetOpGeneric(ctx, ctx.Args[1], 2, zopDiff, false) })
	t.Add("zintercard", func(ctx *Ctx) { zsetOpGeneric(ctx, nil, 1, zopInter, true) })
}

type zsetOp uint8

const (
	zopUnion zsetOp = iota
	zopInter
	zopDiff
)

type zaggregate uint8

const (
	zaggSum zaggregate = iota
	zaggMin
	zaggMax
)

// zopSource is one input: a sorted set, a plain set, or nothing (absent).
type zopSource struct {
	z      *keyspace.ZSet
	set    *keyspace.Set
	weight float64
}

func (s *zopSource) size() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.set != nil:
		return s.set.Len()
	}
	return 0
}

func (s *zopSource) find(member string) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(member)
	case s.set != nil:
		return 1, s.set.Has([]byte(member))
	}
	return 0, false
}

func (s *zopSource) each(fn func(member string, score float64) bool) {
	switch {
	case s.z != nil:
		it := s.z.Iter(0, false)
		for m, sc, ok := it.Next(); ok; m, sc, ok = it.Next() {
			if !fn(m, sc) {
				return
			}
		}
	case s.set != nil:
		s.set.Range(func(m []byte) bool { return fn(string(m), 1) })
	}
}

func aggregateScore(agg zaggregate, target *float64, v float64) {
	switch agg {
	case zaggSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case zaggMin:
		if v < *target {
			*target = v
		}
	case zaggMax:
		if v > *target {
			*target = v
		}
	}
}

func weighted(w, s float64) float64 {
	v := w * s
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func zsetOpGeneric(ctx *Ctx, dst []byte, numIdx int, op zsetOp, cardOnly bool) {
	args := ctx.Args
	setnum, ok := ctx.Int(numIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		ctx.Errorf(fmtZSetOpNoKeys, ctx.Cmd.FullName())
		return
	}
	if setnum > int64(len(args)-numIdx-1) {
		ctx.SyntaxError()
		return
	}
	src := make([]zopSource, setnum)
	j := numIdx + 1
	for i := range src {
		src[i].weight = 1
		e := ctx.Read(args[j])
		j++
		if e == nil {
			continue
		}
		switch e.Kind() {
		case keyspace.KindZSet:
			src[i].z = e.Value.(*keyspace.ZSet)
		case keyspace.KindSet:
			src[i].set = e.Value.(*keyspace.Set)
		default:
			ctx.Error(ErrWrongType)
			return
		}
	}
	agg := zaggSum
	withScores := false
	var limit int64
	for j < len(args) {
		remaining := len(args) - j
		switch {
		case cardOnly:
			if !ctx.ArgIs(j, "limit") || remaining < 2 {
				ctx.SyntaxError()
				return
			}
			n, ok := ParseInt(args[j+1])
			if !ok || n < 0 {
				ctx.Error(ErrZLimitNegative)
				return
			}
			limit = n
			j += 2
		case op != zopDiff && remaining >= int(setnum)+1 && ctx.ArgIs(j, "weights"):
			j++
			for i := range src {
				w, ok := parseScore(args[j])
				if !ok {
					ctx.Error(ErrZWeightNotFloat)
					return
				}
				src[i].weight = w
				j++
			}
		case op != zopDiff && remaining >= 2 && ctx.ArgIs(j, "aggregate"):
			switch {
			case ctx.ArgIs(j+1, "sum"):
				agg = zaggSum
			case ctx.ArgIs(j+1, "min"):
				agg = zaggMin
			case ctx.ArgIs(j+1, "max"):
				agg = zaggMax
			default:
				ctx.SyntaxError()
				return
			}
			j += 2
		case dst == nil && ctx.ArgIs(j, "withscores"):
			withScores = true
			j++
		default:
			ctx.SyntaxError()
			return
		}
	}
	if op != zopDiff {
		sort.SliceStable(src, func(a, b int) bool { return src[a].size() < src[b].size() })
	}
	if cardOnly {
		ctx.W.WriteInt(zinterCard(src, limit))
		return
	}
	res := keyspace.NewZSet(true)
	switch op {
	case zopInter:
		zinterInto(res, src, agg)
	case zopUnion:
		zunionInto(res, src, agg)
	case zopDiff:
		zdiffInto(res, src)
	}
	if dst != nil {
		res.ConvertToListpackIfFits(ctx.zsetLimits())
		ctx.storeZSet(dst, res)
		return
	}
	it := res.Iter(0, false)
	writeZEntries(ctx, res.Len(), withScores, func() (string, float64) {
		m, s, _ := it.Next()
		return m, s
	})
}

func zinterInto(res *keyspace.ZSet, src []zopSource, agg zaggregate) {
	if src[0].size() == 0 {
		return
	}
	src[0].each(func(m string, s float64) bool {
		score := weighted(src[0].weight, s)
		for k := 1; k < len(src); k++ {
			v, ok := src[k].find(m)
			if !ok {
				return true
			}
			aggregateScore(agg, &score, weighted(src[k].weight, v))
		}
		res.Insert(m, score, 0, 0)
		return true
	})
}

func zinterCard(src []zopSource, limit int64) int64 {
	var n int64
	if src[0].size() == 0 {
		return 0
	}
	src[0].each(func(m string, _ float64) bool {
		for k := 1; k < len(src); k++ {
			if _, ok := src[k].find(m); !ok {
				return true
			}
		}
		n++
		return limit == 0 || n < limit
	})
	return n
}

func zunionInto(res *keyspace.ZSet, src []zopSource, agg zaggregate) {
	acc := map[string]float64{}
	var order []string
	for i := range src {
		w := src[i].weight
		src[i].each(func(m string, s float64) bool {
			score := weighted(w, s)
			if cur, ok := acc[m]; ok {
				aggregateScore(agg, &cur, score)
				acc[m] = cur
			} else {
				acc[m] = score
				order = append(order, m)
			}
			return true
		})
	}
	for _, m := range order {
		res.Insert(m, acc[m], 0, 0)
	}
}

func zdiffInto(res *keyspace.ZSet, src []zopSource) {
	src[0].each(func(m string, s float64) bool {
		for k := 1; k < len(src); k++ {
			if _, ok := src[k].find(m); ok {
				return true
			}
		}
		res.Insert(m, s, 0, 0)
		return true
	})
}
