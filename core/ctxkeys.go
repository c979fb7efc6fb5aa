package core

import (
	"github.com/polyfn/polyfn/core/keyspace"
)

// Key access helpers for handlers. Read* never delete expired keys (they
// are simply absent); Write* remove an expired key first so the command
// starts from a clean slate. The *Kind variants reply WRONGTYPE and return
// ok == false when the key holds another type.

func lruClock(nowMs int64) uint32 { return uint32(nowMs / 1000) }

// Read returns the live entry under key, or nil. It counts keyspace hits
// and misses and refreshes the key's access time.
func (ctx *Ctx) Read(key []byte) *keyspace.Entry {
	e := ctx.DB.Get(keyspace.Str(key), ctx.Now)
	if e == nil {
		ctx.S.Stats.KeyspaceMisses++
		ctx.Notify(NotifyKeyMiss, "keymiss", key)
		return nil
	}
	ctx.S.Stats.KeyspaceHits++
	ctx.S.touch(e, ctx.Now)
	return e
}

// ReadKind is Read with a type check.
func (ctx *Ctx) ReadKind(key []byte, kind keyspace.Kind) (e *keyspace.Entry, ok bool) {
	e = ctx.Read(key)
	if e != nil && e.Kind() != kind {
		ctx.Error(ErrWrongType)
		return nil, false
	}
	return e, true
}

// Write returns the live entry under key for modification, or nil.
func (ctx *Ctx) Write(key []byte) *keyspace.Entry {
	e := ctx.DB.GetForWrite(keyspace.Str(key), ctx.Now)
	if e != nil {
		ctx.S.touch(e, ctx.Now)
	}
	return e
}

// WriteKind is Write with a type check.
func (ctx *Ctx) WriteKind(key []byte, kind keyspace.Kind) (e *keyspace.Entry, ok bool) {
	e = ctx.Write(key)
	if e != nil && e.Kind() != kind {
		ctx.Error(ErrWrongType)
		return nil, false
	}
	return e, true
}

// Store sets key to value (removing any TTL unless keepTTL) and signals
// the modification. value must not alias the request buffer. Replacing a
// key counts as an access to it (Redis's setKey looks it up).
func (ctx *Ctx) Store(key []byte, value any, keepTTL bool) *keyspace.Entry {
	ctx.notifyNewIfAbsent(key)
	e := ctx.DB.Set(keyspace.Str(key), value, keepTTL)
	ctx.S.stored(e, ctx.Now, false)
	ctx.Modified(key)
	return e
}

// Delete removes key, signals the modification and reports whether it
// existed.
func (ctx *Ctx) Delete(key []byte) bool {
	if !ctx.DB.Delete(keyspace.Str(key)) {
		return false
	}
	ctx.Modified(key)
	return true
}

// Int parses argument i as an integer, replying "value is not an integer
// or out of range" when it is not.
func (ctx *Ctx) Int(i int) (int64, bool) {
	n, ok := ParseInt(ctx.Args[i])
	if !ok {
		ctx.Error(ErrNotInteger)
	}
	return n, ok
}

// ArgIs reports whether argument i equals word, ignoring ASCII case.
func (ctx *Ctx) ArgIs(i int, word string) bool {
	a := ctx.Args[i]
	if len(a) != len(word) {
		return false
	}
	for j := range a {
		c := a[j]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		w := word[j]
		if w >= 'A' && w <= 'Z' {
			w += 'a' - 'A'
		}
		if c != w {
			return false
		}
	}
	return true
}
