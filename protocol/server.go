// Package protocol is polyfn's network side: the RESP2/RESP3 request
// reader and reply writer, and the TCP server that turns connections into
// core.Exec calls. See RATIONALE.md for why requests are parsed here
// rather than by redcon's reader.
package protocol

import (
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core"
)

// Server accepts connections and serves them against a core.Server.
type Server struct {
	core *core.Server
	ln   net.Listener

	mu     sync.Mutex
	conns  map[*conn]struct{}
	closed bool
	wg     sync.WaitGroup

	// clock is a coarse unix-ms clock kept by cron (limits.go); stop
	// ends cron.
	clock   atomic.Int64
	stop    chan struct{}
	scratch []*conn // cron's
}

// NewServer returns a protocol server for cs. Its background sweep (idle
// timeout) runs until Close.
func NewServer(cs *core.Server) *Server {
	s := &Server{core: cs, conns: map[*conn]struct{}{}, stop: make(chan struct{})}
	s.clock.Store(time.Now().UnixMilli())
	go s.cron()
	return s
}

// Serve accepts connections on ln until Close. It returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		// Client IDs follow the order of accept, as Redis's do, not the
		// order in which the connections' goroutines get to run.
		go s.handle(nc, s.core.ReserveClientID())
	}
}

// Close stops accepting, closes every connection and waits for their
// goroutines to finish.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		close(s.stop)
	}
	s.closed = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.nc.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// conn is one client connection. Its output buffer w is written by the
// connection's goroutine while it executes commands (under the keyspace
// lock) and, for clients that receive out-of-band messages (pub/sub,
// MONITOR, tracking invalidations), by other goroutines through Deliver,
// also under the keyspace lock. Once a connection is "shared" (something
// was delivered to it), swapping the buffer out for writing therefore
// takes the keyspace lock too; wmu keeps the socket writes in order.
//
// The first delivery may come from another client's goroutine while this
// connection is swapping or measuring its buffer without the lock, so the
// switch to shared and those unlocked uses are ordered by swapMu. It is
// never held while taking the keyspace lock (Deliver takes it with the
// keyspace lock held).
type conn struct {
	srv    *Server
	nc     net.Conn
	rd     *Reader
	w      *Writer
	spare  []byte
	client *core.Client

	wmu     sync.Mutex
	swapMu  sync.Mutex
	shared  atomic.Bool
	notify  chan struct{}
	closing atomic.Bool

	// Client limits (limits.go): readSince is when the connection began
	// waiting for input (0 while it is not); inflight the bytes being
	// written to the socket; softSince when its output was first seen at
	// or above the soft limit.
	readSince atomic.Int64
	inflight  atomic.Int64
	softSince atomic.Int64
}

func (s *Server) handle(nc net.Conn, id int64) {
	defer s.wg.Done()
	c := &conn{srv: s, nc: nc, w: NewWriter(2)}
	c.rd = NewReader(nc)
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	n := len(s.conns)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	if !s.admit(nc, n) {
		return
	}
	cl := s.core.NewClientID(c, nc.RemoteAddr().String(), nc.LocalAddr().String(), id)
	cl.W = c.w
	s.mu.Lock() // cron reads c.client under s.mu
	c.client = cl
	s.mu.Unlock()
	c.rd.MaxBulkLen = s.core.Config.ProtoMaxBulkLen()
	c.rd.Authenticated = func() bool { return c.client.Authed }
	defer func() {
		s.core.RemoveClient(c.client)
		c.closing.Store(true)
		if c.notify != nil {
			close(c.notify)
		}
		nc.Close()
	}()
	c.serve()
}

func (c *conn) serve() {
	for {
		args, err := c.rd.Next()
		if err != nil {
			c.srv.core.Lock()
			c.w.WriteError("ERR " + err.Error())
			c.srv.core.Unlock()
			c.flush()
			return
		}
		if args == nil {
			if c.flush() != nil {
				return
			}
			// proto-max-bulk-len may change at run time (CONFIG SET).
			c.rd.MaxBulkLen = c.srv.core.Config.ProtoMaxBulkLen()
			c.readSince.Store(c.srv.now())
			// Let the other connections that are ready run first: by the
			// time this one reads again its client has often sent the
			// next request, and the read finds it instead of costing a
			// system call that finds nothing and a trip through the
			// poller (see RATIONALE.md).
			runtime.Gosched()
			err := c.rd.Fill()
			c.readSince.Store(0)
			if err != nil || !c.checkQuery() {
				return
			}
			continue
		}
		c.srv.core.Exec(c.client, args)
		if c.client.CloseSoon || c.closing.Load() {
			c.flush()
			return
		}
		over, long := c.ownOutput()
		if over {
			c.dropForOutput(c.srv.core.ClientInfo(c.client), false)
			return
		}
		if long && c.flush() != nil {
			return
		}
	}
}

// ownOutput checks the replies of a connection that is not shared (a
// shared one's are checked as they are delivered): over reports that they
// overcome the output buffer limit, long that a pipeline has buffered
// enough to be flushed before its next command.
func (c *conn) ownOutput() (over, long bool) {
	if c.shared.Load() {
		return false, false
	}
	c.swapMu.Lock()
	defer c.swapMu.Unlock()
	if c.shared.Load() {
		return false, false
	}
	return !c.checkOutput(core.OutputClassNormal, true), c.w.Len() > 64*1024
}

// flush writes buffered replies to the socket.
func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// Replies leave only once the AOF holds what they acknowledge.
	c.srv.core.AOFWait()
	var out []byte
	c.swapMu.Lock()
	if c.shared.Load() {
		c.swapMu.Unlock()
		c.srv.core.Lock()
		out = c.w.buf
		c.w.buf = c.spare[:0]
		c.srv.core.Unlock()
	} else {
		out = c.w.buf
		c.w.buf = c.spare[:0]
		c.swapMu.Unlock()
	}
	if len(out) == 0 {
		c.spare = out
		return nil
	}
	c.inflight.Store(int64(len(out)))
	_, err := c.nc.Write(out)
	c.inflight.Store(0)
	if cap(out) > 1<<20 {
		out = nil // do not keep a huge buffer for an idle connection
	}
	c.spare = out[:0]
	return err
}

// Deliver implements core.Conn: called with the keyspace lock held.
func (c *conn) Deliver(fn func(w core.ReplyWriter)) {
	if c.closing.Load() {
		return
	}
	if !c.shared.Load() {
		c.swapMu.Lock()
		c.shared.Store(true)
		c.swapMu.Unlock()
		c.notify = make(chan struct{}, 1)
		go c.writer(c.notify)
	}
	fn(c.w)
	if !c.checkOutput(c.client.OutputClass(), true) {
		c.dropForOutput(c.srv.core.ClientInfoLocked(c.client), true)
		return
	}
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// writer flushes out-of-band messages for a shared connection.
func (c *conn) writer(notify chan struct{}) {
	for range notify {
		if c.flush() != nil {
			c.nc.Close()
			return
		}
	}
}

// Close implements core.Conn (CLIENT KILL).
func (c *conn) Close() {
	c.closing.Store(true)
	c.nc.Close()
}

// SetResp implements core.Conn.
func (c *conn) SetResp(v int) { c.w.SetResp(v) }

// PendingOutput implements core.Conn.
func (c *conn) PendingOutput() int { return c.w.Len() }
