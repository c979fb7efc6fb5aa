package core

import (
	"bytes"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Set commands. The value type and its encodings live in
// keyspace/set.go; multi-key operations are in cmd_setops.go.

func registerSetCommands(t *Table) {
	t.Add("sadd", cmdSAdd)
	t.Add("srem", cmdSRem)
	t.Add("scard", cmdSCard)
	t.Add("sismember", cmdSIsMember)
	t.Add("smismember", cmdSMIsMember)
	t.Add("smembers", cmdSMembers)
	t.Add("srandmember", cmdSRandMember)
	t.Add("spop", cmdSPop)
	t.Add("smove", cmdSMove)
	t.Add("sinter", func(ctx *Ctx) { setInter(ctx, ctx.Args[1:], nil, false, 0) })
	t.Add("sintercard", cmdSInterCard)
	t.Add("sinterstore", func(ctx *Ctx) { setInter(ctx, ctx.Args[2:], ctx.Args[1], false, 0) })
	t.Add("sunion", func(ctx *Ctx) { setUnionDiff(ctx, ctx.Args[1:], nil, false) })
	t.Add("sunionstore", func(ctx *Ctx) { setUnionDiff(ctx, ctx.Args[2:], ctx.Args[1], false) })
	t.Add("sdiff", func(ctx *Ctx) { setUnionDiff(ctx, ctx.Args[1:], nil, true) })
	t.Add("sdiffstore", func(ctx *Ctx) { setUnionDiff(ctx, ctx.Args[2:], ctx.Args[1], true) })
	t.Add("sscan", cmdSScan)
}

func setMaxIntset(ctx *Ctx) int64 { return ctx.S.Config.SetMaxIntset() }

// setRead returns the set under key, nil when the key is missing; ok is
// false after a WRONGTYPE reply.
func setRead(ctx *Ctx, key []byte) (s *keyspace.Set, ok bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindSet)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.Set), true
}

// setWrite returns the set under key for modification, nil when the key
// is missing; ok is false after a WRONGTYPE reply.
func setWrite(ctx *Ctx, key []byte) (s *keyspace.Set, ok bool) {
	e, ok := ctx.WriteKind(key, keyspace.KindSet)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.Set), true
}

// setCreate stores a new empty set under key (the caller fills it).
func setCreate(ctx *Ctx, key []byte) *keyspace.Set {
	s := keyspace.NewSet()
	e := ctx.DB.Set(keyspace.Str(key), s, false)
	ctx.S.created(e, ctx.Now)
	ctx.Notify(NotifyNew, "new", key)
	return s
}

// writeSetMembers writes s as a RESP3 set (an array in RESP2).
func writeSetMembers(w ReplyWriter, s *keyspace.Set) {
	w.WriteSet(s.Len())
	if s.IsIntset() {
		var buf [20]byte
		for _, v := range s.Ints() {
			w.WriteBulk(strconv.AppendInt(buf[:0], v, 10))
		}
		return
	}
	s.Range(func(m []byte) bool {
		w.WriteBulk(m)
		return true
	})
}

func cmdSAdd(ctx *Ctx) {
	s, ok := setWrite(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		s = setCreate(ctx, ctx.Args[1])
	}
	maxIntset := setMaxIntset(ctx)
	added := int64(0)
	for _, m := range ctx.Args[2:] {
		if s.Add(m, maxIntset) {
			added++
		}
	}
	if added > 0 {
		ctx.Modified(ctx.Args[1])
		ctx.Notify(NotifySet, "sadd", ctx.Args[1])
	}
	ctx.W.WriteInt(added)
}

func cmdSRem(ctx *Ctx) {
	s, ok := setWrite(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteInt(0)
		return
	}
	removed := int64(0)
	for _, m := range ctx.Args[2:] {
		if s.Remove(m) {
			removed++
			if s.Len() == 0 {
				ctx.Delete(ctx.Args[1])
				ctx.Notify(NotifySet, "srem", ctx.Args[1])
				ctx.Notify(NotifyGeneric, "del", ctx.Args[1])
				ctx.W.WriteInt(removed)
				return
			}
		}
	}
	if removed > 0 {
		ctx.Modified(ctx.Args[1])
		ctx.Notify(NotifySet, "srem", ctx.Args[1])
	}
	ctx.W.WriteInt(removed)
}

