package core

import (
	"bytes"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// List commands (Redis 7.0 t_list.c semantics). Blocking forms are in
// cmd_list_block.go.

func registerListCommands(t *Table) {
	t.Add("lpush", func(ctx *Ctx) { listPush(ctx, true, false) })
	t.Add("rpush", func(ctx *Ctx) { listPush(ctx, false, false) })
	t.Add("lpushx", func(ctx *Ctx) { listPush(ctx, true, true) })
	t.Add("rpushx", func(ctx *Ctx) { listPush(ctx, false, true) })
	t.Add("lpop", func(ctx *Ctx) { listPop(ctx, true) })
	t.Add("rpop", func(ctx *Ctx) { listPop(ctx, false) })
	t.Add("llen", cmdLlen)
	t.Add("lrange", cmdLrange)
	t.Add("lindex", cmdLindex)
	t.Add("lset", cmdLset)
	t.Add("linsert", cmdLinsert)
	t.Add("lrem", cmdLrem)
	t.Add("ltrim", cmdLtrim)
	t.Add("lpos", cmdLpos)
	t.Add("lmove", cmdLmove)
	t.Add("rpoplpush", cmdRpoplpush)
	t.Add("lmpop", cmdLmpop)
	t.Add("blpop", func(ctx *Ctx) { cmdBpop(ctx, true) })
	t.Add("brpop", func(ctx *Ctx) { cmdBpop(ctx, false) })
	t.Add("blmove", cmdBlmove)
	t.Add("brpoplpush", cmdBrpoplpush)
	t.Add("blmpop", cmdBlmpop)
}

const (
	errListPositive = "ERR value is out of range, must be positive"
	errLposRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	errLposCount    = "ERR COUNT can't be negative"
	errLposMaxlen   = "ERR MAXLEN can't be negative"
	errLmpopCount   = "ERR count should be greater than 0"
)

// listArgRange parses argument i as an integer within [lo, hi]. Like
// Redis's getRangeLongFromObjectOrReply, a custom msg replaces both the
// "not an integer" and the range error.
func listArgRange(ctx *Ctx, i int, lo, hi int64, msg string) (int64, bool) {
	n, ok := ParseInt(ctx.Args[i])
	if !ok {
		if msg != "" {
			ctx.Error(msg)
		} else {
			ctx.Error(ErrNotInteger)
		}
		return 0, false
	}
	if n < lo || n > hi {
		if msg != "" {
			ctx.Error(msg)
		} else {
			ctx.Errorf("ERR value is out of range, value must between %d and %d", lo, hi)
		}
		return 0, false
	}
	return n, true
}

// listWhere parses LEFT / RIGHT; it reports front == true for LEFT.
func listWhere(ctx *Ctx, i int) (front, ok bool) {
	switch {
	case ctx.ArgIs(i, "left"):
		return true, true
	case ctx.ArgIs(i, "right"):
		return false, true
	}
	ctx.SyntaxError()
	return false, false
}

// readList looks key up for reading; ok is false after a WRONGTYPE reply.
func readList(ctx *Ctx, key []byte) (*keyspace.List, bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindList)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.List), true
}

// writeList looks key up for writing; ok is false after a WRONGTYPE reply.
func writeList(ctx *Ctx, key []byte) (*keyspace.List, bool) {
	e, ok := ctx.WriteKind(key, keyspace.KindList)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.List), true
}

// createList stores a new empty list under key. The caller fills it and
// signals the change.
func createList(ctx *Ctx, key []byte) *keyspace.List {
	l := keyspace.NewList()
	e := ctx.DB.Set(keyspace.Str(key), l, false)
	ctx.S.created(e, ctx.Now)
	ctx.Notify(NotifyNew, "new", key)
	return l
}

