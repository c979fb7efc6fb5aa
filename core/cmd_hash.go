package core

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Hash commands. The value type and its encodings live in
// keyspace/hash.go; the thresholds are read from the configuration on
// every write, so CONFIG SET applies to the next command.

func registerHashCommands(t *Table) {
	t.Add("hset", cmdHSet)
	t.Add("hmset", cmdHSet)
	t.Add("hsetnx", cmdHSetNX)
	t.Add("hget", cmdHGet)
	t.Add("hmget", cmdHMGet)
	t.Add("hdel", cmdHDel)
	t.Add("hlen", cmdHLen)
	t.Add("hstrlen", cmdHStrLen)
	t.Add("hexists", cmdHExists)
	t.Add("hkeys", func(ctx *Ctx) { hashGetAll(ctx, true, false) })
	t.Add("hvals", func(ctx *Ctx) { hashGetAll(ctx, false, true) })
	t.Add("hgetall", func(ctx *Ctx) { hashGetAll(ctx, true, true) })
	t.Add("hincrby", cmdHIncrBy)
	t.Add("hincrbyfloat", cmdHIncrByFloat)
	t.Add("hrandfield", cmdHRandField)
	t.Add("hscan", cmdHScan)
}

// hashLimits returns hash-max-listpack-entries and hash-max-listpack-value.
func hashLimits(ctx *Ctx) (entries, value int64) {
	return ctx.S.Config.HashLimits()
}

// hashRead returns the hash under key, nil when the key is missing; ok is
// false after a WRONGTYPE reply.
func hashRead(ctx *Ctx, key []byte) (h *keyspace.Hash, ok bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindHash)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.Hash), true
}

// hashWrite returns the hash under key for modification, creating an
// empty one when create is set (the caller then makes it non-empty);
// ok is false after a WRONGTYPE reply.
func hashWrite(ctx *Ctx, key []byte, create bool) (h *keyspace.Hash, ok bool) {
	e, ok := ctx.WriteKind(key, keyspace.KindHash)
	if !ok {
		return nil, false
	}
	if e != nil {
		return e.Value.(*keyspace.Hash), true
	}
	if !create {
		return nil, true
	}
	h = keyspace.NewHash()
	e = ctx.DB.Set(keyspace.Str(key), h, false)
	ctx.S.created(e, ctx.Now)
	ctx.Notify(NotifyNew, "new", key)
	return h, true
}

func cmdHSet(ctx *Ctx) {
	if len(ctx.Args)%2 == 1 {
		ctx.WrongArity()
		return
	}
	h, ok := hashWrite(ctx, ctx.Args[1], true)
	if !ok {
		return
	}
	maxEntries, maxValue := hashLimits(ctx)
	if h.IsListpack() && keyspace.TooLong(ctx.Args[2:], maxValue) {
		h.Convert()
	}
	if h.IsListpack() {
		extra := 0
		for _, a := range ctx.Args[2:] {
			extra += len(a) + 1
			if len(a) >= 0x80 {
				extra += 2
			}
		}
		h.Reserve(extra)
	}
	created := int64(0)
	for i := 2; i < len(ctx.Args); i += 2 {
		if h.Set(ctx.Args[i], ctx.Args[i+1], maxEntries, maxValue) {
			created++
		}
	}
	ctx.Modified(ctx.Args[1])
	ctx.Notify(NotifyHash, "hset", ctx.Args[1])
	if ctx.Cmd.Name == "hmset" {
		ctx.OK()
		return
	}
	ctx.W.WriteInt(created)
}

func cmdHSetNX(ctx *Ctx) {
	h, ok := hashWrite(ctx, ctx.Args[1], true)
	if !ok {
		return
	}
	if h.Exists(ctx.Args[2]) {
		ctx.W.WriteInt(0)
		return
	}
	maxEntries, maxValue := hashLimits(ctx)
	h.Set(ctx.Args[2], ctx.Args[3], maxEntries, maxValue)
	ctx.Modified(ctx.Args[1])
	ctx.Notify(NotifyHash, "hset", ctx.Args[1])
	ctx.W.WriteInt(1)
}

func cmdHGet(ctx *Ctx) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h != nil {
		if v, found := h.Get(ctx.Args[2]); found {
			ctx.W.WriteBulk(v)
			return
		}
	}
	ctx.W.WriteNull()
}