func cmdSCard(ctx *Ctx) {
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(int64(s.Len()))
}

func cmdSIsMember(ctx *Ctx) {
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s != nil && s.Has(ctx.Args[2]) {
		ctx.W.WriteInt(1)
		return
	}
	ctx.W.WriteInt(0)
}

func cmdSMIsMember(ctx *Ctx) {
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, m := range ctx.Args[2:] {
		if s != nil && s.Has(m) {
			ctx.W.WriteInt(1)
		} else {
			ctx.W.WriteInt(0)
		}
	}
}

func cmdSMembers(ctx *Ctx) {
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteSet(0)
		return
	}
	writeSetMembers(ctx.W, s)
}

func cmdSRandMember(ctx *Ctx) {
	if len(ctx.Args) == 3 {
		setRandMemberCount(ctx)
		return
	}
	if len(ctx.Args) > 3 {
		ctx.SyntaxError()
		return
	}
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteNull()
		return
	}
	var buf [20]byte
	ctx.W.WriteBulk(s.Random(buf[:0]))
}

// setRandMemberCount is SRANDMEMBER with a count: positive for distinct
// members (at most all of them), negative for -count independent samples.
func setRandMemberCount(ctx *Ctx) {
	l, ok := parseCountRange(ctx, 2)
	if !ok {
		return
	}
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil || l == 0 {
		ctx.W.WriteArray(0)
		return
	}
	w := ctx.W
	size := s.Len()
	if l < 0 || l == 1 {
		count := uint64(l)
		if l < 0 {
			count = uint64(-l)
		}
		w.WriteArray(int(count))
		var buf [20]byte
		for ; count > 0; count-- {
			w.WriteBulk(s.Random(buf[:0]))
		}
		return
	}
	if l >= int64(size) {
		w.WriteArray(size)
		s.Range(func(m []byte) bool {
			w.WriteBulk(m)
			return true
		})
		return
	}
	n := int(l)
	w.WriteArray(n)
	if s.IsIntset() || n*3 > size {
		members := s.Members()
		shuffleFirst(members, n)
		for _, m := range members[:n] {
			w.WriteBulkString(m)
		}
		return
	}
	seen := make(map[string]struct{}, n)
	for len(seen) < n {
		m := s.Random(nil) // a dict key: stable, not copied
		if _, dup := seen[keyspace.Str(m)]; dup {
			continue
		}
		seen[keyspace.Str(m)] = struct{}{}
		w.WriteBulk(m)
	}
}

func cmdSPop(ctx *Ctx) {
	if len(ctx.Args) == 3 {
		setPopCount(ctx)
		return
	}
	if len(ctx.Args) > 3 {
		ctx.SyntaxError()
		return
	}
	key := ctx.Args[1]
	s, ok := setWrite(ctx, key)
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteNull()
		return
	}
	m := s.PopRandom()
	ctx.Propagate([]byte("SREM"), key, []byte(m))
	ctx.Notify(NotifySet, "spop", key)
	if s.Len() == 0 {
		ctx.Delete(key)
		ctx.Notify(NotifyGeneric, "del", key)
	} else {
		ctx.Modified(key)
	}
	ctx.W.WriteBulkString(m)
}

func setPopCount(ctx *Ctx) {
	count, ok := ParseInt(ctx.Args[2])
	if !ok || count < 0 {
		ctx.Error(ErrMustBePositive)
		return
	}
	key := ctx.Args[1]
	s, ok := setWrite(ctx, key)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		ctx.W.WriteSet(0)
		return
	}
	if count >= int64(s.Len()) {
		// Everything: Redis answers with the union of the set alone, which
		// comes back sorted when the members fit an intset.
		if s.IsIntset() {
			writeSetMembers(ctx.W, s)
		} else {
			writeSetMembers(ctx.W, setUnionOf(ctx, []*keyspace.Set{s}))
		}
		ctx.Propagate([]byte("DEL"), key)
		ctx.Notify(NotifySet, "spop", key)
		ctx.Delete(key)
		ctx.Notify(NotifyGeneric, "del", key)
		return
	}
	ctx.W.WriteSet(int(count))
	for ; count > 0; count-- {
		m := s.PopRandom()
		ctx.W.WriteBulkString(m)
		// One SREM per member (in MULTI/EXEC), as Redis 7.0 writes it.
		ctx.Propagate([]byte("SREM"), key, []byte(m))
	}
	ctx.Modified(key)
	ctx.Notify(NotifySet, "spop", key)
}

