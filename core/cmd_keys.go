package core

import (
	"bytes"
	"math"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Generic key commands: DEL, UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY,
// KEYS, SCAN, RANDOMKEY, TOUCH. Expiry commands are in cmd_expire.go,
// database commands in cmd_db.go, OBJECT and MEMORY in cmd_object.go.

func registerKeyCommands(t *Table) {
	t.Add("del", cmdDel)
	t.Add("unlink", cmdDel)
	t.Add("exists", cmdExists)
	t.Add("type", cmdType)
	t.Add("rename", func(ctx *Ctx) { renameGeneric(ctx, false) })
	t.Add("renamenx", func(ctx *Ctx) { renameGeneric(ctx, true) })
	t.Add("copy", cmdCopy)
	t.Add("keys", cmdKeys)
	t.Add("scan", cmdScan)
	t.Add("randomkey", cmdRandomKey)
	t.Add("touch", cmdTouch)
	registerExpireCommands(t)
	registerDBCommands(t)
	registerObjectCommands(t)
}

// peek is the lookup of commands that inspect a key without accessing it
// (EXISTS, TYPE, TTL, OBJECT): it counts keyspace hits and misses like
// Read but leaves the access time alone.
func (ctx *Ctx) peek(key []byte) *keyspace.Entry {
	e := ctx.DB.Get(keyspace.Str(key), ctx.Now)
	if e == nil {
		ctx.S.Stats.KeyspaceMisses++
		ctx.Notify(NotifyKeyMiss, "keymiss", key)
	} else {
		ctx.S.Stats.KeyspaceHits++
	}
	return e
}

// signalKey invalidates WATCHes of key in db and wakes the clients blocked
// on it, without counting a dirty change: for commands that touch several
// keys (or databases) but count one change, as Redis does.
func (s *Server) signalKey(db *keyspace.DB, key []byte) {
	s.touchWatched(db, key)
	s.signalReady(db, key)
}

// deleteExpired removes an expired key found by a command (not by the
// active cycle) the way Redis's lazy expiry does.
func (s *Server) deleteExpired(db *keyspace.DB, key string) {
	if db.Delete(key) {
		s.Stats.ExpiredKeys++
		s.Dirty++
		k := []byte(key)
		s.notifyKeyspaceEvent(NotifyExpired, "expired", k, db.ID)
		s.signalKey(db, k)
	}
}

// cloneValue deep-copies a value for COPY.
func cloneValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return bytes.Clone(x)
	case keyspace.Typed:
		return x.Copy()
	}
	return v
}

// cmdDel is DEL and UNLINK (memory is reclaimed by the Go collector
// either way).
func cmdDel(ctx *Ctx) {
	n := int64(0)
	for _, k := range ctx.Args[1:] {
		if ctx.Write(k) != nil && ctx.Delete(k) {
			ctx.Notify(NotifyGeneric, "del", k)
			n++
		}
	}
	ctx.W.WriteInt(n)
}

// cmdExists counts every argument naming a live key, repeats included.
func cmdExists(ctx *Ctx) {
	n := int64(0)
	for _, k := range ctx.Args[1:] {
		if ctx.peek(k) != nil {
			n++
		}
	}
	ctx.W.WriteInt(n)
}

func cmdType(ctx *Ctx) {
	e := ctx.peek(ctx.Args[1])
	if e == nil {
		ctx.W.WriteStatus("none")
		return
	}
	ctx.W.WriteStatus(e.Kind().String())
}

// renameGeneric is RENAME and RENAMENX. The value keeps its time to live
// and access time; an existing destination is overwritten (RENAME) or
// left alone (RENAMENX replies 0).
func renameGeneric(ctx *Ctx, nx bool) {
	src, dst := ctx.Args[1], ctx.Args[2]
	same := bytes.Equal(src, dst)
	e := ctx.Write(src)
	if e == nil {
		ctx.Error(ErrNoSuchKey)
		return
	}
	if same {
		if nx {
			ctx.W.WriteInt(0)
		} else {
			ctx.OK()
		}
		return
	}
	db := ctx.DB
	old := *e
	at, hasTTL := db.Expire(keyspace.Str(src))
	if ctx.Write(dst) != nil {
		if nx {
			ctx.W.WriteInt(0)
			return
		}
		db.Delete(keyspace.Str(dst))
	}
	db.Delete(keyspace.Str(src))
	db.SetEntry(keyspace.Str(dst), &old)
	ctx.Notify(NotifyNew, "new", dst)
	if hasTTL {
		db.SetExpire(keyspace.Str(dst), at)
	}
	ctx.S.signalKey(db, src)
	ctx.S.signalKey(db, dst)
	ctx.Notify(NotifyGeneric, "rename_from", src)
	ctx.Notify(NotifyGeneric, "rename_to", dst)
	ctx.S.Dirty++
	if nx {
		ctx.W.WriteInt(1)
	} else {
		ctx.OK()
	}
}