// listChanged signals n element changes to key and sends the keyspace
// event, deleting the key when the list has become empty (event "del"),
// as Redis never keeps empty aggregates.
func listChanged(ctx *Ctx, key []byte, l *keyspace.List, n int, event string) {
	ctx.Notify(NotifyList, event, key)
	if l.Len() == 0 {
		ctx.DB.Delete(keyspace.Str(key))
		ctx.Notify(NotifyGeneric, "del", key)
	}
	ctx.Modified(key)
	ctx.S.Dirty += int64(n - 1)
}

func listPopEnd(l *keyspace.List, front bool) []byte {
	var v []byte
	if front {
		v, _ = l.PopFront()
	} else {
		v, _ = l.PopBack()
	}
	return v
}

// popEvent and pushEvent name the keyspace events of a pop or push at
// the head (front) or the tail.
func popEvent(front bool) string {
	if front {
		return "lpop"
	}
	return "rpop"
}

func pushEvent(front bool) string {
	if front {
		return "lpush"
	}
	return "rpush"
}

func listPushEnd(l *keyspace.List, front bool, v []byte) {
	if front {
		l.PushFront(v)
	} else {
		l.PushBack(v)
	}
}

func listPush(ctx *Ctx, front, xx bool) {
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		if xx {
			ctx.W.WriteInt(0)
			return
		}
		l = createList(ctx, key)
	}
	for _, v := range ctx.Args[2:] {
		listPushEnd(l, front, v)
	}
	listChanged(ctx, key, l, len(ctx.Args)-2, pushEvent(front))
	ctx.W.WriteInt(int64(l.Len()))
}

func listPop(ctx *Ctx, front bool) {
	if len(ctx.Args) > 3 {
		ctx.WrongArity()
		return
	}
	hasCount := len(ctx.Args) == 3
	var count int64
	if hasCount {
		var ok bool
		if count, ok = listArgRange(ctx, 2, 0, 1<<63-1, errListPositive); !ok {
			return
		}
	}
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		if hasCount {
			ctx.W.WriteNullArray()
		} else {
			ctx.W.WriteNull()
		}
		return
	}
	if !hasCount {
		ctx.W.WriteBulk(listPopEnd(l, front))
		listChanged(ctx, key, l, 1, popEvent(front))
		return
	}
	if count == 0 {
		ctx.W.WriteArray(0)
		return
	}
	n := listPopN(ctx.W, l, front, count)
	listChanged(ctx, key, l, n, popEvent(front))
}

// listPopN pops up to count elements from one end, replying with them as
// an array in pop order, and returns how many were popped.
func listPopN(w ReplyWriter, l *keyspace.List, front bool, count int64) int {
	n := l.Len()
	if count < int64(n) {
		n = int(count)
	}
	w.WriteArray(n)
	for i := 0; i < n; i++ {
		w.WriteBulk(listPopEnd(l, front))
	}
	return n
}

func cmdLlen(ctx *Ctx) {
	l, ok := readList(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(int64(l.Len()))
}

// listNormRange converts LRANGE/LTRIM style indexes; empty reports an
// empty range, otherwise 0 <= start <= end < n.
func listNormRange(start, end int64, n int) (s, e int, empty bool) {
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
		return 0, 0, true
	}
	if end >= ln {
		end = ln - 1
	}
	return int(start), int(end), false
}

func cmdLrange(ctx *Ctx) {
	start, ok := ctx.Int(2)
	if !ok {
		return
	}
	end, ok := ctx.Int(3)
	if !ok {
		return
	}
	l, ok := readList(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteArray(0)
		return
	}
	s, e, empty := listNormRange(start, end, l.Len())
	if empty {
		ctx.W.WriteArray(0)
		return
	}
	ctx.W.WriteArray(e - s + 1)
	it := l.Iter(s, false)
	for i := s; i <= e && it.Next(); i++ {
		ctx.W.WriteBulk(it.Value())
	}
}

func cmdLindex(ctx *Ctx) {
	l, ok := readList(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteNull()
		return
	}
	idx, ok := ctx.Int(2)
	if !ok {
		return
	}
	if idx < -int64(l.Len()) || idx >= int64(l.Len()) {
		ctx.W.WriteNull()
		return
	}
	v, _ := l.Index(int(idx))
	ctx.W.WriteBulk(v)
}