func cmdSMove(ctx *Ctx) {
	srcKey, dstKey, member := ctx.Args[1], ctx.Args[2], ctx.Args[3]
	srcE := ctx.Write(srcKey)
	dstE := ctx.Write(dstKey)
	if srcE == nil {
		ctx.W.WriteInt(0)
		return
	}
	if srcE.Kind() != keyspace.KindSet || dstE != nil && dstE.Kind() != keyspace.KindSet {
		ctx.Error(ErrWrongType)
		return
	}
	src := srcE.Value.(*keyspace.Set)
	if bytes.Equal(srcKey, dstKey) {
		if src.Has(member) {
			ctx.W.WriteInt(1)
		} else {
			ctx.W.WriteInt(0)
		}
		return
	}
	if !src.Remove(member) {
		ctx.W.WriteInt(0)
		return
	}
	var dst *keyspace.Set
	if dstE != nil {
		dst = dstE.Value.(*keyspace.Set)
	}
	ctx.Notify(NotifySet, "srem", srcKey)
	if src.Len() == 0 {
		ctx.Delete(srcKey)
		ctx.Notify(NotifyGeneric, "del", srcKey)
	} else {
		ctx.Modified(srcKey)
	}
	if dst == nil {
		dst = setCreate(ctx, dstKey)
	}
	if dst.Add(member, setMaxIntset(ctx)) {
		ctx.Modified(dstKey)
		ctx.Notify(NotifySet, "sadd", dstKey)
	}
	ctx.W.WriteInt(1)
}

func cmdSInterCard(ctx *Ctx) {
	numkeys, ok := ParseInt(ctx.Args[1])
	if !ok || numkeys < 1 {
		ctx.Error(ErrNumkeysZero)
		return
	}
	if numkeys > int64(len(ctx.Args)-2) {
		ctx.Error(ErrNumkeysTooMany)
		return
	}
	limit := int64(0)
	for j := 2 + int(numkeys); j < len(ctx.Args); j++ {
		if ctx.ArgIs(j, "limit") && j+1 < len(ctx.Args) {
			j++
			n, ok := ParseInt(ctx.Args[j])
			if !ok || n < 0 {
				ctx.Error(ErrLimitNegative)
				return
			}
			limit = n
		} else {
			ctx.SyntaxError()
			return
		}
	}
	setInter(ctx, ctx.Args[2:2+numkeys], nil, true, limit)
}

func cmdSScan(ctx *Ctx) {
	cursor, ok := ParseScanCursor(ctx.Args[2])
	if !ok {
		ctx.Error(ErrInvalidCursor)
		return
	}
	s, ok := setRead(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		writeEmptyScan(ctx.W)
		return
	}
	opts, ok := parseCollScanOpts(ctx, 3)
	if !ok {
		return
	}
	var items []string
	if s.IsIntset() {
		items = s.Members()
		cursor = 0
	} else {
		limit := collScanLimit(opts.count)
		for {
			cursor = s.Scan(cursor, func(m string) { items = append(items, m) })
			if cursor == 0 || limit == 0 || int64(len(items)) >= opts.count {
				break
			}
			limit--
		}
	}
	if opts.match {
		kept := items[:0]
		for _, m := range items {
			if Match(opts.pattern, m, false) {
				kept = append(kept, m)
			}
		}
		items = kept
	}
	ctx.W.WriteArray(2)
	ctx.W.WriteBulkString(strconv.FormatUint(cursor, 10))
	ctx.W.WriteArray(len(items))
	for _, m := range items {
		ctx.W.WriteBulkString(m)
	}
}
