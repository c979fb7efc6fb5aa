package core

import (
	"net"
	"strconv"
	"strings"
	"time"
)

// CLIENT subcommands, client pausing (CLIENT PAUSE) and reply suppression
// (CLIENT REPLY).

func init() {
	// CLIENT SETINFO is Redis 7.2; polyfn accepts it because client
	// libraries send it on connect. Its metadata is 7.2's.
	commandMeta["client|setinfo"] = [2]string{
		"*10\r\n$14\r\nclient|setinfo\r\n:4\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n*0\r\n",
		"%3\r\n$5\r\nsince\r\n$5\r\n7.2.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$4\r\nattr\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$7\r\nlibname\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$8\r\nLIB-NAME\r\n%3\r\n$4\r\nname\r\n$6\r\nlibver\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$7\r\nLIB-VER\r\n",
	}
}

// adminState is the per-client state of the administration commands.
type adminState struct {
	replyOff  bool        // CLIENT REPLY OFF
	skipNext  bool        // CLIENT REPLY SKIP: discard the next reply
	skipping  bool        // the current command's reply is discarded
	realW     ReplyWriter // the connection's writer while replies are discarded
	unblocked bool        // 'u' flag: woken by CLIENT UNBLOCK
}

// pauseState is CLIENT PAUSE.
type pauseState struct {
	until time.Time
	all   bool          // ALL (else WRITE)
	wake  chan struct{} // closed when the pause ends or changes
}

func registerClientCommands(t *Table) {
	t.Add("client", nil)
	t.Add("client|id", func(ctx *Ctx) { ctx.W.WriteInt(ctx.C.ID) })
	t.Add("client|getname", func(ctx *Ctx) {
		if ctx.C.Name == "" {
			ctx.W.WriteNull()
			return
		}
		ctx.W.WriteBulkString(ctx.C.Name)
	})
	t.Add("client|setname", func(ctx *Ctx) {
		if setClientName(ctx, ctx.Args[2]) {
			ctx.OK()
		}
	})
	t.Add("client|info", func(ctx *Ctx) {
		ctx.W.WriteVerbatim("txt", ctx.S.clientInfo(ctx.C, ctx)+"\n")
	})
	t.Add("client|list", cmdClientList)
	t.Add("client|kill", cmdClientKill)
	t.Add("client|no-evict", func(ctx *Ctx) {
		switch {
		case ctx.ArgIs(2, "on"):
			ctx.C.NoEvict = true
		case ctx.ArgIs(2, "off"):
			ctx.C.NoEvict = false
		default:
			ctx.SyntaxError()
			return
		}
		ctx.OK()
	})
	t.Add("client|pause", cmdClientPause)
	t.Add("client|unpause", func(ctx *Ctx) {
		ctx.S.endPause()
		ctx.OK()
	})
	t.Add("client|unblock", cmdClientUnblock)
	t.Add("client|reply", cmdClientReply)
	t.Add("client|setinfo", cmdClientSetinfo)
	t.Add("client|help", func(ctx *Ctx) { writeHelp(ctx.W, clientHelp) })
}

var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
}

// subcommandSyntaxError is Redis's reply for a known subcommand called
// with arguments it does not accept.
func subcommandSyntaxError(ctx *Ctx) {
	ctx.Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		truncate(string(ctx.Args[1]), 128), strings.ToUpper(string(ctx.Args[0])))
}

