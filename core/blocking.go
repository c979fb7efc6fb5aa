package core

import (
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Blocking commands (BLPOP, BZPOPMIN, BLMOVE, XREAD BLOCK...) work like
// this: the handler first tries to serve the request; when it cannot, it
// calls ctx.Block with the keys it waits on, a serve function and a
// timeout reply, and returns. Exec then releases the keyspace lock and
// parks the connection. Whenever a command modifies a key (ctx.Modified)
// that somebody waits on, the key is marked ready; at the end of that
// command, still under the lock, the waiters of each ready key are offered
// it in the order they blocked (FIFO), each serve function writing its
// reply into its own client's writer. A served waiter is woken; one that
// times out takes the lock again and writes the timeout reply.

type dbKey struct {
	db  *keyspace.DB
	key string
}

type waiter struct {
	c        *Client
	keys     []dbKey
	serve    func(ctx *Ctx) bool
	timeout  func(ctx *Ctx)
	cmd      *Command
	deadline time.Time // zero: wait forever
	done     chan struct{}
	served   bool
}

type blockingState struct {
	waiters map[dbKey][]*waiter
	ready   []dbKey
	isReady map[dbKey]bool
	count   int // blocked clients
}

func (b *blockingState) init() {
	b.waiters = map[dbKey][]*waiter{}
	b.isReady = map[dbKey]bool{}
}

// BlockedClients is the number of clients in a blocking command.
func (s *Server) BlockedClients() int { return s.blocking.count }

// Block parks the client until one of keys can be served or the timeout
// (0: forever) passes. serve is called, with the lock held and a context
// for the blocked client whose ReadyKey is the key that became ready, each
// time a key it waits on is modified; it returns true when it has served
// (and replied). onTimeout writes the
// reply for an expired wait. With ctx.NoBlock (MULTI, scripts) the
// timeout reply is written at once.
func (ctx *Ctx) Block(keys [][]byte, timeout time.Duration, serve func(ctx *Ctx) bool, onTimeout func(ctx *Ctx)) {
	if ctx.NoBlock {
		onTimeout(ctx)
		return
	}
	w := &waiter{c: ctx.C, serve: serve, timeout: onTimeout, cmd: ctx.Cmd, done: make(chan struct{})}
	if timeout > 0 {
		w.deadline = time.Now().Add(timeout)
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		dk := dbKey{ctx.DB, string(k)}
		w.keys = append(w.keys, dk)
		ctx.S.blocking.waiters[dk] = append(ctx.S.blocking.waiters[dk], w)
	}
	ctx.C.blocked = w
	ctx.S.blocking.count++
}

// signalReady marks key ready if a client waits on it.
func (s *Server) signalReady(db *keyspace.DB, key []byte) {
	if s.blocking.count == 0 {
		return
	}
	dk := dbKey{db, keyspace.Str(key)}
	if len(s.blocking.waiters[dk]) == 0 || s.blocking.isReady[dk] {
		return
	}
	dk.key = string(key)
	s.blocking.isReady[dk] = true
	s.blocking.ready = append(s.blocking.ready, dk)
}

// serveReady offers every ready key to its waiters, in blocking order,
// until no key is ready (serving one client may make another key ready).
func (s *Server) serveReady() {
	if s.scripts.running != nil {
		return // a busy script's changes are served when it ends
	}
	for len(s.blocking.ready) > 0 {
		dk := s.blocking.ready[0]
		s.blocking.ready = s.blocking.ready[1:]
		delete(s.blocking.isReady, dk)
		for _, w := range append([]*waiter(nil), s.blocking.waiters[dk]...) {
			if w.served {
				continue
			}
			ctx := &Ctx{S: s, C: w.c, Cmd: w.cmd, W: w.c.W, DB: dk.db, Now: time.Now().UnixMilli(), ReadyKey: []byte(dk.key)}
			dirty := s.Dirty
			served := w.serve(ctx)
			s.recordServed(ctx, dirty)
			if served {
				s.finishWait(w)
				st := s.Stats.command(w.cmd)
				st.Calls++
			}
		}
	}
}

// finishWait removes w from every key and wakes its client.
func (s *Server) finishWait(w *waiter) {
	w.served = true
	for _, dk := range w.keys {
		list := s.blocking.waiters[dk]
		for i, x := range list {
			if x == w {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(s.blocking.waiters, dk)
		} else {
			s.blocking.waiters[dk] = list
		}
	}
	w.c.blocked = nil
	s.blocking.count--
	close(w.done)
}

// waitBlocked parks the calling connection until its waiter is served,
// times out or is cancelled. Called and returns with the lock held.
func (s *Server) waitBlocked(c *Client) {
	w := c.blocked
	var timer <-chan time.Time
	if !w.deadline.IsZero() {
		t := time.NewTimer(time.Until(w.deadline))
		defer t.Stop()
		timer = t.C
	}
	var gone chan struct{}
	if cw, ok := c.Conn.(CloseWatcher); ok {
		gone = make(chan struct{})
		stop := cw.WatchClose(func() { close(gone) })
		defer stop() // runs with the lock held; stop does not take it
	}
	s.mu.Unlock()
	select {
	case <-w.done:
		s.mu.Lock()
	case <-gone: // the peer disconnected: drop the wait, no reply
		s.mu.Lock()
		if !w.served {
			s.finishWait(w)
		}
		c.CloseSoon = true
	case <-s.shutdown: // SHUTDOWN: release the connection, no reply
		s.mu.Lock()
		if !w.served {
			s.finishWait(w)
		}
	case <-timer:
		s.mu.Lock()
		if !w.served {
			s.finishWait(w)
			ctx := &Ctx{S: s, C: c, Cmd: w.cmd, W: c.W, DB: c.DB, Now: time.Now().UnixMilli()}
			w.timeout(ctx)
		}
	}
}

// unblock cancels c's wait without a reply (the connection is closing).
func (s *Server) unblock(c *Client) {
	if w := c.blocked; w != nil && !w.served {
		s.finishWait(w)
	}
}

// Unblock ends c's wait as CLIENT UNBLOCK does: with the timeout reply,
// or with err when it is not empty. It reports whether c was blocked.
func (s *Server) Unblock(c *Client, err string) bool {
	w := c.blocked
	if w == nil || w.served {
		return false
	}
	s.finishWait(w)
	ctx := &Ctx{S: s, C: c, Cmd: w.cmd, W: c.W, DB: c.DB, Now: time.Now().UnixMilli()}
	if err != "" {
		ctx.Error(err)
	} else {
		w.timeout(ctx)
	}
	return true
}
