// Package core is polyfn's server core: the command table and dispatch,
// the keyspace lock, client sessions, configuration, INFO and the command
// groups. The protocol layer feeds it parsed commands through Exec and
// gives it a ReplyWriter per connection; the core never sees bytes on the
// wire.
package core

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Version is polyfn's own version; RedisVersion is the Redis version it
// answers as (INFO redis_version, HELLO), since clients gate features on it.
const (
	Version          = "0.1.0"
	RedisVersion     = "7.0.15"
	RedisVersionNum  = 0x07000f
	NumDatabasesMax  = 16
	defaultDatabases = 16
)

// Server is one polyfn instance.
type Server struct {
	Config *Config
	Table  *Table
	Log    *log.Logger
	Start  time.Time

	// mu is the keyspace lock: every command runs with it held, so
	// commands (and later scripts) are atomic with respect to each other.
	mu  sync.Mutex
	DBs []*keyspace.DB

	clientsMu sync.Mutex
	clients   map[int64]*Client
	nextID    atomic.Int64

	Stats Stats
	mem   memAccount // used memory (memory.go)
	evict evictState // maxmemory eviction (evict.go)

	blocking blockingState
	watching map[watchKey]map[*Client]struct{}
	PubSub   PubSub
	monitors map[*Client]struct{}

	// Dirty counts changes since the last save (rdb_changes_since_last_save).
	Dirty int64
	// persist is the RDB save state (rdbsave.go).
	persist persistState
	// aof is the append-only file (aof.go).
	aof aofState

	intro introState // INFO / LATENCY state (info.go, latency.go)
	pause pauseState // CLIENT PAUSE: see cmd_client.go
	// disableDenyScripts is DEBUG SET-DISABLE-DENY-SCRIPTS.
	disableDenyScripts bool
	// skipChecksumValidation is DEBUG SET-SKIP-CHECKSUM-VALIDATION.
	skipChecksumValidation bool

	scripts scriptState // EVAL scripts, function libraries, the running script
	effects effectState // the effects stream (effects.go)
	// tracking is CLIENT TRACKING's state (tracking.go).
	tracking trackingState
	// acl is the users and the ACL LOG (acl_state.go).
	acl aclState

	shutdownOnce sync.Once
	shutdown     chan struct{}
	stopExpire   chan struct{}
}

// New returns a server with the given configuration and command table.
func New(cfg *Config, table *Table) *Server {
	s := &Server{
		Config:     cfg,
		Table:      table,
		Log:        log.New(os.Stderr, "", log.LstdFlags),
		Start:      time.Now(),
		clients:    map[int64]*Client{},
		watching:   map[watchKey]map[*Client]struct{}{},
		monitors:   map[*Client]struct{}{},
		shutdown:   make(chan struct{}),
		stopExpire: make(chan struct{}),
	}
	s.PubSub.init()
	s.blocking.init()
	n := cfg.Databases
	for i := 0; i < n; i++ {
		db := keyspace.New(i)
		db.OnExpire = s.keyExpired
		s.DBs = append(s.DBs, db)
	}
	s.Stats.init()
	s.intro.init()
	s.initScripting()
	s.tracking.init()
	s.persist.init(s.Start)
	s.aof.init()
	s.initACL()
	s.initEviction()
	go s.expireLoop()
	go s.persistLoop()
	return s
}

// Lock and Unlock take and release the keyspace lock, for code outside
// Exec that must touch the keyspace (tests, persistence).
func (s *Server) Lock()   { s.mu.Lock() }
func (s *Server) Unlock() { s.mu.Unlock() }

// Done is closed when SHUTDOWN asks the process to stop.
func (s *Server) Done() <-chan struct{} { return s.shutdown }

// RequestShutdown closes Done (once).
func (s *Server) RequestShutdown() {
	s.shutdownOnce.Do(func() {
		if s.scripts.active.Load() {
			s.scripts.kill.Load().cancel() // SHUTDOWN NOSAVE stops even an unkillable script
		}
		close(s.shutdown)
		close(s.stopExpire)
	})
}

// NewClient registers a connection. The caller sets W before Exec.
func (s *Server) NewClient(conn Conn, addr, laddr string) *Client {
	return s.NewClientID(conn, addr, laddr, s.ReserveClientID())
}

// ReserveClientID hands out the next client ID, for a connection whose
// client NewClientID will make later (the network layer takes IDs in
// accept order).
func (s *Server) ReserveClientID() int64 { return s.nextID.Add(1) }

