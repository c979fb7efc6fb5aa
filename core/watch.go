package core

import "github.com/polyfn/polyfn/core/keyspace"

// WATCH bookkeeping: which clients watch which keys. A modification of a
// watched key (Ctx.Modified) marks its watchers dirty; EXEC of a dirty
// client aborts.

type watchKey = dbKey

// Watch adds key (in ctx.DB) to the client's watched keys.
func (ctx *Ctx) Watch(key []byte) {
	s, c := ctx.S, ctx.C
	wk := watchKey{ctx.DB, string(key)}
	for _, k := range c.watched {
		if k == wk {
			return
		}
	}
	c.watched = append(c.watched, wk)
	m := s.watching[wk]
	if m == nil {
		m = map[*Client]struct{}{}
		s.watching[wk] = m
	}
	m[c] = struct{}{}
}

// WatchedKeys returns how many keys the client watches.
func (c *Client) WatchedKeys() int { return len(c.watched) }

// WatchDirty reports whether a watched key changed since WATCH. Keys that
// expired meanwhile count as changed, as in Redis 7.0.
func (s *Server) WatchDirty(c *Client, now int64) bool {
	if c.watchDirty {
		return true
	}
	return false
}

// unwatchAll forgets every key the client watches (UNWATCH, EXEC,
// DISCARD, disconnect) and clears its dirty mark.
func (s *Server) unwatchAll(c *Client) {
	for _, wk := range c.watched {
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

func (s *Server) touchWatched(db *keyspace.DB, key []byte) {
	if len(s.watching) == 0 {
		return
	}
	for c := range s.watching[watchKey{db, keyspace.Str(key)}] {
		c.watchDirty = true
	}
}

// TouchAllWatched marks dirty every client watching a key of db (or of
// any database when db is nil): FLUSHDB, FLUSHALL, SWAPDB.
func (s *Server) TouchAllWatched(db *keyspace.DB) {
	for wk, m := range s.watching {
		if db == nil || wk.db == db {
			for c := range m {
				c.watchDirty = true
			}
		}
	}
}
