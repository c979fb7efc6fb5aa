package core

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	"github.com/polyfn/polyfn/core/acl"
)

// Flag is a command property, as COMMAND INFO reports it.
type Flag uint32

const (
	FlagWrite Flag = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy
)

var flagNames = map[string]Flag{
	"write": FlagWrite, "readonly": FlagReadonly, "denyoom": FlagDenyOOM,
	"admin": FlagAdmin, "pubsub": FlagPubSub, "noscript": FlagNoScript,
	"blocking": FlagBlocking, "loading": FlagLoading, "stale": FlagStale,
	"skip_monitor": FlagSkipMonitor, "skip_slowlog": FlagSkipSlowlog,
	"fast": FlagFast, "no_auth": FlagNoAuth, "may_replicate": FlagMayReplicate,
	"no_mandatory_keys": FlagNoMandatoryKeys, "no_multi": FlagNoMulti,
	"movablekeys": FlagMovableKeys, "allow_busy": FlagAllowBusy,
}

// Handler runs one command. It is called with the keyspace lock held and
// answers through ctx.W exactly once (one reply, possibly an aggregate).
type Handler func(ctx *Ctx)

// Command is one entry of the command table. Name, arity, flags, key
// positions and ACL categories come from the Redis 7.0 metadata captured
// in commandmeta_gen.go; the handler is ours.
type Command struct {
	Name     string // lower case; "parent|sub" for subcommands
	Arity    int    // Redis convention: n exact, -n at least n
	Flags    Flag
	FirstKey int
	LastKey  int
	Step     int
	ACL      []string
	Handler  Handler
	Parent   *Command
	Subs     map[string]*Command

	// aclCmd is the command as the ACL rules see it.
	aclCmd *acl.Cmd

	// flagsFor, when set, computes the flags of one invocation (EVAL and
	// FCALL take them from the script they run, as Redis does).
	flagsFor func(s *Server, args [][]byte) Flag

	info Value // COMMAND INFO entry without subcommands
	docs Value // COMMAND DOCS entry (structural part)
}

// Has reports whether the command has all the given flags.
func (c *Command) Has(f Flag) bool { return c.Flags&f == f }

// Table is the set of commands a server knows. Build it with Add; it is
// read-only once serving starts.
type Table struct {
	cmds map[string]*Command
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{cmds: map[string]*Command{}} }

// Add registers handler under name ("get", or "config|get" for a
// subcommand, whose parent must be added first with a nil handler or a
// handler of its own). It panics on an unknown name, a duplicate or a nil
// handler for a leaf: these are programming errors.
// hiddenMayReplicate lists commands Redis 7.0 flags MAY_REPLICATE without
// COMMAND showing it (the captured metadata lacks it): read-only scripts
// and CLIENT PAUSE WRITE treat them as writes.
var hiddenMayReplicate = map[string]bool{"publish": true, "spublish": true, "pfcount": true}

func (t *Table) Add(name string, h Handler) *Command {
	name = strings.ToLower(name)
	meta, ok := commandMeta[name]
	if !ok {
		panic("core: no Redis metadata for command " + name)
	}
	cmd := &Command{Name: name, Handler: h, aclCmd: aclUniverse().Lookup(name)}
	cmd.info = decodeMeta(meta[0])
	if meta[1] != "" {
		cmd.docs = decodeMeta(meta[1])
	}
	e := cmd.info.Elems
	cmd.Arity = int(e[1].Int)
	for _, f := range e[2].Elems {
		cmd.Flags |= flagNames[string(f.Str)]
	}
	if hiddenMayReplicate[name] {
		cmd.Flags |= FlagMayReplicate
	}
	cmd.FirstKey, cmd.LastKey, cmd.Step = int(e[3].Int), int(e[4].Int), int(e[5].Int)
	for _, a := range e[6].Elems {
		cmd.ACL = append(cmd.ACL, string(a.Str))
	}
	if parent, sub, isSub := strings.Cut(name, "|"); isSub {
		p := t.cmds[parent]
		if p == nil {
			panic("core: subcommand " + name + " added before its parent")
		}
		if p.Subs[sub] != nil {
			panic("core: duplicate command " + name)
		}
		if h == nil {
			panic("core: nil handler for " + name)
		}
		cmd.Parent = p
		if p.Subs == nil {
			p.Subs = map[string]*Command{} // a container with a handler of its own (COMMAND)
		}
		p.Subs[sub] = cmd
		return cmd
	}
	if t.cmds[name] != nil {
		panic("core: duplicate command " + name)
	}
	if h == nil && !hasSubcommandMeta(name) {
		panic("core: nil handler for " + name)
	}
	if h == nil {
		cmd.Subs = map[string]*Command{}
	}
	t.cmds[name] = cmd
	return cmd
}

