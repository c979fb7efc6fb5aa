package core

import (
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Database commands: SWAPDB, MOVE, DBSIZE, FLUSHDB, FLUSHALL (SELECT is a
// connection command).

func registerDBCommands(t *Table) {
	t.Add("swapdb", cmdSwapDB)
	t.Add("move", cmdMove)
	t.Add("dbsize", func(ctx *Ctx) { ctx.W.WriteInt(int64(ctx.DB.Len())) })
	t.Add("flushdb", cmdFlushDB)
	t.Add("flushall", cmdFlushAll)
}

// int32Arg parses argument i as a C int, with Redis's two errors (not an
// integer; outside the int range), or with msg for both when not empty.
func (ctx *Ctx) int32Arg(i int, msg string) (int64, bool) {
	n, ok := ParseInt(ctx.Args[i])
	if ok && (n < math.MinInt32 || n > math.MaxInt32) {
		if msg == "" {
			msg = ErrIntOutOfRange32
		}
		ok = false
	} else if !ok && msg == "" {
		msg = ErrNotInteger
	}
	if !ok {
		ctx.Error(msg)
	}
	return n, ok
}

// dbIndex parses argument i as a database number for MOVE and COPY.
func (ctx *Ctx) dbIndex(i int) (*keyspace.DB, bool) {
	n, ok := ctx.int32Arg(i, "")
	if !ok {
		return nil, false
	}
	if n < 0 || n >= int64(len(ctx.S.DBs)) {
		ctx.Error(ErrDBIndex)
		return nil, false
	}
	return ctx.S.DBs[n], true
}

// minTime, as a lookup's clock, makes every key count as live.
const minTime = math.MinInt64

// present reports whether key is stored in db, expired or not (Redis's
// flush and swap bookkeeping looks at the raw tables).
func present(db *keyspace.DB, key string) bool {
	return db.Get(key, minTime) != nil
}

// signalBlockedInDB marks ready every key of db some client blocks on
// and that now exists, so that SWAPDB serves the clients whose keys
// arrived with the swap.
func (s *Server) signalBlockedInDB(db *keyspace.DB) {
	if s.blocking.count == 0 {
		return
	}
	var ready []string
	for dk := range s.blocking.waiters {
		if dk.db == db && present(db, dk.key) {
			ready = append(ready, dk.key)
		}
	}
	for _, k := range ready {
		s.signalReady(db, []byte(k))
	}
}

func cmdSwapDB(ctx *Ctx) {
	a, ok := ctx.int32Arg(1, ErrInvalidFirstDB)
	if !ok {
		return
	}
	b, ok := ctx.int32Arg(2, ErrInvalidSecondDB)
	if !ok {
		return
	}
	n := int64(len(ctx.S.DBs))
	if a < 0 || a >= n || b < 0 || b >= n {
		ctx.Error(ErrDBIndex)
		return
	}
	if a != b {
		s := ctx.S
		da, db := s.DBs[a], s.DBs[b]
		s.touchWatchedInDB(da, db)
		s.touchWatchedInDB(db, da)
		keyspace.SwapContents(da, db)
		s.signalBlockedInDB(da)
		s.signalBlockedInDB(db)
	}
	ctx.S.Dirty++
	ctx.OK()
}

// cmdMove moves a key, with its time to live, to another database unless
// the key exists there.
func cmdMove(ctx *Ctx) {
	key := ctx.Args[1]
	dst, ok := ctx.dbIndex(2)
	if !ok {
		return
	}
	src := ctx.DB
	if dst == src {
		ctx.Error(ErrSameObject)
		return
	}
	e := ctx.Write(key)
	if e == nil {
		ctx.W.WriteInt(0)
		return
	}
	k := keyspace.Str(key)
	at, hasTTL := src.Expire(k)
	if dst.GetForWrite(k, ctx.Now) != nil {
		ctx.W.WriteInt(0)
		return
	}
	old := *e
	dst.SetEntry(k, &old)
	ctx.S.notifyKeyspaceEvent(NotifyNew, "new", key, dst.ID)
	if hasTTL {
		dst.SetExpire(k, at)
	}
	src.Delete(k)
	ctx.S.signalKey(src, key)
	ctx.S.signalKey(dst, key)
	ctx.Notify(NotifyGeneric, "move_from", key)
	ctx.S.notifyKeyspaceEvent(NotifyGeneric, "move_to", key, dst.ID)
	ctx.S.Dirty++
	ctx.W.WriteInt(1)
}

// flushFlags checks FLUSHDB / FLUSHALL's optional ASYNC|SYNC (both
// flush synchronously here: the Go collector reclaims memory anyway).
func (ctx *Ctx) flushFlags() bool {
	if len(ctx.Args) == 1 {
		return true
	}
	if len(ctx.Args) == 2 && (ctx.ArgIs(1, "sync") || ctx.ArgIs(1, "async")) {
		return true
	}
	ctx.SyntaxError()
	return false
}

func (s *Server) flushDB(db *keyspace.DB) {
	s.touchWatchedInDB(db, nil)
	s.Dirty += int64(db.Len())
	db.Flush()
}

func cmdFlushDB(ctx *Ctx) {
	if !ctx.flushFlags() {
		return
	}
	ctx.S.flushDB(ctx.DB)
	ctx.S.trackingFlush(ctx.S.commandClient(ctx))
	ctx.ForcePropagation()
	ctx.OK()
}

func cmdFlushAll(ctx *Ctx) {
	if !ctx.flushFlags() {
		return
	}
	s := ctx.S
	for _, db := range s.DBs {
		s.flushDB(db)
	}
	s.trackingFlush(s.commandClient(ctx))
	// As Redis: a BGSAVE still writing the old data is stopped and, with
	// save points set, the empty dataset is saved at once (which zeroes
	// the changes since the last save), so that a restart does not bring
	// back what was flushed. A failed save is logged; the flush stands.
	s.abortBgsave()
	if len(s.savePoints()) > 0 {
		s.SaveNow()
	}
	ctx.ForcePropagation()
	ctx.OK()
}
