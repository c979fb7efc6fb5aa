package core

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core/acl"
)

// ACL and its subcommands (AUTH and HELLO AUTH are in cmd_connection.go).

func registerACLCommands(t *Table) {
	t.Add("acl", nil)
	t.Add("acl|setuser", cmdACLSetUser)
	t.Add("acl|getuser", cmdACLGetUser)
	t.Add("acl|deluser", cmdACLDelUser)
	t.Add("acl|list", cmdACLList)
	t.Add("acl|users", cmdACLUsers)
	t.Add("acl|whoami", func(ctx *Ctx) { ctx.W.WriteBulkString(ctx.S.aclUser(ctx.C).Name) })
	t.Add("acl|cat", cmdACLCat)
	t.Add("acl|log", cmdACLLog)
	t.Add("acl|dryrun", cmdACLDryRun)
	t.Add("acl|genpass", cmdACLGenPass)
	t.Add("acl|save", cmdACLSave)
	t.Add("acl|load", cmdACLLoad)
	t.Add("acl|help", cmdACLHelp)
}

func aclSubSyntax(ctx *Ctx, sub string) {
	ctx.Errorf("ERR unknown subcommand or wrong number of arguments for '%s'. Try ACL HELP.", sub)
}

func cmdACLSetUser(ctx *Ctx) {
	// The user's name, passwords and rules are all kept out of logs.
	for i := 2; i < len(ctx.Args); i++ {
		ctx.Redact(i)
	}
	name := string(ctx.Args[2])
	if strings.ContainsAny(name, " \x00") {
		ctx.Error(ErrACLUsernameSpaces)
		return
	}
	ops := make([]string, len(ctx.Args)-3)
	for i, a := range ctx.Args[3:] {
		ops[i] = string(a)
	}
	rules, bad := acl.MergeSelectors(ops)
	if bad >= 0 {
		ctx.Errorf("ERR Unmatched parenthesis in acl selector starting at '%s'.", ctx.Args[3+bad])
		return
	}
	s := ctx.S
	u, old, err := s.acl.a.SetUser(name, rules)
	if err != nil {
		ctx.Error("ERR " + err.Error())
		return
	}
	if old != nil {
		// Subscribers to channels the change revokes are disconnected.
		s.aclKillPubSubClients(ctx.C, u)
	}
	ctx.OK()
}

func cmdACLGetUser(ctx *Ctx) {
	s := ctx.S
	u := s.acl.a.Get(string(ctx.Args[2]))
	if u == nil {
		ctx.W.WriteNull()
		return
	}
	w := ctx.W
	w.WriteMap(6)
	w.WriteBulkString("flags")
	var flags []string
	for i, n := range []string{"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"} {
		if u.Flags&(1<<i) != 0 {
			flags = append(flags, n)
		}
	}
	w.WriteSet(len(flags))
	for _, f := range flags {
		w.WriteBulkString(f)
	}
	w.WriteBulkString("passwords")
	w.WriteArray(len(u.Passwords))
	for _, p := range u.Passwords {
		w.WriteBulkString(p)
	}
	root := u.Root()
	writeSel := func(sel *acl.Selector) {
		w.WriteBulkString("commands")
		w.WriteBulkString(s.acl.a.DescribeCommands(sel))
		w.WriteBulkString("keys")
		w.WriteBulkString(acl.DescribeKeys(sel))
		w.WriteBulkString("channels")
		w.WriteBulkString(acl.DescribeChannels(sel))
	}
	writeSel(root)
	w.WriteBulkString("selectors")
	w.WriteArray(len(u.Selectors) - 1)
	for _, sel := range u.Selectors[1:] {
		w.WriteMap(3)
		writeSel(sel)
	}
}

func cmdACLDelUser(ctx *Ctx) {
	s := ctx.S
	for _, a := range ctx.Args[2:] {
		if string(a) == "default" {
			ctx.Error(ErrACLDeleteDefault)
			return
		}
	}
	n := int64(0)
	for _, a := range ctx.Args[2:] {
		if u := s.acl.a.Delete(string(a)); u != nil {
			n++
			s.aclKillUserClients(ctx.C, u)
		}
	}
	ctx.W.WriteInt(n)
}

func (s *Server) aclListLines() []string {
	names := s.acl.a.Names()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "user " + n + " " + s.acl.a.DescribeUser(s.acl.a.Get(n))
	}
	return out
}

func cmdACLList(ctx *Ctx) {
	lines := ctx.S.aclListLines()
	ctx.W.WriteArray(len(lines))
	for _, l := range lines {
		ctx.W.WriteBulkString(l)
	}
}

func cmdACLUsers(ctx *Ctx) {
	names := ctx.S.acl.a.Names()
	ctx.W.WriteArray(len(names))
	for _, n := range names {
		ctx.W.WriteBulkString(n)
	}
}

func cmdACLCat(ctx *Ctx) {
	if len(ctx.Args) > 3 {
		aclSubSyntax(ctx, "CAT")
		return
	}
	if len(ctx.Args) == 2 {
		ctx.W.WriteArray(len(acl.Categories))
		for _, c := range acl.Categories {
			ctx.W.WriteBulkString(c)
		}
		return
	}
	bit := acl.CategoryBit(string(ctx.Args[2]))
	if bit == 0 {
		ctx.Errorf("ERR Unknown category '%s'", ctx.Args[2])
		return
	}
	names := aclUniverse().InCategory(bit)
	ctx.W.WriteArray(len(names))
	for _, n := range names {
		ctx.W.WriteBulkString(n)
	}
}

