package core

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Popping (ZPOPMIN/MAX, ZMPOP and their blocking forms), ZRANDMEMBER and
// ZSCAN.

func registerZSetPopCommands(t *Table) {
	t.Add("zpopmin", func(ctx *Ctx) { zpopMinMax(ctx, false) })
	t.Add("zpopmax", func(ctx *Ctx) { zpopMinMax(ctx, true) })
	t.Add("bzpopmin", func(ctx *Ctx) { bzpopMinMax(ctx, false) })
	t.Add("bzpopmax", func(ctx *Ctx) { bzpopMinMax(ctx, true) })
	t.Add("zmpop", func(ctx *Ctx) { zmpopGeneric(ctx, 1, false) })
	t.Add("bzmpop", func(ctx *Ctx) { zmpopGeneric(ctx, 2, true) })
	t.Add("zrandmember", cmdZRandMember)
	t.Add("zscan", cmdZScan)
}

// zpopReply selects the reply shape of a pop.
type zpopReply struct {
	max     bool // pop the highest scores
	emitKey bool // prefix the key (BZPOP*, ZMPOP)
	nested  bool // [member, score] pairs (RESP3 with COUNT, ZMPOP)
	// nilEmpty answers a null array rather than an empty one when no key
	// has members (ZMPOP).
	nilEmpty bool
}

// zpop pops up to count (-1: one, without COUNT) members from the first
// of keys holding a sorted set and replies.
func zpop(ctx *Ctx, keys [][]byte, count int64, r zpopReply) {
	var key []byte
	var z *keyspace.ZSet
	for _, k := range keys {
		e := ctx.Write(k)
		if e == nil {
			continue
		}
		if e.Kind() != keyspace.KindZSet {
			ctx.Error(ErrWrongType)
			return
		}
		key, z = k, e.Value.(*keyspace.ZSet)
		break
	}
	w := ctx.W
	if z == nil {
		if r.nilEmpty {
			w.WriteNullArray()
		} else {
			w.WriteArray(0)
		}
		return
	}
	if count == 0 {
		w.WriteArray(0)
		return
	}
	switch ctx.Cmd.Name {
	case "bzpopmin", "bzpopmax", "zmpop", "bzmpop":
		// Replayed as ZPOPMIN/ZPOPMAX of the key served.
		name := []byte("ZPOPMIN")
		if r.max {
			name = []byte("ZPOPMAX")
		}
		if ctx.Cmd.Name == "bzpopmin" || ctx.Cmd.Name == "bzpopmax" {
			ctx.Propagate(name, key)
		} else {
			// The number popped, as Redis writes it.
			ctx.Propagate(name, key, strconv.AppendInt(nil, min(int64(z.Len()), max(count, 1)), 10))
		}
	}
	if count < 0 {
		count = 1
	}
	n := min(int64(z.Len()), count)
	switch {
	case !r.nested && !r.emitKey:
		w.WriteArray(int(2 * n))
	case r.nested && !r.emitKey:
		w.WriteArray(int(n))
	case !r.nested:
		w.WriteArray(int(2*n + 1))
		w.WriteBulk(key)
	default:
		w.WriteArray(2)
		w.WriteBulk(key)
		w.WriteArray(int(n))
	}
	lo, hi := 0, int(n)
	first := 0
	if r.max {
		lo, hi = z.Len()-int(n), z.Len()
		first = z.Len() - 1
	}
	it := z.Iter(first, r.max)
	for i := int64(0); i < n; i++ {
		m, s, _ := it.Next()
		if r.nested {
			w.WriteArray(2)
		}
		w.WriteBulkString(m)
		w.WriteDouble(s)
	}
	z.DeleteRange(lo, hi)
	event := "zpopmin"
	if r.max {
		event = "zpopmax"
	}
	ctx.zsetChanged(key, z, event)
}