func cmdHMGet(ctx *Ctx) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, f := range ctx.Args[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				ctx.W.WriteBulk(v)
				continue
			}
		}
		ctx.W.WriteNull()
	}
}

func cmdHDel(ctx *Ctx) {
	h, ok := hashWrite(ctx, ctx.Args[1], false)
	if !ok {
		return
	}
	if h == nil {
		ctx.W.WriteInt(0)
		return
	}
	deleted := int64(0)
	for _, f := range ctx.Args[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				ctx.Delete(ctx.Args[1])
				ctx.Notify(NotifyHash, "hdel", ctx.Args[1])
				ctx.Notify(NotifyGeneric, "del", ctx.Args[1])
				ctx.W.WriteInt(deleted)
				return
			}
		}
	}
	if deleted > 0 {
		ctx.Modified(ctx.Args[1])
		ctx.Notify(NotifyHash, "hdel", ctx.Args[1])
	}
	ctx.W.WriteInt(deleted)
}

func cmdHLen(ctx *Ctx) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h == nil {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(int64(h.Len()))
}

func cmdHStrLen(ctx *Ctx) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		v, _ := h.Get(ctx.Args[2])
		n = len(v)
	}
	ctx.W.WriteInt(int64(n))
}

func cmdHExists(ctx *Ctx) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h != nil && h.Exists(ctx.Args[2]) {
		ctx.W.WriteInt(1)
		return
	}
	ctx.W.WriteInt(0)
}

// hashGetAll serves HKEYS, HVALS (arrays) and HGETALL (a map).
func hashGetAll(ctx *Ctx, fields, values bool) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		ctx.W.WriteMap(n)
	} else {
		ctx.W.WriteArray(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f, v []byte) bool {
		if fields {
			ctx.W.WriteBulk(f)
		}
		if values {
			ctx.W.WriteBulk(v)
		}
		return true
	})
}

func cmdHIncrBy(ctx *Ctx) {
	incr, ok := ctx.Int(3)
	if !ok {
		return
	}
	h, ok := hashWrite(ctx, ctx.Args[1], true)
	if !ok {
		return
	}
	var value int64
	if cur, found := h.Get(ctx.Args[2]); found {
		if value, ok = keyspace.ParseInt(cur); !ok {
			ctx.Error(ErrHashNotInteger)
			return
		}
	}
	if incr < 0 && value < 0 && incr < math.MinInt64-value ||
		incr > 0 && value > 0 && incr > math.MaxInt64-value {
		ctx.Error(ErrOverflow)
		return
	}
	value += incr
	var buf [20]byte
	maxEntries, maxValue := hashLimits(ctx)
	h.Set(ctx.Args[2], strconv.AppendInt(buf[:0], value, 10), maxEntries, maxValue)
	ctx.Modified(ctx.Args[1])
	ctx.Notify(NotifyHash, "hincrby", ctx.Args[1])
	ctx.W.WriteInt(value)
}

func cmdHIncrByFloat(ctx *Ctx) {
	incr, ok := ParseLongDouble(ctx.Args[3])
	if !ok {
		ctx.Error(ErrNotFloat)
		return
	}
	if !incr.Finite() {
		ctx.Error(ErrNaNOrInfinity)
		return
	}
	h, ok := hashWrite(ctx, ctx.Args[1], true)
	if !ok {
		return
	}
	var sum LongDouble
	if cur, found := h.Get(ctx.Args[2]); found {
		if sum, ok = ParseLongDouble(cur); !ok {
			ctx.Error(ErrHashNotFloat)
			return
		}
	}
	sum = sum.Add(incr)
	if !sum.Finite() {
		ctx.Error(ErrIncrNaNInf)
		return
	}
	res := sum.AppendHuman(nil)
	maxEntries, maxValue := hashLimits(ctx)
	h.Set(ctx.Args[2], res, maxEntries, maxValue)
	ctx.Modified(ctx.Args[1])
	ctx.Notify(NotifyHash, "hincrbyfloat", ctx.Args[1])
	ctx.W.WriteBulk(res)
}

