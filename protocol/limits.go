package protocol

import (
	"net"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Client limits as Redis 7.0 applies them, enforced where the sockets and
// buffers are:
//
//   - protected mode and maxclients at accept (admit);
//   - timeout by a sweep hz times a second (cron) over connections that
//     wait for input: a connection executing a command, blocked in
//     BLPOP, or writing a reply is never idle, and subscribers and
//     MONITOR clients are spared as Redis spares them;
//   - client-query-buffer-limit after each read (checkQuery);
//   - client-output-buffer-limit when replies are added (checkOutput).
//
// The command path pays two atomic stores per socket read and, for a
// connection that is not shared, three atomic loads per command.

// admit refuses a new connection as Redis's accept handler does: past
// maxclients, then in protected mode. It reports whether nc may proceed;
// n counts the connections including this one.
func (s *Server) admit(nc net.Conn, n int) bool {
	msg := ""
	if int64(n) > s.core.Config.Int("maxclients") {
		msg = core.ErrMaxClients
	} else if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok && s.core.ProtectedModeDenies(a.IP) {
		msg = core.ErrProtectedMode
	}
	if msg == "" {
		return true
	}
	s.core.RejectConnection()
	// Best effort, as Redis: the peer may be gone already.
	nc.SetWriteDeadline(time.Now().Add(time.Second))
	nc.Write([]byte("-" + msg + "\r\n"))
	nc.Close()
	return false
}

// cron runs hz times a second until Close: it keeps the coarse clock the
// limits read, applies the output buffer limits and closes idle clients.
func (s *Server) cron() {
	for {
		select {
		case <-s.stop:
			return
		case <-time.After(time.Second / time.Duration(s.core.Config.Hz())):
		}
		now := time.Now().UnixMilli()
		s.clock.Store(now)
		s.checkOutputs()
		if t := s.core.Config.IdleTimeout(); t > 0 {
			s.closeIdle(now, t.Milliseconds())
		}
	}
}

// closeIdle closes the connections that have waited for input for more
// than timeout ms since their last command or read.
func (s *Server) closeIdle(now, timeout int64) {
	var idle []*conn
	s.mu.Lock()
	for c := range s.conns {
		since := c.readSince.Load()
		if since == 0 || c.client == nil {
			continue // executing, blocked or writing: not idle
		}
		if last := c.client.LastSeen.Load(); last > since {
			since = last
		}
		if now-since > timeout {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	if len(idle) == 0 {
		return
	}
	s.core.Lock()
	n := 0
	for _, c := range idle {
		if !c.client.TimeoutExempt() {
			idle[n] = c
			n++
		}
	}
	s.core.Unlock()
	for _, c := range idle[:n] {
		c.closing.Store(true)
		c.nc.Close() // Redis writes nothing either
	}
}

// checkQuery closes a connection whose unparsed input exceeds
// client-query-buffer-limit (the limit is at least 1mb, so smaller
// buffers are not looked at). Redis logs it and closes without a reply.
func (c *conn) checkQuery() bool {
	n := c.rd.Unparsed()
	if n <= 1<<20 || int64(n) <= c.srv.core.Config.Int("client-query-buffer-limit") {
		return true
	}
	head := c.rd.buf[c.rd.pos : c.rd.pos+64]
	c.srv.core.Log.Printf("Closing client that reached max query buffer length: %s (qbuf initial bytes: %s)",
		c.srv.core.ClientInfo(c.client), strconv.Quote(string(head)))
	return false
}

// checkOutput applies client-output-buffer-limit to the pending output of
// c, whose class is class. It reports false when c must be closed; the
// caller then calls dropForOutput. It is called by the connection's own
// goroutine for its replies, and with the keyspace lock held for a
// shared connection (Deliver) and by cron.
func (c *conn) checkOutput(class int, ownBuffer bool) bool {
	lim := c.srv.core.Config.OutputLimit(class)
	if lim.Hard == 0 && lim.Soft == 0 {
		return true
	}
	used := uint64(c.inflight.Load())
	if ownBuffer {
		used += uint64(c.w.Len())
	}
	drop, since := lim.Exceeded(used, c.srv.now(), c.softSince.Load())
	c.softSince.Store(since)
	return !drop
}

// dropForOutput closes c for overcoming its output buffer limit. What is
// buffered is thrown away when ownBuffer says the caller may touch it, as
// Redis frees such a client without writing its pending replies. info is
// the client's CLIENT LIST line.
func (c *conn) dropForOutput(info string, ownBuffer bool) {
	c.srv.core.Log.Printf("Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", info)
	c.closing.Store(true)
	if ownBuffer {
		c.w.buf = nil
	}
	c.nc.Close()
}

// checkOutputs applies the output buffer limits to the connections with
// output waiting, as Redis's clientsCron does: a soft limit is reached
// by time even when nothing more is written.
func (s *Server) checkOutputs() {
	if l, p := s.core.Config.OutputLimit(core.OutputClassNormal), s.core.Config.OutputLimit(core.OutputClassPubSub); l.Hard == 0 && l.Soft == 0 && p.Hard == 0 && p.Soft == 0 {
		return
	}
	cands := s.scratch[:0]
	s.mu.Lock()
	for c := range s.conns {
		if c.client != nil && !c.closing.Load() && (c.shared.Load() || c.inflight.Load() > 0) {
			cands = append(cands, c)
		}
	}
	s.mu.Unlock()
	if len(cands) > 0 {
		s.core.Lock()
		for _, c := range cands {
			// A shared connection's buffer is guarded by the keyspace
			// lock; another one's belongs to its goroutine.
			shared := c.shared.Load()
			if !c.checkOutput(c.client.OutputClass(), shared) {
				c.dropForOutput(s.core.ClientInfoLocked(c.client), shared)
			}
		}
		s.core.Unlock()
	}
	clear(cands)
	s.scratch = cands[:0]
}

// now is the coarse clock (unix ms), kept by cron.
func (s *Server) now() int64 {
	if t := s.clock.Load(); t != 0 {
		return t
	}
	return time.Now().UnixMilli()
}

// OutputPending implements core.OutputSizer: the bytes being written to
// the socket, plus, for a connection that receives out-of-band messages,
// those buffered (guarded by the keyspace lock the caller holds).
func (c *conn) OutputPending() int {
	n := int(c.inflight.Load())
	if c.shared.Load() {
		n += c.w.Len()
	}
	return n
}