// cmdCopy is COPY source destination [DB destination-db] [REPLACE].
func cmdCopy(ctx *Ctx) {
	src, dst := ctx.Args[1], ctx.Args[2]
	dstDB := ctx.DB
	replace := false
	for i := 3; i < len(ctx.Args); i++ {
		switch {
		case ctx.ArgIs(i, "replace"):
			replace = true
		case ctx.ArgIs(i, "db") && i+1 < len(ctx.Args):
			db, ok := ctx.dbIndex(i + 1)
			if !ok {
				return
			}
			dstDB = db
			i++
		default:
			ctx.SyntaxError()
			return
		}
	}
	if dstDB == ctx.DB && bytes.Equal(src, dst) {
		ctx.Error(ErrSameObject)
		return
	}
	e := ctx.Read(src)
	if e == nil {
		ctx.W.WriteInt(0)
		return
	}
	at, hasTTL := ctx.DB.Expire(keyspace.Str(src))
	if dstDB.GetForWrite(keyspace.Str(dst), ctx.Now) != nil {
		if !replace {
			ctx.W.WriteInt(0)
			return
		}
		dstDB.Delete(keyspace.Str(dst))
	}
	cp := *e
	cp.Value = cloneValue(e.Value)
	ctx.S.created(&cp, ctx.Now)
	dstDB.SetEntry(keyspace.Str(dst), &cp)
	ctx.S.notifyKeyspaceEvent(NotifyNew, "new", dst, dstDB.ID)
	if hasTTL {
		dstDB.SetExpire(keyspace.Str(dst), at)
	}
	ctx.S.signalKey(dstDB, dst)
	ctx.S.notifyKeyspaceEvent(NotifyGeneric, "copy_to", dst, dstDB.ID)
	ctx.S.Dirty++
	ctx.W.WriteInt(1)
}

// cmdKeys lists the live keys matching a glob pattern. "*" alone matches
// every key without running the matcher (so also the empty key).
func cmdKeys(ctx *Ctx) {
	pattern := keyspace.Str(ctx.Args[1])
	all := pattern == "*"
	var out []string
	ctx.DB.Range(func(k string, e *keyspace.Entry) bool {
		if (all || Match(pattern, k, false)) && ctx.DB.Get(k, ctx.Now) != nil {
			out = append(out, k)
		}
		return true
	})
	ctx.W.WriteArray(len(out))
	for _, k := range out {
		ctx.W.WriteBulkString(k)
	}
}

// scanOptions are SCAN's MATCH, COUNT and TYPE, parsed from argument
// first on; withType allows TYPE (SCAN only).
type scanOptions struct {
	count    int64
	pattern  string
	match    bool
	typeName []byte
}

func (ctx *Ctx) parseScanOptions(first int, withType bool) (scanOptions, bool) {
	o := scanOptions{count: 10}
	for i := first; i < len(ctx.Args); i += 2 {
		more := len(ctx.Args) - i
		switch {
		case ctx.ArgIs(i, "count") && more >= 2:
			n, ok := ctx.Int(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				ctx.SyntaxError()
				return o, false
			}
			o.count = n
		case ctx.ArgIs(i, "match") && more >= 2:
			o.pattern = string(ctx.Args[i+1])
			o.match = o.pattern != "*"
		case withType && ctx.ArgIs(i, "type") && more >= 2:
			o.typeName = ctx.Args[i+1]
		default:
			ctx.SyntaxError()
			return o, false
		}
	}
	return o, true
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. Like
// Redis it visits buckets until it has collected COUNT keys (before
// filtering) or tried COUNT*10 buckets, then filters by pattern, expiry
// and type.
func cmdScan(ctx *Ctx) {
	cursor, ok := ParseScanCursor(ctx.Args[1])
	if !ok {
		ctx.Error(ErrInvalidCursor)
		return
	}
	o, ok := ctx.parseScanOptions(2, true)
	if !ok {
		return
	}
	var keys []string
	maxIter := int64(math.MaxInt64)
	if o.count < math.MaxInt64/10 {
		maxIter = o.count * 10
	}
	for {
		cursor = ctx.DB.Scan(cursor, func(k string, _ *keyspace.Entry) {
			keys = append(keys, k)
		})
		if cursor == 0 || maxIter == 0 {
			break
		}
		maxIter--
		if int64(len(keys)) >= o.count {
			break
		}
	}
	out := keys[:0]
	for _, k := range keys {
		if o.match && !Match(o.pattern, k, false) {
			continue
		}
		e := ctx.DB.Get(k, ctx.Now)
		if e == nil {
			continue
		}
		if o.typeName != nil && !asciiEqualFold(o.typeName, e.Kind().String()) {
			continue
		}
		out = append(out, k)
	}
	ctx.W.WriteArray(2)
	ctx.W.WriteBulkString(strconv.FormatUint(cursor, 10))
	ctx.W.WriteArray(len(out))
	for _, k := range out {
		ctx.W.WriteBulkString(k)
	}
}

func asciiEqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// cmdRandomKey replies a random live key. When sampling keeps hitting
// expired keys, they are removed (as Redis's lookups do) and it retries.
func cmdRandomKey(ctx *Ctx) {
	db := ctx.DB
	for {
		if k, ok := db.Random(ctx.Now); ok {
			ctx.W.WriteBulkString(k)
			return
		}
		if db.Len() == 0 {
			ctx.W.WriteNull()
			return
		}
		var dead []string
		db.Range(func(k string, _ *keyspace.Entry) bool {
			if db.Get(k, ctx.Now) == nil {
				dead = append(dead, k)
			}
			return true
		})
		if len(dead) == 0 {
			continue // unlucky sampling: live keys exist
		}
		for _, k := range dead {
			ctx.S.deleteExpired(db, k)
		}
	}
}

// cmdTouch counts the live keys among its arguments and refreshes their
// access time.
func cmdTouch(ctx *Ctx) {
	n := int64(0)
	for _, k := range ctx.Args[1:] {
		if ctx.Read(k) != nil {
			n++
		}
	}
	ctx.W.WriteInt(n)
}
