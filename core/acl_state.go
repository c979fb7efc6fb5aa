package core

import (
	"sync"
	"time"

	"github.com/polyfn/polyfn/core/acl"
)

// Access control: the server's users (core/acl), the permission check
// the dispatcher and scripts run, the ACL LOG, and the tie to the
// requirepass setting (it sets the default user's password, as in
// Redis 7).

var (
	aclUniverseOnce sync.Once
	aclUniverseVal  *acl.Universe
)

// aclUniverse is every Redis 7.0 command (from the captured metadata, so
// that rules render as Redis renders them even for commands polyfn does
// not implement) with its ACL categories.
func aclUniverse() *acl.Universe {
	aclUniverseOnce.Do(func() {
		acl.Match = func(p, s string) bool { return Match(p, s, false) }
		cats := map[string][]string{}
		for name, meta := range commandMeta {
			if aclHidden[name] {
				continue
			}
			v := decodeMeta(meta[0])
			var cs []string
			for _, a := range v.Elems[6].Elems {
				cs = append(cs, string(a.Str))
			}
			cats[name] = cs
		}
		aclUniverseVal = acl.NewUniverse(cats)
	})
	return aclUniverseVal
}

// aclHidden lists commands of the metadata Redis 7.0.15 does not have:
// rules cannot name them and categories do not count them, so rules
// render as in Redis. Restricted users may still run them.
var aclHidden = map[string]bool{"client|setinfo": true}

// aclState is the server's access control state. Guarded by the
// keyspace lock.
type aclState struct {
	a   *acl.ACL
	log []*aclLogEntry // newest first
}

type aclLogEntry struct {
	count    int64
	reason   acl.Result
	context  string
	object   string
	username string
	ctime    int64 // unix ms
	cinfo    string
}

func (s *Server) initACL() {
	s.acl.a = acl.New(aclUniverse())
	s.aclSetRequirePass(s.Config.RequirePass())
	s.Config.onRequirePass = func(p string) { s.aclSetRequirePass(p) }
	if f := s.aclFile(); f != "" {
		if err := s.aclLoadFile(nil, f); err != "" {
			s.Log.Printf("Aborting Redis startup because of ACL errors: %s", err)
		}
	}
}

// aclSetRequirePass applies requirepass to the default user: its
// passwords are replaced by p, or it becomes nopass when p is empty.
func (s *Server) aclSetRequirePass(p string) {
	rules := []string{"resetpass", "nopass"}
	if p != "" {
		rules = []string{"resetpass", ">" + p}
	}
	_, _, _ = s.acl.a.SetUser("default", rules)
}

// aclDefaultAuthed is whether a new (or RESET) connection starts
// authenticated: the default user is on and needs no password.
func (s *Server) aclDefaultAuthed() bool {
	d := s.acl.a.Default
	return d.NoPass() && d.Enabled()
}

// authRequired is Redis's authRequired: checked per command, so making
// the default user nopass lets unauthenticated connections in.
func (s *Server) authRequired(c *Client) bool {
	return !c.Authed && !s.aclDefaultAuthed()
}

// aclUser is the user c runs as.
func (s *Server) aclUser(c *Client) *acl.User {
	if c.aclUser == nil {
		return s.acl.a.Default
	}
	return c.aclUser
}

// authenticate checks credentials and, when they are good, makes c run
// as the user. A failure is logged with the name the client tried.
func (s *Server) authenticate(ctx *Ctx, name, pass string) bool {
	u := s.acl.a.Get(name)
	if u == nil || !u.Enabled() || !u.CheckPassword(pass) {
		c := ctx.C
		context := "toplevel"
		if c.Multi != nil {
			context = "multi"
		}
		s.aclLogAdd(c, acl.DeniedAuth, context, string(ctx.Args[0]), name)
		return false
	}
	ctx.C.aclUser = u
	ctx.C.User = u.Name
	ctx.C.Authed = true
	return true
}

// aclRequest builds the check of cmd with args for the acl package.
func aclRequest(cmd *Command, args [][]byte) *acl.Request {
	req := &acl.Request{Cmd: cmd.aclCmd, NoAuth: cmd.Has(FlagNoAuth), Args: args}
	if cmd.HasKeys() {
		req.Keys = func() []acl.KeyRef {
			refs := cmd.GetKeys(args)
			out := make([]acl.KeyRef, 0, len(refs))
			for _, r := range refs {
				if r.Pos <= 0 || r.Pos >= len(args) {
					continue
				}
				out = append(out, acl.KeyRef{Pos: r.Pos, Access: r.Flags&KeyAccess != 0,
					Write: r.Flags&(KeyInsert|KeyDelete|KeyUpdate) != 0})
			}
			return out
		}
	}
	switch cmd.Name {
	case "publish", "spublish":
		req.Channels = func() []acl.ChanRef { return []acl.ChanRef{{Pos: 1}} }
	case "subscribe", "ssubscribe", "psubscribe":
		pattern := cmd.Name == "psubscribe"
		req.Channels = func() []acl.ChanRef {
			out := make([]acl.ChanRef, 0, len(args)-1)
			for i := 1; i < len(args); i++ {
				out = append(out, acl.ChanRef{Pos: i, Pattern: pattern})
			}
			return out
		}
	}
	return req
}

// aclCheck checks whether u may run cmd with args.
func aclCheck(u *acl.User, cmd *Command, args [][]byte) (acl.Result, int) {
	if u.Unrestricted || cmd.aclCmd == nil {
		return acl.OK, 0
	}
	return u.Check(aclRequest(cmd, args))
}