// hasSubcommandMeta reports whether the metadata knows subcommands of
// name (the captured entries leave element 10 empty).
func hasSubcommandMeta(name string) bool {
	for n := range commandMeta {
		if strings.HasPrefix(n, name+"|") {
			return true
		}
	}
	return false
}

func decodeMeta(s string) Value {
	v, _, err := ReadValue(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		panic(fmt.Sprintf("core: bad command metadata: %v", err))
	}
	return v
}

// Lookup finds the command for a request: the top-level command by
// args[0], then, for a container command given a second argument, the
// subcommand. It returns (nil, false) for an unknown command and
// (parent, false) for an unknown subcommand of a known container.
func (t *Table) Lookup(args [][]byte) (*Command, bool) {
	cmd := t.byName(args[0])
	if cmd == nil {
		return nil, false
	}
	if cmd.Subs == nil || len(args) == 1 {
		return cmd, true
	}
	sub := cmd.Subs[lowerString(args[1])]
	if sub == nil {
		return cmd, false
	}
	return sub, true
}

// Get returns a top-level command or subcommand ("config|get") by name.
func (t *Table) Get(name string) *Command {
	name = strings.ToLower(name)
	if parent, sub, ok := strings.Cut(name, "|"); ok {
		if p := t.cmds[parent]; p != nil {
			return p.Subs[sub]
		}
		return nil
	}
	return t.cmds[name]
}

func (t *Table) byName(name []byte) *Command {
	var buf [32]byte
	if len(name) <= len(buf) {
		lower := buf[:len(name)]
		for i, c := range name {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		return t.cmds[string(lower)] // no allocation: map index by string(bytes)
	}
	return t.cmds[strings.ToLower(string(name))]
}

func lowerString(b []byte) string { return strings.ToLower(string(b)) }

// Names returns the top-level command names, sorted.
func (t *Table) Names() []string {
	names := make([]string, 0, len(t.cmds))
	for n := range t.cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Len is the number of top-level commands (COMMAND COUNT).
func (t *Table) Len() int { return len(t.cmds) }

// WriteInfo writes the command's COMMAND INFO entry, subcommands included.
func (c *Command) WriteInfo(w ReplyWriter) {
	e := c.info.Elems
	w.WriteArray(len(e))
	for _, v := range e[:9] {
		v.WriteTo(w)
	}
	subs := c.sortedSubs()
	if len(subs) == 0 {
		w.WriteSet(0) // Redis replies an empty set when there are no subcommands
		return
	}
	w.WriteArray(len(subs))
	for _, s := range subs {
		s.WriteInfo(w)
	}
}

// WriteDocs writes the command's COMMAND DOCS entry (without the name).
func (c *Command) WriteDocs(w ReplyWriter) {
	subs := c.sortedSubs()
	n := len(c.docs.Elems) / 2
	if len(subs) > 0 {
		n++
	}
	w.WriteMap(n)
	for _, v := range c.docs.Elems {
		v.WriteTo(w)
	}
	if len(subs) > 0 {
		w.WriteBulkString("subcommands")
		w.WriteMap(len(subs))
		for _, s := range subs {
			w.WriteBulkString(s.Name)
			s.WriteDocs(w)
		}
	}
}

func (c *Command) sortedSubs() []*Command {
	subs := make([]*Command, 0, len(c.Subs))
	for _, s := range c.Subs {
		subs = append(subs, s)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return subs
}

// FullName is the name used in error messages ("get", "config|get").
func (c *Command) FullName() string { return c.Name }

// CheckArity reports whether argc arguments (the name included) fit.
func (c *Command) CheckArity(argc int) bool {
	if c.Arity >= 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}

// KeySpecs returns the command's key specifications as COMMAND INFO
// reports them (element 9), for key extraction (COMMAND GETKEYS).
func (c *Command) KeySpecs() Value { return c.info.Elems[8] }
