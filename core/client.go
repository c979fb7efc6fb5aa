package core

import (
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/acl"
	"github.com/polyfn/polyfn/core/keyspace"
)

// Conn is the protocol layer's side of a client connection, as the core
// needs it.
type Conn interface {
	// Deliver writes an out-of-band reply (a pub/sub message, a MONITOR
	// line) to the client. It is called with the keyspace lock held and
	// must not wait on the network.
	Deliver(fn func(w ReplyWriter))
	// Close disconnects the client after what is already buffered has
	// been written (CLIENT KILL, QUIT). It does not wait.
	Close()
	// SetResp switches the encoding of the client's replies (HELLO).
	SetResp(v int)
	// PendingOutput is the number of reply bytes not yet written.
	PendingOutput() int
}

// CloseWatcher is implemented by connections that can tell, while their
// client is parked in a blocking command, that the peer went away (Redis
// frees such a client at once instead of serving it later). WatchClose
// calls gone (from another goroutine) when the peer closes; the returned
// stop ends the watch and returns only once gone can no longer be called.
type CloseWatcher interface {
	WatchClose(gone func()) (stop func())
}

// Client is one connection's session state, as commands see it. Fields
// are read and written with the keyspace lock held unless noted.
type Client struct {
	ID      int64
	Conn    Conn
	W       ReplyWriter // the connection's reply writer
	Addr    string      // remote address "ip:port"
	LAddr   string      // local address
	Name    string
	LibName string // CLIENT SETINFO lib-name
	LibVer  string // CLIENT SETINFO lib-ver
	DB      *keyspace.DB
	Resp    int
	Authed  bool
	User    string // the ACL user's name (CLIENT LIST, CLIENT KILL USER)
	// aclUser is the user the client runs as (never nil once registered).
	aclUser   *acl.User
	Created   time.Time
	LastCmd   string
	LastSeen  atomic.Int64 // unix ms of the last command (read without lock)
	Multi     *MultiState
	Monitor   bool
	NoEvict   bool
	CloseSoon bool // close after the reply is written (QUIT, protocol error)

	// Pub/sub subscriptions (see pubsub.go).
	Channels      map[string]struct{}
	Patterns      map[string]struct{}
	ShardChannels map[string]struct{}
	patternOrder  []string // Patterns in subscription order

	// watch state: see watch.go
	watched    []watchEntry
	watchDirty bool

	// ctx is reused for every command the client runs (Exec).
	ctx Ctx

	// blocking state: see blocking.go
	blocked *waiter

	// CLIENT REPLY / UNBLOCK state: see cmd_client.go
	admin adminState

	// tracking is the CLIENT TRACKING mode (nil: off); keepCaching keeps
	// CLIENT CACHING's flag for the next command (tracking.go).
	tracking    *clientTracking
	keepCaching bool
}

// Subscriptions is the number of channels, patterns and shard channels
// subscribed to: while it is not zero a RESP2 client is in subscriber
// mode.
func (c *Client) Subscriptions() int {
	return len(c.Channels) + len(c.Patterns) + len(c.ShardChannels)
}

// MultiState is a transaction being queued (between MULTI and EXEC).
type MultiState struct {
	Queue []QueuedCommand
	// Aborted is set when a command could not be queued (unknown, wrong
	// arity...): EXEC then fails with EXECABORT.
	Aborted bool
}

// QueuedCommand is a command waiting for EXEC. Args are owned copies.
type QueuedCommand struct {
	Cmd  *Command
	Args [][]byte
}

// Blocked reports whether the client is waiting in a blocking command.
func (c *Client) Blocked() bool { return c.blocked != nil }