// NewClientID is NewClient with an ID from ReserveClientID.
func (s *Server) NewClientID(conn Conn, addr, laddr string, id int64) *Client {
	c := &Client{
		ID:      id,
		Conn:    conn,
		Addr:    addr,
		LAddr:   laddr,
		Resp:    2,
		Created: time.Now(),
		User:    "default",
	}
	c.DB = s.DBs[0]
	s.mu.Lock()
	c.aclUser = s.acl.a.Default
	c.Authed = s.aclDefaultAuthed()
	s.mu.Unlock()
	c.LastSeen.Store(time.Now().UnixMilli())
	s.clientsMu.Lock()
	s.clients[c.ID] = c
	s.clientsMu.Unlock()
	s.Stats.ConnectionsReceived.Add(1)
	return c
}

// RemoveClient forgets a closed connection and everything it held
// (subscriptions, watches, a pending blocking command).
func (s *Server) RemoveClient(c *Client) {
	s.mu.Lock()
	s.unblock(c)
	s.unwatchAll(c)
	s.PubSub.unsubscribeAll(c)
	s.disableTracking(c)
	delete(s.monitors, c)
	s.mu.Unlock()
	s.clientsMu.Lock()
	delete(s.clients, c.ID)
	s.clientsMu.Unlock()
}

// Clients returns the connected clients ordered by id.
func (s *Server) Clients() []*Client {
	s.clientsMu.Lock()
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	s.clientsMu.Unlock()
	sortClients(out)
	return out
}

// Ctx is the context of one command execution.
type Ctx struct {
	S   *Server
	C   *Client
	Cmd *Command
	// Args are the command's arguments, Args[0] being its name. They
	// alias the connection's read buffer: copy anything that is kept
	// beyond the command (keys given to keyspace.DB are copied for you).
	Args [][]byte
	W    ReplyWriter
	DB   *keyspace.DB
	// Now is the command's clock in unix milliseconds, fixed for its
	// whole run as Redis does (expiry checks, TTL arithmetic).
	Now int64
	// NoBlock makes blocking commands answer as on timeout (inside MULTI
	// and scripts).
	NoBlock bool
	// InMulti is set while EXEC runs the queued commands.
	InMulti bool
	// ReadyKey is, for a blocked client's serve function, the key whose
	// modification is being offered to it.
	ReadyKey []byte

	failed bool
	start  time.Time // when the command was received (Exec)
	// frozenNow, when set, is the clock the command sees (the running
	// script's start, as Redis freezes time for a script's commands).
	frozenNow int64
	// noPropagate keeps the command out of the effects stream
	// (redis.set_repl(redis.REPL_NONE)).
	noPropagate bool
	// propagate, when set, is the command's effect instead of Args
	// (Ctx.Propagate).
	propagate [][][]byte
	// redacted are the indexes of Args that SLOWLOG and MONITOR show as
	// "(redacted)" (Ctx.Redact).
	redacted []int
	// forcePropagate propagates the command even if it changed nothing
	// (Ctx.ForcePropagation).
	forcePropagate bool
}

// Error replies with an error and counts it in errorstats.
func (ctx *Ctx) Error(msg string) {
	ctx.failed = true
	ctx.S.Stats.countError(msg)
	ctx.W.WriteError(msg)
}

// Errorf formats an error reply.
func (ctx *Ctx) Errorf(format string, args ...any) { ctx.Error(fmt.Sprintf(format, args...)) }

// OK replies +OK.
func (ctx *Ctx) OK() { ctx.W.WriteStatus("OK") }

// WrongArity replies with the arity error for the running command.
func (ctx *Ctx) WrongArity() { ctx.Errorf(fmtWrongArity, ctx.Cmd.FullName()) }

// Redact hides argument i from SLOWLOG and MONITOR, which show
// "(redacted)" in its place, as Redis does for passwords and ACL rules.
// Handlers call it as they reach the argument, where Redis's do, so that
// a command refused before then is shown as it came.
func (ctx *Ctx) Redact(i int) { ctx.redacted = append(ctx.redacted, i) }

// shownArg is argument i as SLOWLOG and MONITOR show it.
func (ctx *Ctx) shownArg(i int) []byte {
	if slices.Contains(ctx.redacted, i) {
		return redactedArg
	}
	return ctx.Args[i]
}

var redactedArg = []byte("(redacted)")

// ForcePropagation sends the command to the AOF even when it changed no
// key, as Redis's forceCommandPropagation (FLUSHALL and FLUSHDB of
// empty databases).
func (ctx *Ctx) ForcePropagation() { ctx.forcePropagate = true }

// SyntaxError replies "ERR syntax error".
func (ctx *Ctx) SyntaxError() { ctx.Error(ErrSyntax) }