func cmdACLLog(ctx *Ctx) {
	if len(ctx.Args) > 3 {
		aclSubSyntax(ctx, "LOG")
		return
	}
	s := ctx.S
	count := int64(10)
	if len(ctx.Args) == 3 {
		if ctx.ArgIs(2, "reset") {
			s.acl.log = nil
			ctx.OK()
			return
		}
		n, ok := ctx.Int(2)
		if !ok {
			return
		}
		count = max(n, 0)
	}
	n := min(int64(len(s.acl.log)), count)
	now := time.Now().UnixMilli()
	w := ctx.W
	w.WriteArray(int(n))
	for _, e := range s.acl.log[:n] {
		w.WriteMap(7)
		w.WriteBulkString("count")
		w.WriteInt(e.count)
		w.WriteBulkString("reason")
		w.WriteBulkString(aclReasonName(e.reason))
		w.WriteBulkString("context")
		w.WriteBulkString(e.context)
		w.WriteBulkString("object")
		w.WriteBulkString(e.object)
		w.WriteBulkString("username")
		w.WriteBulkString(e.username)
		w.WriteBulkString("age-seconds")
		w.WriteDouble(float64(now-e.ctime) / 1000)
		w.WriteBulkString("client-info")
		w.WriteBulkString(e.cinfo)
	}
}

func cmdACLDryRun(ctx *Ctx) {
	s := ctx.S
	u := s.acl.a.Get(string(ctx.Args[2]))
	if u == nil {
		ctx.Errorf("ERR User '%s' not found", ctx.Args[2])
		return
	}
	args := ctx.Args[3:]
	cmd, found := s.Table.Lookup(args)
	if cmd == nil || !found {
		ctx.Errorf("ERR Command '%s' not found", args[0])
		return
	}
	if !cmd.CheckArity(len(args)) {
		ctx.Errorf(fmtWrongArity, cmd.FullName())
		return
	}
	res, pos := aclCheck(u, cmd, args)
	switch res {
	case acl.OK:
		ctx.OK()
	case acl.DeniedCmd:
		ctx.W.WriteBulkString("This user has no permissions to run the '" + cmd.FullName() + "' command")
	case acl.DeniedKey:
		ctx.W.WriteBulkString("This user has no permissions to access the '" + string(args[pos]) + "' key")
	case acl.DeniedChannel:
		ctx.W.WriteBulkString("This user has no permissions to access the '" + string(args[pos]) + "' channel")
	}
}

func cmdACLGenPass(ctx *Ctx) {
	bits := int64(256)
	if len(ctx.Args) > 3 {
		aclSubSyntax(ctx, "GENPASS")
		return
	}
	if len(ctx.Args) == 3 {
		n, ok := ctx.Int(2)
		if !ok {
			return
		}
		bits = n
	}
	if bits <= 0 || bits > 4096 {
		ctx.Error(ErrACLGenPass)
		return
	}
	chars := (bits + 3) / 4
	buf := make([]byte, (chars+1)/2)
	_, _ = rand.Read(buf)
	ctx.W.WriteBulkString(hex.EncodeToString(buf)[:chars])
}

func (s *Server) aclFile() string {
	f, _ := s.Config.Get("aclfile")
	return f
}

func cmdACLSave(ctx *Ctx) {
	s := ctx.S
	f := s.aclFile()
	if f == "" {
		ctx.Error(ErrACLNoFile)
		return
	}
	data := strings.Join(s.aclListLines(), "\n") + "\n"
	tmp := f + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		ctx.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	if err := os.Rename(tmp, f); err != nil {
		ctx.Error("ERR There was an error trying to save the ACLs. Please check the server logs for more information")
		return
	}
	ctx.OK()
}

func cmdACLLoad(ctx *Ctx) {
	s := ctx.S
	f := s.aclFile()
	if f == "" {
		ctx.Error(ErrACLNoFile)
		return
	}
	if err := s.aclLoadFile(ctx.C, f); err != "" {
		ctx.Error("ERR " + err)
		return
	}
	ctx.OK()
}

// aclLoadFile replaces the users by the file's; on error nothing changes.
// Clients of the replaced users are disconnected, as in Redis.
func (s *Server) aclLoadFile(cur *Client, f string) string {
	data, err := os.ReadFile(f)
	if err != nil {
		return "Error loading ACLs, opening file '" + f + "': " + err.Error()
	}
	users, errs := s.acl.a.Parse(strings.Split(string(data), "\n"))
	if len(errs) > 0 {
		var b strings.Builder
		for _, e := range errs {
			b.WriteString(f + ":" + e)
		}
		b.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return b.String()
	}
	old := map[*acl.User]bool{}
	for _, n := range s.acl.a.Names() {
		if u := s.acl.a.Get(n); u != s.acl.a.Default {
			old[u] = true
		}
	}
	s.acl.a.Replace(users)
	for _, c := range s.Clients() {
		if old[c.aclUser] {
			s.aclDropClient(cur, c)
		}
	}
	return ""
}

var aclHelp = []string{
	"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
	"HELP",
	"    Prints this help.",
}

func cmdACLHelp(ctx *Ctx) {
	ctx.W.WriteArray(len(aclHelp))
	for _, l := range aclHelp {
		ctx.W.WriteStatus(l)
	}
}