func cmdLset(ctx *Ctx) {
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		ctx.Error(ErrNoSuchKey)
		return
	}
	idx, ok := ctx.Int(2)
	if !ok {
		return
	}
	if idx < -int64(l.Len()) || idx >= int64(l.Len()) || !l.Set(int(idx), ctx.Args[3]) {
		ctx.Error(ErrIndexOutOfRange)
		return
	}
	ctx.Modified(key)
	ctx.Notify(NotifyList, "lset", key)
	ctx.OK()
}

func cmdLinsert(ctx *Ctx) {
	var after bool
	switch {
	case ctx.ArgIs(2, "after"):
		after = true
	case ctx.ArgIs(2, "before"):
	default:
		ctx.SyntaxError()
		return
	}
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteInt(0)
		return
	}
	if !l.Insert(ctx.Args[3], ctx.Args[4], after) {
		ctx.W.WriteInt(-1)
		return
	}
	ctx.Modified(key)
	ctx.Notify(NotifyList, "linsert", key)
	ctx.W.WriteInt(int64(l.Len()))
}

func cmdLrem(ctx *Ctx) {
	count, ok := ctx.Int(2)
	if !ok {
		return
	}
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteInt(0)
		return
	}
	// Counts beyond the list's length mean "all from that end".
	c := count
	if c > int64(l.Len()) {
		c = int64(l.Len())
	} else if c < -int64(l.Len()) {
		c = -int64(l.Len())
	}
	removed := l.Remove(ctx.Args[3], int(c))
	if removed > 0 {
		listChanged(ctx, key, l, removed, "lrem")
	}
	ctx.W.WriteInt(int64(removed))
}

func cmdLtrim(ctx *Ctx) {
	start, ok := ctx.Int(2)
	if !ok {
		return
	}
	end, ok := ctx.Int(3)
	if !ok {
		return
	}
	key := ctx.Args[1]
	l, ok := writeList(ctx, key)
	if !ok {
		return
	}
	if l == nil {
		ctx.OK()
		return
	}
	n := l.Len()
	ltrim, rtrim := n, 0
	if s, e, empty := listNormRange(start, end, n); !empty {
		ltrim, rtrim = s, n-e-1
	}
	l.TrimFront(ltrim)
	l.TrimBack(rtrim)
	listChanged(ctx, key, l, ltrim+rtrim, "ltrim")
	ctx.OK()
}

func cmdLpos(ctx *Ctx) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(ctx.Args); j++ {
		more := len(ctx.Args) - 1 - j
		var ok bool
		switch {
		case ctx.ArgIs(j, "rank") && more > 0:
			j++
			if rank, ok = ctx.Int(j); !ok {
				return
			}
			if rank == 0 {
				ctx.Error(errLposRankZero)
				return
			}
		case ctx.ArgIs(j, "count") && more > 0:
			j++
			if count, ok = listArgRange(ctx, j, 0, 1<<63-1, errLposCount); !ok {
				return
			}
		case ctx.ArgIs(j, "maxlen") && more > 0:
			j++
			if maxlen, ok = listArgRange(ctx, j, 0, 1<<63-1, errLposMaxlen); !ok {
				return
			}
		default:
			ctx.SyntaxError()
			return
		}
	}
	rev := false
	if rank < 0 {
		// Negating the smallest int64 leaves it negative, which (as in
		// Redis) makes every match qualify.
		rank = -rank
		rev = true
	}
	l, ok := readList(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			ctx.W.WriteArray(0)
		} else {
			ctx.W.WriteNull()
		}
		return
	}
	ele := ctx.Args[2]
	n := int64(l.Len())
	var it keyspace.ListIter
	if rev {
		it = l.Iter(int(n-1), true)
	} else {
		it = l.Iter(0, false)
	}
	var found []int64
	var matches int64
	for index := int64(0); (maxlen == 0 || index < maxlen) && it.Next(); index++ {
		if !bytes.Equal(it.Value(), ele) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		pos := index
		if rev {
			pos = n - index - 1
		}
		found = append(found, pos)
		if count == -1 || count != 0 && matches-rank+1 >= count {
			break
		}
	}
	if count != -1 {
		ctx.W.WriteArray(len(found))
		for _, p := range found {
			ctx.W.WriteInt(p)
		}
		return
	}
	if len(found) == 0 {
		ctx.W.WriteNull()
		return
	}
	ctx.W.WriteInt(found[0])
}