// Modified must be called after a command changes key in ctx.DB: it
// invalidates WATCHes, wakes clients blocked on the key and counts the
// change for persistence.
func (ctx *Ctx) Modified(key []byte) {
	s := ctx.S
	s.Dirty++
	s.touchWatched(ctx.DB, key)
	s.signalReady(ctx.DB, key)
	if s.tracking.clients > 0 {
		s.trackingInvalidate(s.commandClient(ctx), key)
	}
}

// commandClient is the client on whose behalf ctx runs: the caller of the
// running script for the commands a script calls.
func (s *Server) commandClient(ctx *Ctx) *Client {
	if ctx.C == s.scripts.client && s.scripts.running != nil {
		return s.scripts.running.caller
	}
	return ctx.C
}

// Exec runs one command for client c, as received from the network. It
// takes the keyspace lock itself; the reply goes to c.W.
func (s *Server) Exec(c *Client, args [][]byte) {
	if c.replyFiltered() { // CLIENT REPLY OFF / SKIP
		s.replyBefore(c)
		s.exec(c, args)
		s.replyAfter(c)
		return
	}
	s.exec(c, args)
}

func (s *Server) exec(c *Client, args [][]byte) {
	start := time.Now()
	c.LastSeen.Store(start.UnixMilli())
	cmd, found := s.Table.Lookup(args)
	if cmd == nil || !found {
		s.mu.Lock()
		s.rejectUnknown(c, cmd, args)
		s.mu.Unlock()
		return
	}
	if !cmd.CheckArity(len(args)) {
		s.mu.Lock()
		s.reject(c, cmd, fmt.Sprintf(fmtWrongArity, cmd.FullName()))
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !c.Authed && !cmd.Has(FlagNoAuth) && s.authRequired(c) {
		s.reject(c, cmd, ErrNoAuth)
		return
	}
	if c.Multi != nil && cmd.Has(FlagNoMulti) {
		s.reject(c, cmd, fmtNotAllowedMulti)
		return
	}
	if !c.aclUser.Unrestricted && s.aclDenyExec(c, cmd, args) {
		return
	}
	if s.Config.hot.maxmemory.Load() > 0 && s.busyRun() == nil {
		flags := cmd.Flags
		if cmd.flagsFor != nil {
			// Only the OOM check needs a script's own flags for now.
			flags = cmd.flagsFor(s, args)
		}
		if s.outOfMemory(c, flags, cmd, args, start) {
			s.reject(c, cmd, ErrOOM)
			return
		}
	}
	if s.persist.lastBgErr && s.writesDenied(c, cmd, args, cmd.Flags) { // MISCONF
		s.reject(c, cmd, ErrMisconf)
		return
	}
	if s.aof.writeErr.Load() != nil { // MISCONF: the AOF cannot be written
		if msg := s.misconfAOF(); msg != "" && s.aofWritesDenied(c, cmd, args) {
			s.reject(c, cmd, msg)
			return
		}
	}
	if c.Resp == 2 && c.Subscriptions() > 0 && !allowedInPubSub(cmd) {
		s.reject(c, cmd, fmt.Sprintf(fmtPubSubContext, cmd.FullName()))
		return
	}
	if r := s.busyRun(); r != nil && !cmd.Has(FlagAllowBusy) {
		s.reject(c, cmd, r.busyError())
		return
	}
	if s.pause.wake != nil { // CLIENT PAUSE
		s.waitPause(c, cmd, args)
		start = time.Now()
	}
	if c.Multi != nil && !multiControl(cmd) {
		q := QueuedCommand{Cmd: cmd, Args: make([][]byte, len(args))}
		for i, a := range args {
			q.Args[i] = bytes.Clone(a)
		}
		c.Multi.Queue = append(c.Multi.Queue, q)
		c.W.WriteStatus("QUEUED")
		return
	}
	// The client's own Ctx is reused: handlers must not keep it.
	ctx := &c.ctx
	*ctx = Ctx{S: s, C: c, Cmd: cmd, Args: args, W: c.W, DB: c.DB, start: start}
	s.call(ctx)
	if c.blocked != nil {
		s.waitBlocked(c) // releases and retakes the lock
	}
	s.serveReady()
	if s.tracking.clients > 0 || len(s.tracking.held) > 0 {
		if tr := c.tracking; tr != nil && tr.caching && c.Multi == nil {
			// CLIENT CACHING applies to the next command only.
			tr.caching = c.keepCaching
		}
		c.keepCaching = false
		s.trackingAfterCommand()
	}
}

// runHandler runs the command's handler. A panic in a handler is a bug in
// polyfn, not the client's doing: it is logged with its stack and the
// client gets an error, and the server keeps serving everyone else.
func (s *Server) runHandler(ctx *Ctx) {
	defer func() {
		if r := recover(); r != nil {
			s.Log.Printf("BUG: panic in command %q: %v\n%s", ctx.Cmd.FullName(), r, debug.Stack())
			ctx.Error("ERR internal error in '" + ctx.Cmd.FullName() + "' command (see the server log)")
			if ctx.C != nil {
				// A partly written reply would desynchronise the stream.
				ctx.C.CloseSoon = true
			}
		}
	}()
	ctx.Cmd.Handler(ctx)
}

// call runs a command with statistics, MONITOR feed and slow log. The
// lock is held.
func (s *Server) call(ctx *Ctx) {
	start := ctx.start
	var mono time.Duration
	if ctx.frozenNow != 0 {
		// A script's commands all see its start time: only their
		// duration needs the clock, the monotonic one will do.
		ctx.Now = ctx.frozenNow
		if start.IsZero() {
			mono = s.monoNow()
		}
	} else {
		if start.IsZero() {
			start = time.Now()
		}
		ctx.Now = start.UnixMilli()
	}
	var dirty int64
	// The sink may be installed by the command itself (CONFIG SET
	// appendonly yes): decide once.
	recording := s.effects.sink != nil
	if recording {
		dirty = s.Dirty
		s.effects.depth++
	}
	s.runHandler(ctx)
	if s.tracking.clients > 0 && ctx.Cmd.Has(FlagReadonly) {
		s.trackRead(s.commandClient(ctx), ctx.Cmd, ctx.Args)
	}
	if recording {
		s.effects.depth--
		if s.effects.sink != nil {
			s.recordEffect(ctx, dirty)
		} else {
			s.effects.pending = nil // the sink went away (appendonly no)
		}
	}
	var dur time.Duration
	if start.IsZero() {
		dur = s.monoNow() - mono
	} else {
		dur = time.Since(start)
	}
	// Like Redis, MONITOR sees the command after it ran, with the
	// client's database as it left it (SELECT shows the new one).
	if len(s.monitors) > 0 && !ctx.Cmd.Has(FlagSkipMonitor) && !ctx.Cmd.Has(FlagAdmin) {
		s.feedMonitors(ctx)
	}
	st := s.Stats.command(ctx.Cmd)
	st.Calls++
	st.Nanos += int64(dur)
	s.recordLatency(ctx.Cmd, st, dur)
	if ctx.failed {
		st.Failed++
	}
	s.Stats.Commands++
	if ctx.C != nil {
		ctx.C.LastCmd = ctx.Cmd.FullName()
	}
	s.slowlogAdd(ctx, dur)
}

// Call runs cmd for ctx's client from inside another command (EXEC, and
// later scripts): no queueing, no blocking, same statistics.
func (s *Server) Call(parent *Ctx, cmd *Command, args [][]byte, w ReplyWriter) {
	ctx := &Ctx{S: s, C: parent.C, Cmd: cmd, Args: args, W: w, DB: parent.C.DB, NoBlock: true, InMulti: parent.InMulti}
	s.call(ctx)
}

// reject answers a command refused before it ran, and poisons an open
// transaction as Redis does.
func (s *Server) reject(c *Client, cmd *Command, msg string) {
	if c.Multi != nil {
		c.Multi.Aborted = true
	}
	if cmd != nil {
		s.Stats.command(cmd).Rejected++
		if cmd.Name == "exec" {
			// A refused EXEC ends the transaction, as Redis's execCommandAbort.
			s.DiscardTransaction(c)
			msg = ErrExecAbortBecause + strings.TrimPrefix(msg, "ERR ")
		}
	}
	s.Stats.countError(msg)
	c.W.WriteError(msg)
}

func (s *Server) rejectUnknown(c *Client, parent *Command, args [][]byte) {
	if parent != nil {
		s.reject(c, nil, fmt.Sprintf(fmtUnknownSubcmd, truncate(string(args[1]), 128), strings.ToUpper(string(args[0]))))
		return
	}
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteByte('\'')
		b.WriteString(truncate(string(a), 128-b.Len()))
		b.WriteString("' ")
	}
	s.reject(c, nil, fmt.Sprintf(fmtUnknownCommand, truncate(string(args[0]), 128), b.String()))
}

func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		return s[:n]
	}
	return s
}

func allowedInPubSub(cmd *Command) bool {
	switch cmd.Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
		"psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	return false
}

// multiControl lists the commands that act immediately inside MULTI.
func multiControl(cmd *Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}
