package core

import (
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// WATCH bookkeeping: which clients watch which keys. A modification of a
// watched key (Ctx.Modified) marks its watchers dirty; EXEC of a dirty
// client aborts.
//
// Expiry follows Redis 7.0.15 as observed: a key that was live when
// watched and whose time to live runs out before EXEC makes EXEC abort
// (whether or not the expired key was already removed), while a key that
// had already expired when watched (but was still stored) does not count
// as changed when it is finally removed, by expiry or by a flush. Since
// polyfn's expiry removes keys silently, a live watched key's expiry time
// is recorded at WATCH: any later change of that key or of its time to
// live touches the watchers anyway, so the recorded time stays exact for
// the clients that are not yet dirty.

type watchKey = dbKey

// watchEntry is one key a client watches.
type watchEntry struct {
	watchKey
	// expired: the key was stored but already expired at WATCH (Redis's
	// watchedKey.expired); its removal is no change.
	expired bool
	// expireAt is the key's expiry time (unix ms) when it was live at
	// WATCH, 0 without a time to live.
	expireAt int64
}

// Watch adds key (in ctx.DB) to the client's watched keys.
func (ctx *Ctx) Watch(key []byte) {
	s, c := ctx.S, ctx.C
	k := keyspace.Str(key)
	for i := range c.watched {
		if w := &c.watched[i]; w.db == ctx.DB && w.key == k {
			return
		}
	}
	wk := watchKey{ctx.DB, string(key)}
	ent := watchEntry{watchKey: wk}
	if present(ctx.DB, wk.key) {
		if at, ok := ctx.DB.Expire(wk.key); ok {
			if at <= ctx.Now {
				ent.expired = true
			} else {
				ent.expireAt = at
			}
		}
	}
	c.watched = append(c.watched, ent)
	m := s.watching[wk]
	if m == nil {
		m = map[*Client]struct{}{}
		s.watching[wk] = m
	}
	m[c] = struct{}{}
}

// WatchedKeys returns how many keys the client watches.
func (c *Client) WatchedKeys() int { return len(c.watched) }

// WatchDirty reports whether a watched key changed since WATCH, a key
// whose time to live ran out meanwhile included (see the file comment).
func (s *Server) WatchDirty(c *Client, now int64) bool {
	if c.watchDirty {
		return true
	}
	for i := range c.watched {
		if at := c.watched[i].expireAt; at != 0 && at <= now {
			return true
		}
	}
	return false
}

// unwatchAll forgets every key the client watches (UNWATCH, EXEC,
// DISCARD, disconnect) and clears its dirty mark.
func (s *Server) unwatchAll(c *Client) {
	for i := range c.watched {
		wk := c.watched[i].watchKey
		if m := s.watching[wk]; m != nil {
			delete(m, c)
			if len(m) == 0 {
				delete(s.watching, wk)
			}
		}
	}
	c.watched = nil
	c.watchDirty = false
}

// Unwatch is unwatchAll for command handlers.
func (s *Server) Unwatch(c *Client) { s.unwatchAll(c) }

// entry returns the client's watch entry for wk, or nil.
func (c *Client) watchEntry(wk watchKey) *watchEntry {
	for i := range c.watched {
		if c.watched[i].watchKey == wk {
			return &c.watched[i]
		}
	}
	return nil
}

// touchWatched marks dirty the clients watching key in db, after a change
// of it. The removal of a key that had already expired when watched is
// no change for its watcher.
func (s *Server) touchWatched(db *keyspace.DB, key []byte) {
	if len(s.watching) == 0 {
		return
	}
	m := s.watching[watchKey{db, keyspace.Str(key)}]
	if len(m) == 0 {
		return
	}
	var gone, checked bool
	for c := range m {
		if c.watchDirty {
			continue
		}
		if e := c.watchEntry(watchKey{db, keyspace.Str(key)}); e != nil && e.expired {
			if !checked {
				gone, checked = !present(db, keyspace.Str(key)), true
			}
			if gone {
				e.expired = false
				continue
			}
		}
		c.watchDirty = true
	}
}

// TouchAllWatched marks dirty every client watching a key of db (or of
// any database when db is nil), whether the key exists or not. Flushes
// and SWAPDB use the precise touchWatchedInDB instead.
func (s *Server) TouchAllWatched(db *keyspace.DB) {
	for wk, m := range s.watching {
		if db == nil || wk.db == db {
			for c := range m {
				c.watchDirty = true
			}
		}
	}
}

// touchWatchedInDB is called before emptied loses its contents (FLUSHDB,
// FLUSHALL) or swaps them with replacedWith (SWAPDB, once for each side).
// As in Redis, a watched key that is stored in neither database does not
// change; a key that had already expired when watched and is absent or
// still expired afterwards does not change either; and a watched key that
// was absent and is replaced by an expired one becomes "expired at WATCH".
func (s *Server) touchWatchedInDB(emptied, replacedWith *keyspace.DB) {
	now := time.Now().UnixMilli()
	for wk, m := range s.watching {
		if wk.db != emptied {
			continue
		}
		inEmptied := present(emptied, wk.key)
		inReplaced := replacedWith != nil && present(replacedWith, wk.key)
		if !inEmptied && !inReplaced {
			continue
		}
		for c := range m {
			e := c.watchEntry(wk)
			if e == nil || c.watchDirty {
				continue
			}
			if e.expired {
				if !inReplaced {
					e.expired = false
					continue
				}
				if expiredIn(replacedWith, wk.key, now) {
					continue
				}
			} else if !inEmptied && expiredIn(replacedWith, wk.key, now) {
				e.expired = true
				continue
			}
			c.watchDirty = true
		}
	}
}

// expiredIn reports whether key is stored in db with a time to live that
// has run out.
func expiredIn(db *keyspace.DB, key string, now int64) bool {
	if !present(db, key) {
		return false
	}
	at, ok := db.Expire(key)
	return ok && at <= now
}