func cmdLmove(ctx *Ctx) {
	from, ok := listWhere(ctx, 3)
	if !ok {
		return
	}
	to, ok := listWhere(ctx, 4)
	if !ok {
		return
	}
	listMove(ctx, ctx.Args[1], ctx.Args[2], from, to)
}

func cmdRpoplpush(ctx *Ctx) { listMove(ctx, ctx.Args[1], ctx.Args[2], false, true) }

// listMove is LMOVE: it pops from src and pushes to dst, replying with
// the element, or null when src does not exist.
func listMove(ctx *Ctx, src, dst []byte, from, to bool) {
	l, ok := writeList(ctx, src)
	if !ok {
		return
	}
	if l == nil {
		ctx.W.WriteNull()
		return
	}
	listMoveFrom(ctx, l, src, dst, from, to)
}

// listMoveFrom moves one element of the non-empty list l (under src) to
// dst, replying WRONGTYPE (and moving nothing) when dst is not a list.
func listMoveFrom(ctx *Ctx, l *keyspace.List, src, dst []byte, from, to bool) {
	d, ok := writeList(ctx, dst)
	if !ok {
		return
	}
	v := listPopEnd(l, from)
	if d == nil {
		d = createList(ctx, dst)
	} else if d == l {
		v = bytes.Clone(v) // pushing may reuse the bytes just popped
	}
	listPushEnd(d, to, v)
	ctx.Modified(dst)
	ctx.Notify(NotifyList, pushEvent(to), dst)
	ctx.W.WriteBulk(v)
	listChanged(ctx, src, l, 1, popEvent(from))
}

// lmpopArgs parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at
// argument i; count defaults to 1.
func lmpopArgs(ctx *Ctx, i int) (keys [][]byte, front bool, count int64, ok bool) {
	numkeys, ok := listArgRange(ctx, i, 1, 1<<63-1, ErrNumkeysZero)
	if !ok {
		return nil, false, 0, false
	}
	if numkeys >= int64(len(ctx.Args)-i-1) {
		ctx.SyntaxError()
		return nil, false, 0, false
	}
	where := i + int(numkeys) + 1
	if front, ok = listWhere(ctx, where); !ok {
		return nil, false, 0, false
	}
	count = -1
	for j := where + 1; j < len(ctx.Args); j++ {
		if count == -1 && ctx.ArgIs(j, "count") && j < len(ctx.Args)-1 {
			j++
			if count, ok = listArgRange(ctx, j, 1, 1<<63-1, errLmpopCount); !ok {
				return nil, false, 0, false
			}
			continue
		}
		ctx.SyntaxError()
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return ctx.Args[i+1 : where], front, count, true
}

func cmdLmpop(ctx *Ctx) {
	keys, front, count, ok := lmpopArgs(ctx, 1)
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
		listPopWithKey(ctx, l, k, front, count)
		return
	}
	ctx.W.WriteNullArray()
}

// listPopWithKey replies [key, [elements...]] popping up to count.
func listPopWithKey(ctx *Ctx, l *keyspace.List, key []byte, front bool, count int64) {
	ctx.W.WriteArray(2)
	ctx.W.WriteBulk(key)
	n := listPopN(ctx.W, l, front, count)
	ctx.Propagate(popName(front), key, strconv.AppendInt(nil, int64(n), 10)) // the number popped, as Redis
	listChanged(ctx, key, l, n, popEvent(front))
}
