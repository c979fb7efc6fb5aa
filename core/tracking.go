package core

import "strings"

// Client-side caching support (CLIENT TRACKING), as Redis 7.0 does it.
//
// Default mode: the keys a tracking client reads (commands flagged
// readonly, scripts' reads included) are remembered in one table, keyed by
// key name whatever the database; when one of them is modified every
// client that read it gets one invalidation message and is forgotten for
// that key. BCAST mode: a client names prefixes and hears about every
// modified key that starts with one of them, in batches sent after the
// command that modified them.
//
// Messages are RESP3 push messages ("invalidate", [keys]) on the client's
// own connection, or, with REDIRECT, go to another client: as a push if it
// speaks RESP3, as a message on the __redis__:invalidate channel if it is
// a RESP2 subscriber. A message for the client that is executing a
// command is held until that command's reply has been written.

const trackingChannel = "__redis__:invalidate"

// clientTracking is a client's tracking mode.
type clientTracking struct {
	redirect    int64 // client ID, 0 for none
	bcast       bool
	optin       bool
	optout      bool
	noloop      bool
	caching     bool // CLIENT CACHING given for the next command
	brokenRedir bool
	prefixes    []string
}

type trackingState struct {
	// table maps a key to the IDs of the clients that read it.
	table map[string]map[int64]struct{}
	// prefixes maps a BCAST prefix to its clients and the keys modified
	// since the last broadcast (with the client that modified each, for
	// NOLOOP).
	prefixes map[string]*bcastPrefix
	// clients counts tracking clients (INFO, and the fast path: nothing
	// is done while it is zero).
	clients int
	// held are messages for the executing client, sent after its reply.
	held []heldInvalidation
}

type bcastPrefix struct {
	clients map[*Client]struct{}
	pending map[string]*Client
	order   []string
}

type heldInvalidation struct {
	c    *Client
	keys []string // nil: a flush
}

func (t *trackingState) init() {
	t.table = map[string]map[int64]struct{}{}
	t.prefixes = map[string]*bcastPrefix{}
}

// enableTracking turns tracking on for c (CLIENT TRACKING ON).
func (s *Server) enableTracking(c *Client, tr clientTracking) {
	if c.tracking == nil {
		s.tracking.clients++
	} else {
		tr.prefixes = append(c.tracking.prefixes, tr.prefixes...)
	}
	c.tracking = &tr
	for _, p := range tr.prefixes {
		bp := s.tracking.prefixes[p]
		if bp == nil {
			bp = &bcastPrefix{clients: map[*Client]struct{}{}, pending: map[string]*Client{}}
			s.tracking.prefixes[p] = bp
		}
		bp.clients[c] = struct{}{}
	}
	if tr.bcast && len(tr.prefixes) == 0 {
		bp := s.tracking.prefixes[""]
		if bp == nil {
			bp = &bcastPrefix{clients: map[*Client]struct{}{}, pending: map[string]*Client{}}
			s.tracking.prefixes[""] = bp
		}
		bp.clients[c] = struct{}{}
		c.tracking.prefixes = []string{""}
	}
}

// disableTracking turns tracking off for c (CLIENT TRACKING OFF, RESET,
// disconnection). The keys it read stay in the table until modified.
func (s *Server) disableTracking(c *Client) {
	if c.tracking == nil {
		return
	}
	for _, p := range c.tracking.prefixes {
		if bp := s.tracking.prefixes[p]; bp != nil {
			delete(bp.clients, c)
			if len(bp.clients) == 0 {
				delete(s.tracking.prefixes, p)
			}
		}
	}
	c.tracking = nil
	s.tracking.clients--
}

// trackRead remembers the keys of a read-only command for the tracking
// client c (default mode), unless OPTIN/OPTOUT say otherwise.
func (s *Server) trackRead(c *Client, cmd *Command, args [][]byte) {
	tr := c.tracking
	if tr == nil || tr.bcast || (tr.optin && !tr.caching) || (tr.optout && tr.caching) {
		return
	}
	for _, k := range cmd.GetKeys(args) {
		key := string(args[k.Pos])
		ids := s.tracking.table[key]
		if ids == nil {
			ids = map[int64]struct{}{}
			s.tracking.table[key] = ids
		}
		ids[c.ID] = struct{}{}
	}
}