func zpopMinMax(ctx *Ctx, max bool) {
	if len(ctx.Args) > 3 {
		ctx.SyntaxError()
		return
	}
	count := int64(-1)
	if len(ctx.Args) == 3 {
		n, ok := ParseInt(ctx.Args[2])
		if !ok || n < 0 {
			ctx.Error(ErrZNotPositive)
			return
		}
		count = n
	}
	zpop(ctx, ctx.Args[1:2], count, zpopReply{max: max, nested: ctx.W.Resp() > 2 && count != -1})
}

func bzpopMinMax(ctx *Ctx, max bool) {
	n := len(ctx.Args)
	blockingZpop(ctx, ctx.Args[1:n-1], n-1, -1, zpopReply{max: max, emitKey: true})
}

// blockingZpop pops from the first non-empty key, or blocks until one of
// keys receives members or the timeout (argument timeoutIdx) passes.
func blockingZpop(ctx *Ctx, keys [][]byte, timeoutIdx int, count int64, r zpopReply) {
	timeout, ok := blockTimeout(ctx, ctx.Args[timeoutIdx])
	if !ok {
		return
	}
	for _, k := range keys {
		e := ctx.Write(k)
		if e == nil {
			continue
		}
		if e.Kind() != keyspace.KindZSet {
			ctx.Error(ErrWrongType)
			return
		}
		if e.Value.(*keyspace.ZSet).Len() == 0 {
			continue
		}
		zpop(ctx, [][]byte{k}, count, r)
		return
	}
	wait := make([][]byte, len(keys))
	for i, k := range keys {
		wait[i] = bytes.Clone(k)
	}
	served := r
	served.nilEmpty = false
	ctx.Block(wait, timeout, func(c *Ctx) bool {
		e := c.Write(c.ReadyKey)
		if e == nil || e.Kind() != keyspace.KindZSet || e.Value.(*keyspace.ZSet).Len() == 0 {
			return false
		}
		zpop(c, [][]byte{c.ReadyKey}, count, served)
		return true
	}, func(c *Ctx) { c.W.WriteNullArray() })
}

// zmpopGeneric is ZMPOP (numkeys at 1) and BZMPOP (timeout at 1, numkeys
// at 2).
func zmpopGeneric(ctx *Ctx, numIdx int, block bool) {
	args := ctx.Args
	numkeys, ok := ParseInt(args[numIdx])
	if !ok || numkeys < 1 {
		ctx.Error(ErrNumkeysZero)
		return
	}
	if numkeys >= int64(len(args)-numIdx-1) {
		ctx.SyntaxError()
		return
	}
	whereIdx := numIdx + int(numkeys) + 1
	var max bool
	switch {
	case ctx.ArgIs(whereIdx, "min"):
	case ctx.ArgIs(whereIdx, "max"):
		max = true
	default:
		ctx.SyntaxError()
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(args); j++ {
		if count == -1 && ctx.ArgIs(j, "count") && j+1 < len(args) {
			j++
			n, ok := ParseInt(args[j])
			if !ok || n < 1 {
				ctx.Error(ErrCountNotPositive)
				return
			}
			count = n
			continue
		}
		ctx.SyntaxError()
		return
	}
	if count == -1 {
		count = 1
	}
	keys := args[numIdx+1 : whereIdx]
	r := zpopReply{max: max, emitKey: true, nested: true, nilEmpty: true}
	if block {
		blockingZpop(ctx, keys, 1, count, r)
		return
	}
	zpop(ctx, keys, count, r)
}

func cmdZRandMember(ctx *Ctx) {
	args := ctx.Args
	if len(args) < 3 {
		z, ok := ctx.readZSet(args[1])
		if !ok {
			return
		}
		if z == nil {
			ctx.W.WriteNull()
			return
		}
		ctx.W.WriteBulkString(z.Random().Member)
		return
	}
	l, ok := ctx.Int(2)
	if !ok {
		return
	}
	if l == math.MinInt64 {
		ctx.Error(ErrZRandCountRange)
		return
	}
	withScores := false
	if len(args) > 4 || (len(args) == 4 && !ctx.ArgIs(3, "withscores")) {
		ctx.SyntaxError()
		return
	}
	if len(args) == 4 {
		withScores = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			ctx.Error(ErrZOutOfRange)
			return
		}
	}
	z, ok := ctx.readZSet(args[1])
	if !ok {
		return
	}
	if z == nil || l == 0 {
		ctx.W.WriteArray(0)
		return
	}
	size := z.Len()
	// Negative count: that many independent draws, repeats allowed.
	if l < 0 || l == 1 {
		n := l
		if n < 0 {
			n = -n
		}
		writeZEntries(ctx, int(n), withScores, func() (string, float64) {
			e := z.Random()
			return e.Member, e.Score
		})
		return
	}
	// Count at least the size: the whole set, from the highest rank down
	// (the way Redis's set-operation iterator walks a sorted set).
	if l >= int64(size) {
		it := z.Iter(size-1, true)
		writeZEntries(ctx, size, withScores, func() (string, float64) {
			m, s, _ := it.Next()
			return m, s
		})
		return
	}
	// Distinct members in random order.
	var ranks []int
	if l*3 > int64(size) {
		ranks = rand.Perm(size)[:l]
	} else {
		seen := make(map[int]struct{}, l)
		for int64(len(ranks)) < l {
			r := rand.IntN(size)
			if _, dup := seen[r]; !dup {
				seen[r] = struct{}{}
				ranks = append(ranks, r)
			}
		}
	}
	i := 0
	writeZEntries(ctx, len(ranks), withScores, func() (string, float64) {
		e := z.At(ranks[i])
		i++
		return e.Member, e.Score
	})
}