func cmdHRandField(ctx *Ctx) {
	if len(ctx.Args) >= 3 {
		l, ok := parseCountRange(ctx, 2)
		if !ok {
			return
		}
		withValues := false
		if len(ctx.Args) > 4 || len(ctx.Args) == 4 && !ctx.ArgIs(3, "withvalues") {
			ctx.SyntaxError()
			return
		} else if len(ctx.Args) == 4 {
			withValues = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				ctx.Error(ErrOutOfRange)
				return
			}
		}
		hashRandFieldCount(ctx, l, withValues)
		return
	}
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h == nil {
		ctx.W.WriteNull()
		return
	}
	f, _ := h.Random()
	ctx.W.WriteBulk(f)
}

// hashRandFieldCount is HRANDFIELD with a count: a positive count asks for
// distinct fields (at most all of them), a negative one for -count fields
// sampled independently. With values, RESP2 gets a flat array and RESP3
// an array of pairs.
func hashRandFieldCount(ctx *Ctx, l int64, withValues bool) {
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		ctx.W.WriteArray(0)
		return
	}
	w := ctx.W
	resp3 := w.Resp() > 2
	header := func(n int) {
		if withValues && !resp3 {
			w.WriteArray(2 * n)
		} else {
			w.WriteArray(n)
		}
	}
	pair := func(f, v []byte) {
		if withValues && resp3 {
			w.WriteArray(2)
		}
		w.WriteBulk(f)
		if withValues {
			w.WriteBulk(v)
		}
	}
	size := h.Len()
	uniq := l > 0
	count := uint64(l)
	if !uniq {
		count = uint64(-l)
	}
	// Independent samples (also a single distinct field).
	if !uniq || count == 1 {
		header(int(count))
		if h.IsListpack() {
			pairs := h.Pairs()
			for ; count > 0; count-- {
				i := 2 * rand.IntN(size)
				pair(pairs[i], pairs[i+1])
			}
			return
		}
		for ; count > 0; count-- {
			pair(h.Random())
		}
		return
	}
	// The whole hash, in its iteration order.
	if count >= uint64(size) {
		header(size)
		h.Range(func(f, v []byte) bool {
			pair(f, v)
			return true
		})
		return
	}
	n := int(count)
	header(n)
	// Distinct fields: pick from the listed pairs when the hash is small or
	// count is a large share of it, else sample until enough are distinct.
	if h.IsListpack() || n*3 > size {
		pairs := h.Pairs()
		idx := make([]int, size)
		for i := range idx {
			idx[i] = i
		}
		shuffleFirst(idx, n)
		for _, i := range idx[:n] {
			pair(pairs[2*i], pairs[2*i+1])
		}
		return
	}
	seen := make(map[string]struct{}, n)
	for len(seen) < n {
		f, v := h.Random()
		if _, dup := seen[keyspace.Str(f)]; dup {
			continue
		}
		seen[keyspace.Str(f)] = struct{}{} // f is a dict key: stable
		pair(f, v)
	}
}

func cmdHScan(ctx *Ctx) {
	cursor, ok := ParseScanCursor(ctx.Args[2])
	if !ok {
		ctx.Error(ErrInvalidCursor)
		return
	}
	h, ok := hashRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if h == nil {
		writeEmptyScan(ctx.W)
		return
	}
	opts, ok := parseCollScanOpts(ctx, 3)
	if !ok {
		return
	}
	var items [][]byte // field, value, field, value...
	if h.IsListpack() {
		items = h.Pairs()
		cursor = 0
	} else {
		count := opts.count
		if count <= math.MaxInt64/2 {
			count *= 2
		}
		limit := collScanLimit(count)
		for {
			cursor = h.Scan(cursor, func(f, v []byte) { items = append(items, f, v) })
			if cursor == 0 || limit == 0 || int64(len(items)) >= count {
				break
			}
			limit--
		}
	}
	if opts.match {
		kept := items[:0]
		for i := 0; i < len(items); i += 2 {
			if Match(opts.pattern, keyspace.Str(items[i]), false) {
				kept = append(kept, items[i], items[i+1])
			}
		}
		items = kept
	}
	ctx.W.WriteArray(2)
	ctx.W.WriteBulkString(strconv.FormatUint(cursor, 10))
	ctx.W.WriteArray(len(items))
	for _, it := range items {
		ctx.W.WriteBulk(it)
	}
}