// aclDenyExec is the dispatcher's check, after NOAUTH and the MULTI
// check as in Redis: on denial it logs and rejects.
func (s *Server) aclDenyExec(c *Client, cmd *Command, args [][]byte) bool {
	res, pos := aclCheck(c.aclUser, cmd, args)
	if res == acl.OK {
		return false
	}
	context := "toplevel"
	if c.Multi != nil {
		context = "multi"
	}
	s.aclLogDenial(c, c, res, context, cmd, args, pos)
	s.reject(c, cmd, aclDeniedText(res, cmd))
	return true
}

// aclDenyInExec re-checks a queued command when EXEC runs it, as the
// rules may have changed since it was queued.
func (s *Server) aclDenyInExec(c *Client, cmd *Command, args [][]byte, w ReplyWriter) bool {
	res, pos := aclCheck(c.aclUser, cmd, args)
	if res == acl.OK {
		return false
	}
	s.aclLogDenial(c, c, res, "multi", cmd, args, pos)
	reason := "no permission"
	switch res {
	case acl.DeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case acl.DeniedKey:
		reason = "no permission to touch the specified keys"
	case acl.DeniedChannel:
		reason = "no permission to access one of the channels used as arguments"
	}
	msg := "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason
	s.Stats.countError(msg)
	w.WriteError(msg)
	return true
}

func aclDeniedText(res acl.Result, cmd *Command) string {
	switch res {
	case acl.DeniedCmd:
		return "NOPERM this user has no permissions to run the '" + cmd.FullName() + "' command"
	case acl.DeniedKey:
		return ErrACLDeniedKey
	case acl.DeniedChannel:
		return ErrACLDeniedChannel
	}
	return "NOPERM no permission"
}

// aclLogDenial logs a denied command run by runner (the script client
// for a script's commands) on behalf of c.
func (s *Server) aclLogDenial(runner, c *Client, res acl.Result, context string, cmd *Command, args [][]byte, pos int) {
	obj := ""
	switch res {
	case acl.DeniedCmd:
		obj = cmd.FullName()
	case acl.DeniedKey, acl.DeniedChannel:
		obj = string(args[pos])
	}
	s.aclLogAddUser(c, res, context, obj, s.aclUser(runner).Name)
}

func (s *Server) aclLogAdd(c *Client, res acl.Result, context, object, username string) {
	s.aclLogAddUser(c, res, context, object, username)
}

// aclLogAddUser adds an ACL LOG entry, or counts it in a recent equal one
// (same reason, context, object and user within 60 seconds, among the
// latest 10), as Redis groups them.
func (s *Server) aclLogAddUser(c *Client, res acl.Result, context, object, username string) {
	now := time.Now().UnixMilli()
	cinfo := ""
	if c != nil {
		cinfo = s.clientInfo(c, nil)
	}
	for i, e := range s.acl.log {
		if i >= 10 {
			break
		}
		if e.reason == res && e.context == context && e.object == object && e.username == username && now-e.ctime <= 60000 {
			e.count++
			e.ctime = now
			e.cinfo = cinfo
			return
		}
	}
	e := &aclLogEntry{count: 1, reason: res, context: context, object: object, username: username, ctime: now, cinfo: cinfo}
	s.acl.log = append([]*aclLogEntry{e}, s.acl.log...)
	if max := s.Config.Int("acllog-max-len"); int64(len(s.acl.log)) > max {
		s.acl.log = s.acl.log[:max]
	}
}

// aclKillUserClients disconnects the clients authenticated as u (a
// deleted user), except that the running client gets its reply first.
func (s *Server) aclKillUserClients(cur *Client, u *acl.User) {
	for _, c := range s.Clients() {
		if c.aclUser != u {
			continue
		}
		s.aclDropClient(cur, c)
	}
}

func (s *Server) aclDropClient(cur, c *Client) {
	c.aclUser = nil
	c.User = "default"
	c.Authed = false
	if c == cur {
		c.CloseSoon = true
		return
	}
	if c.Conn != nil {
		c.Conn.Close()
	}
}

func aclReasonName(r acl.Result) string {
	switch r {
	case acl.DeniedCmd:
		return "command"
	case acl.DeniedKey:
		return "key"
	case acl.DeniedChannel:
		return "channel"
	case acl.DeniedAuth:
		return "auth"
	}
	return "unknown"
}

func aclScriptError(r acl.Result) string {
	switch r {
	case acl.DeniedCmd:
		return ErrACLScriptCmd
	case acl.DeniedKey:
		return ErrACLScriptKey
	case acl.DeniedChannel:
		return ErrACLScriptChannel
	}
	return "ERR no permission"
}

// aclKillPubSubClients disconnects clients of u subscribed to a channel
// or pattern the user can no longer use (after ACL SETUSER).
func (s *Server) aclKillPubSubClients(cur *Client, u *acl.User) {
	for _, c := range s.Clients() {
		if c.aclUser != u || c.Subscriptions() == 0 {
			continue
		}
		bad := false
		for ch := range c.Channels {
			bad = bad || !u.CheckChannel(ch, false)
		}
		for ch := range c.ShardChannels {
			bad = bad || !u.CheckChannel(ch, false)
		}
		for p := range c.Patterns {
			bad = bad || !u.CheckChannel(p, true)
		}
		if bad {
			s.aclDropClient(cur, c)
		}
	}
}