func cmdZScan(ctx *Ctx) {
	args := ctx.Args
	cursor, ok := ParseScanCursor(args[2])
	if !ok {
		ctx.Error(ErrInvalidCursor)
		return
	}
	z, ok := ctx.readZSet(args[1])
	if !ok {
		return
	}
	w := ctx.W
	if z == nil {
		w.WriteArray(2)
		w.WriteBulkString("0")
		w.WriteArray(0)
		return
	}
	count := int64(10)
	var pattern string
	usePattern := false
	for i := 3; i < len(args); i += 2 {
		left := len(args) - i
		switch {
		case ctx.ArgIs(i, "count") && left >= 2:
			n, ok := ctx.Int(i + 1)
			if !ok {
				return
			}
			if n < 1 {
				ctx.SyntaxError()
				return
			}
			count = n
		case ctx.ArgIs(i, "match") && left >= 2:
			pattern = string(args[i+1])
			usePattern = pattern != "*"
		default:
			ctx.SyntaxError()
			return
		}
	}
	type item struct {
		m string
		s float64
	}
	var items []item
	collect := func(m string, s float64) { items = append(items, item{m, s}) }
	small := z.IsListpack()
	if small {
		cursor = z.Scan(0, collect)
	} else {
		// As Redis: at most 1 + 10*count buckets per call.
		maxIter := count * 10
		for {
			cursor = z.Scan(cursor, collect)
			if cursor == 0 || maxIter == 0 {
				break
			}
			maxIter--
			if int64(len(items)) >= count {
				break
			}
		}
	}
	if usePattern {
		kept := items[:0]
		for _, it := range items {
			if Match(pattern, it.m, false) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	w.WriteArray(2)
	w.WriteBulkString(strconv.FormatUint(cursor, 10))
	w.WriteArray(2 * len(items))
	var buf [32]byte
	for _, it := range items {
		w.WriteBulkString(it.m)
		if small {
			w.WriteBulk(appendListpackScore(buf[:0], it.s))
		} else {
			w.WriteBulk(appendScore(buf[:0], it.s))
		}
	}
}