// trackingInvalidate is called for every modified key while tracking
// clients exist; by is the client whose command modified it (nil for the
// server itself).
func (s *Server) trackingInvalidate(by *Client, key []byte) {
	for p, bp := range s.tracking.prefixes {
		if strings.HasPrefix(string(key), p) {
			k := string(key)
			if _, seen := bp.pending[k]; !seen {
				bp.order = append(bp.order, k)
			}
			bp.pending[k] = by
		}
	}
	ids := s.tracking.table[string(key)]
	if ids == nil {
		return
	}
	delete(s.tracking.table, string(key))
	for id := range ids {
		target := s.clientByID(id)
		if target == nil || target.tracking == nil || target.tracking.bcast {
			continue
		}
		if target.tracking.noloop && target == by {
			continue
		}
		s.sendInvalidation(target, []string{string(key)}, by)
	}
}

// trackingFlush tells every tracking client that everything is invalid
// (FLUSHDB, FLUSHALL) and forgets all tracked keys.
func (s *Server) trackingFlush(by *Client) {
	if s.tracking.clients == 0 {
		return
	}
	for _, c := range s.Clients() {
		if c.tracking != nil {
			s.sendInvalidation(c, nil, by)
		}
	}
	s.tracking.table = map[string]map[int64]struct{}{}
}

// sendInvalidation delivers one message (keys nil: a flush), or holds it
// when the target is the client executing the command.
func (s *Server) sendInvalidation(c *Client, keys []string, by *Client) {
	if c == by && by != nil {
		s.tracking.held = append(s.tracking.held, heldInvalidation{c, keys})
		return
	}
	s.deliverInvalidation(c, keys)
}

func (s *Server) deliverInvalidation(c *Client, keys []string) {
	target := c
	redirected := false
	if id := c.tracking.redirect; id != 0 {
		target = s.clientByID(id)
		if target == nil {
			c.tracking.brokenRedir = true
			if c.Resp >= 3 {
				c.Conn.Deliver(func(w ReplyWriter) {
					w.WritePush(2)
					w.WriteBulkString("tracking-redir-broken")
					w.WriteInt(id)
				})
			}
			return
		}
		redirected = true
	}
	write := func(w ReplyWriter) {
		if keys == nil {
			w.WriteNull()
			return
		}
		w.WriteArray(len(keys))
		for _, k := range keys {
			w.WriteBulkString(k)
		}
	}
	switch {
	case target.Resp >= 3:
		target.Conn.Deliver(func(w ReplyWriter) {
			w.WritePush(2)
			w.WriteBulkString("invalidate")
			write(w)
		})
	case redirected && target.Subscriptions() > 0:
		target.Conn.Deliver(func(w ReplyWriter) {
			w.WriteArray(3)
			w.WriteBulkString("message")
			w.WriteBulkString(trackingChannel)
			write(w)
		})
	}
	// A RESP2 client without redirection cannot receive anything.
}

// trackingAfterCommand sends what was held for the executing client and
// the pending broadcasts. It runs after a top-level command's reply.
func (s *Server) trackingAfterCommand() {
	held := s.tracking.held
	s.tracking.held = nil
	for _, h := range held {
		if h.c.tracking != nil {
			s.deliverInvalidation(h.c, h.keys)
		}
	}
	for _, bp := range s.tracking.prefixes {
		if len(bp.order) == 0 {
			continue
		}
		for c := range bp.clients {
			var keys []string
			for _, k := range bp.order {
				if by := bp.pending[k]; c.tracking.noloop && by == c {
					continue
				}
				keys = append(keys, k)
			}
			if len(keys) > 0 {
				s.deliverInvalidation(c, keys)
			}
		}
		bp.order = bp.order[:0]
		clear(bp.pending)
	}
}

// clientByID finds a connected client.
func (s *Server) clientByID(id int64) *Client {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return s.clients[id]
}

// trackingItems counts the table's key-client pairs (INFO).
func (s *Server) trackingItems() (keys, items int) {
	for _, ids := range s.tracking.table {
		items += len(ids)
	}
	return len(s.tracking.table), items
}