// validName reports whether a client name (or library name) has only
// printable ASCII without spaces, as Redis requires.
func validName(b []byte) bool {
	for _, c := range b {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// setClientName sets (or, when empty, clears) the client name, replying
// with the error when the name is not acceptable.
func setClientName(ctx *Ctx, name []byte) bool {
	if !validName(name) {
		ctx.Error("ERR Client names cannot contain spaces, newlines or special characters.")
		return false
	}
	ctx.C.Name = string(name)
	return true
}

func cmdClientSetinfo(ctx *Ctx) {
	attr, val := ctx.Args[2], ctx.Args[3]
	var dst *string
	switch {
	case ctx.ArgIs(2, "lib-name"):
		dst = &ctx.C.LibName
	case ctx.ArgIs(2, "lib-ver"):
		dst = &ctx.C.LibVer
	default:
		ctx.Errorf("ERR Unrecognized option '%s'", attr)
		return
	}
	if !validName(val) {
		ctx.Errorf("ERR %s cannot contain spaces, newlines or special characters.", strings.ToLower(string(attr)))
		return
	}
	*dst = string(val)
	ctx.OK()
}

// Client types for CLIENT LIST TYPE and CLIENT KILL TYPE.
const (
	clientNormal = iota
	clientReplica
	clientPubSub
	clientMaster
)

func clientTypeByName(name string) int {
	switch strings.ToLower(name) {
	case "normal":
		return clientNormal
	case "slave", "replica":
		return clientReplica
	case "pubsub":
		return clientPubSub
	case "master":
		return clientMaster
	}
	return -1
}

func clientType(c *Client) int {
	if c.Subscriptions() > 0 {
		return clientPubSub
	}
	return clientNormal
}

// clientInfo formats one CLIENT LIST line (without the newline). ctx is
// the running command when c is its own client.
func (s *Server) clientInfo(c *Client, ctx *Ctx) string {
	now := time.Now()
	var flags []byte
	if c.Monitor {
		flags = append(flags, 'O')
	}
	if c.Subscriptions() > 0 {
		flags = append(flags, 'P')
	}
	if c.Multi != nil {
		flags = append(flags, 'x')
	}
	if c.blocked != nil {
		flags = append(flags, 'b')
	}
	if c.tracking != nil {
		flags = append(flags, 't')
		if c.tracking.brokenRedir {
			flags = append(flags, 'R')
		}
		if c.tracking.bcast {
			flags = append(flags, 'B')
		}
	}
	if c.watchDirty {
		flags = append(flags, 'd')
	}
	if c.CloseSoon {
		flags = append(flags, 'c')
	}
	if c.admin.unblocked {
		flags = append(flags, 'u')
	}
	if c.NoEvict {
		flags = append(flags, 'e')
	}
	if len(flags) == 0 {
		flags = append(flags, 'N')
	}
	multi, multiMem := -1, 0
	if c.Multi != nil {
		multi = len(c.Multi.Queue)
		for _, q := range c.Multi.Queue {
			for _, a := range q.Args {
				multiMem += len(a)
			}
		}
	}
	argvMem := 0
	cmd := c.LastCmd
	if ctx != nil && ctx.C == c {
		cmd = ctx.Cmd.FullName()
		for _, a := range ctx.Args {
			argvMem += len(a)
		}
	}
	if cmd == "" {
		cmd = "NULL"
	}
	events := "r"
	obl := 0
	// Only the caller's own buffer can be read safely here: another
	// connection may be flushing its buffer without the lock.
	omem := 0
	if c.Conn != nil && ctx != nil && ctx.C == c {
		obl = c.Conn.PendingOutput()
		if obl > 0 {
			events = "rw"
		}
	} else if os, ok := c.Conn.(OutputSizer); ok {
		// Another client's replies waiting for the socket (a slow
		// subscriber's backlog): Redis's reply list.
		omem = os.OutputPending()
		if omem > 0 {
			events = "rw"
		}
	}
	user := c.User
	if user == "" {
		user = "default"
	}
	var b strings.Builder
	field := func(name, value string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
	}
	num := func(name string, n int64) { field(name, strconv.FormatInt(n, 10)) }
	num("id", c.ID)
	field("addr", c.Addr)
	field("laddr", c.LAddr)
	num("fd", 8+c.ID%1024)
	field("name", c.Name)
	num("age", int64(now.Sub(c.Created)/time.Second))
	num("idle", (now.UnixMilli()-c.LastSeen.Load())/1000)
	field("flags", string(flags))
	num("db", int64(c.DB.ID))
	num("sub", int64(len(c.Channels)))
	num("psub", int64(len(c.Patterns)))
	num("ssub", 0)
	num("multi", int64(multi))
	num("qbuf", 0)
	num("qbuf-free", 0)
	num("argv-mem", int64(argvMem))
	num("multi-mem", int64(multiMem))
	num("rbs", 1024)
	num("rbp", 0)
	num("obl", int64(obl))
	num("oll", int64((omem+16383)/16384))
	num("omem", int64(omem))
	num("tot-mem", int64(2048+argvMem+multiMem+obl+omem))
	field("events", events)
	field("cmd", cmd)
	field("user", user)
	num("redir", -1)
	num("resp", int64(c.Resp))
	if c.LibName != "" || c.LibVer != "" {
		field("lib-name", c.LibName)
		field("lib-ver", c.LibVer)
	}
	return b.String()
}

// ClientByID returns the connected client with that id, or nil.
func (s *Server) ClientByID(id int64) *Client {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return s.clients[id]
}

func cmdClientList(ctx *Ctx) {
	typ := -1
	var ids []int64
	switch {
	case len(ctx.Args) == 4 && ctx.ArgIs(2, "type"):
		typ = clientTypeByName(string(ctx.Args[3]))
		if typ < 0 {
			ctx.Errorf("ERR Unknown client type '%s'", ctx.Args[3])
			return
		}
	case len(ctx.Args) > 3 && ctx.ArgIs(2, "id"):
		for _, a := range ctx.Args[3:] {
			id, ok := ParseInt(a)
			if !ok {
				ctx.Error("ERR Invalid client ID")
				return
			}
			ids = append(ids, id)
		}
	case len(ctx.Args) != 2:
		ctx.SyntaxError()
		return
	}
	var b strings.Builder
	if ids != nil {
		for _, id := range ids {
			if c := ctx.S.ClientByID(id); c != nil {
				b.WriteString(ctx.S.clientInfo(c, ctx))
				b.WriteByte('\n')
			}
		}
	} else {
		for _, c := range ctx.S.Clients() {
			if typ >= 0 && clientType(c) != typ {
				continue
			}
			b.WriteString(ctx.S.clientInfo(c, ctx))
			b.WriteByte('\n')
		}
	}
	ctx.W.WriteVerbatim("txt", b.String())
}

func cmdClientKill(ctx *Ctx) {
	var addr, laddr, user string
	var id int64
	typ := -1
	skipme := true
	args := ctx.Args
	switch {
	case len(args) == 3:
		addr = string(args[2])
		skipme = false // the old form can kill the caller itself
	default:
		for i := 2; i < len(args); i += 2 {
			more := i+1 < len(args)
			switch {
			case ctx.ArgIs(i, "id") && more:
				n, ok := ParseInt(args[i+1])
				if !ok || n < 1 {
					ctx.Error("ERR client-id should be greater than 0")
					return
				}
				id = n
			case ctx.ArgIs(i, "type") && more:
				typ = clientTypeByName(string(args[i+1]))
				if typ < 0 {
					ctx.Errorf("ERR Unknown client type '%s'", args[i+1])
					return
				}
			case ctx.ArgIs(i, "addr") && more:
				addr = string(args[i+1])
			case ctx.ArgIs(i, "laddr") && more:
				laddr = string(args[i+1])
			case ctx.ArgIs(i, "user") && more:
				user = string(args[i+1])
				if user != "default" {
					ctx.Errorf("ERR No such user '%s'", args[i+1])
					return
				}
			case ctx.ArgIs(i, "skipme") && more:
				switch {
				case ctx.ArgIs(i+1, "yes"):
					skipme = true
				case ctx.ArgIs(i+1, "no"):
					skipme = false
				default:
					ctx.SyntaxError()
					return
				}
			default:
				ctx.SyntaxError()
				return
			}
		}
	}
	killed := 0
	for _, c := range ctx.S.Clients() {
		if (addr != "" && c.Addr != addr) || (laddr != "" && c.LAddr != laddr) ||
			(typ >= 0 && clientType(c) != typ) || (id != 0 && c.ID != id) ||
			(user != "" && c.User != user) || (c == ctx.C && skipme) {
			continue
		}
		if c == ctx.C {
			c.CloseSoon = true
		} else {
			ctx.S.killClient(c)
		}
		killed++
	}
	if len(args) == 3 {
		if killed == 0 {
			ctx.Error("ERR No such client")
		} else {
			ctx.OK()
		}
		return
	}
	ctx.W.WriteInt(int64(killed))
}

// killClient disconnects another client: its blocking command (if any) is
// cancelled without a reply and its connection closed. The lock is held.
func (s *Server) killClient(c *Client) {
	s.unblock(c)
	if c.Conn != nil {
		c.Conn.Close()
	}
}

func cmdClientUnblock(ctx *Ctx) {
	if len(ctx.Args) > 4 {
		subcommandSyntaxError(ctx)
		return
	}
	errMsg := ""
	if len(ctx.Args) == 4 {
		switch {
		case ctx.ArgIs(3, "timeout"):
		case ctx.ArgIs(3, "error"):
			errMsg = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
		default:
			ctx.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
			return
		}
	}
	id, ok := ctx.Int(2)
	if !ok {
		return
	}
	target := ctx.S.ClientByID(id)
	if target != nil && ctx.S.Unblock(target, errMsg) {
		target.admin.unblocked = true
		ctx.W.WriteInt(1)
		return
	}
	ctx.W.WriteInt(0)
}

// parseTimeoutMs parses a millisecond timeout as Redis's
// getTimeoutFromObjectOrReply and returns the absolute deadline (zero:
// no timeout).
func parseTimeoutMs(ctx *Ctx, arg []byte) (time.Time, bool) {
	n, ok := ParseInt(arg)
	if !ok {
		ctx.Error("ERR timeout is not an integer or out of range")
		return time.Time{}, false
	}
	if n < 0 {
		ctx.Error(ErrTimeoutNegative)
		return time.Time{}, false
	}
	if n == 0 {
		return time.Time{}, true
	}
	now := time.Now().UnixMilli()
	if n > 1<<63-1-now {
		ctx.Error(ErrTimeoutOutOfRng)
		return time.Time{}, false
	}
	return time.UnixMilli(now + n), true
}

func cmdClientPause(ctx *Ctx) {
	if len(ctx.Args) > 4 {
		subcommandSyntaxError(ctx)
		return
	}
	all := true
	if len(ctx.Args) == 4 {
		switch {
		case ctx.ArgIs(3, "write"):
			all = false
		case ctx.ArgIs(3, "all"):
		default:
			ctx.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	}
	until, ok := parseTimeoutMs(ctx, ctx.Args[2])
	if !ok {
		return
	}
	if until.IsZero() {
		until = time.Now()
	}
	ctx.S.startPause(until, all)
	ctx.OK()
}

// startPause pauses clients until the given time, as Redis does: a pause
// never shortens one in effect, and ALL wins over WRITE.
func (s *Server) startPause(until time.Time, all bool) {
	p := &s.pause
	if p.wake != nil && time.Now().Before(p.until) {
		if until.After(p.until) {
			p.until = until
		}
		if all {
			p.all = true
		}
		close(p.wake)
		p.wake = make(chan struct{})
		return
	}
	*p = pauseState{until: until, all: all, wake: make(chan struct{})}
}

// endPause lifts the pause (CLIENT UNPAUSE).
func (s *Server) endPause() {
	if s.pause.wake != nil {
		close(s.pause.wake)
		s.pause = pauseState{}
	}
}

// pausedFor reports whether cmd must wait for the pause to end.
func (s *Server) pausedFor(c *Client, cmd *Command, args [][]byte) bool {
	p := &s.pause
	if p.wake == nil {
		return false
	}
	if !time.Now().Before(p.until) {
		s.endPause()
		return false
	}
	if p.all {
		return true
	}
	flags := cmd.Flags
	if cmd.flagsFor != nil && args != nil {
		flags = cmd.flagsFor(s, args) // a no-writes script is not a write
	}
	if flags&(FlagWrite|FlagMayReplicate) != 0 {
		return true
	}
	if cmd.Name == "exec" && c.Multi != nil {
		for _, q := range c.Multi.Queue {
			if q.Cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
				return true
			}
		}
	}
	return false
}

// waitPause parks the client while the server is paused for cmd. It is
// called and returns with the lock held.
func (s *Server) waitPause(c *Client, cmd *Command, args [][]byte) {
	for s.pausedFor(c, cmd, args) {
		wake := s.pause.wake
		t := time.NewTimer(time.Until(s.pause.until))
		s.mu.Unlock()
		select {
		case <-wake:
		case <-t.C:
		case <-s.shutdown:
			t.Stop()
			s.mu.Lock()
			return
		}
		t.Stop()
		s.mu.Lock()
	}
}

// Paused reports whether a client pause is in effect (INFO paused_*).
func (s *Server) Paused() bool { return s.pause.wake != nil && time.Now().Before(s.pause.until) }

func cmdClientReply(ctx *Ctx) {
	c := ctx.C
	switch {
	case ctx.ArgIs(2, "on"):
		c.admin.replyOff, c.admin.skipNext, c.admin.skipping = false, false, false
		if c.admin.realW != nil {
			c.W, c.admin.realW = c.admin.realW, nil
			ctx.W = c.W
		}
		ctx.OK()
	case ctx.ArgIs(2, "off"):
		c.admin.replyOff = true
		c.admin.skipNext = false
		discardReplies(c)
	case ctx.ArgIs(2, "skip"):
		if !c.admin.replyOff {
			c.admin.skipNext = true
		}
		discardReplies(c)
	default:
		ctx.SyntaxError()
	}
}

// discardReplies points the client's writer at a sink.
func discardReplies(c *Client) {
	if c.admin.realW == nil {
		c.admin.realW = c.W
		c.W = discardWriter{c.admin.realW}
	}
}

// replyBefore and replyAfter bracket a command of a client whose replies
// are (partly) suppressed; Exec calls them when c.admin needs it.
func (s *Server) replyBefore(c *Client) {
	if c.admin.skipNext {
		c.admin.skipNext = false
		c.admin.skipping = true
		discardReplies(c)
	}
}

func (s *Server) replyAfter(c *Client) {
	if c.admin.skipping {
		c.admin.skipping = false
		if !c.admin.replyOff && !c.admin.skipNext && c.admin.realW != nil {
			c.W, c.admin.realW = c.admin.realW, nil
		}
	}
}

// replyFiltered reports whether Exec must call replyBefore/replyAfter.
func (c *Client) replyFiltered() bool { return c.admin.realW != nil || c.admin.skipNext }

// discardWriter drops every reply (CLIENT REPLY OFF/SKIP).
type discardWriter struct{ real ReplyWriter }

func (discardWriter) WriteStatus(string)           {}
func (discardWriter) WriteError(string)            {}
func (discardWriter) WriteInt(int64)               {}
func (discardWriter) WriteBulk([]byte)             {}
func (discardWriter) WriteBulkString(string)       {}
func (discardWriter) WriteNull()                   {}
func (discardWriter) WriteNullArray()              {}
func (discardWriter) WriteArray(int)               {}
func (discardWriter) WriteMap(int)                 {}
func (discardWriter) WriteSet(int)                 {}
func (discardWriter) WriteDouble(float64)          {}
func (discardWriter) WriteBool(bool)               {}
func (discardWriter) WriteBigNumber(string)        {}
func (discardWriter) WriteVerbatim(string, string) {}
func (discardWriter) WritePush(int)                {}
func (d discardWriter) Resp() int                  { return d.real.Resp() }

// isLoopback reports whether a client connects from the local host
// (enable-debug-command local).
func isLoopback(c *Client) bool {
	if c == nil {
		return true
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return strings.HasPrefix(c.Addr, "/") // unix socket
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
