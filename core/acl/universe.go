// Package acl is Redis 7.0's access control model: users, their rules and
// selectors, the permission check and the rendering of rules (ACL LIST,
// ACL GETUSER), with Redis's rule grammar and error texts. It knows
// commands only through a Universe built from the command metadata, so it
// does not depend on the server core.
package acl

import (
	"sort"
	"strings"
)

// Categories are Redis's ACL categories, in Redis's order (ACL CAT and the
// order in which rules are rendered).
var Categories = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// CategoryBit returns the bit of a category name, or 0 when unknown.
func CategoryBit(name string) uint32 {
	for i, c := range Categories {
		if strings.EqualFold(c, name) {
			return 1 << i
		}
	}
	return 0
}

// Cmd is one command (or subcommand) as the ACL sees it.
type Cmd struct {
	ID     int
	Name   string // full name: "get", "config|get"
	Cats   uint32
	Parent *Cmd
	Subs   []*Cmd // sorted by name; nil for a command without subcommands
	// Container is set for a command that has subcommands.
	Container bool
}

// Universe is every command the ACL rules can name.
type Universe struct {
	all    []*Cmd // by ID
	top    []*Cmd // top-level, sorted
	byName map[string]*Cmd
}

// NewUniverse builds a universe from command names ("parent|sub" for
// subcommands) and their category names ("@read" or "read").
func NewUniverse(cmds map[string][]string) *Universe {
	u := &Universe{byName: map[string]*Cmd{}}
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := &Cmd{ID: len(u.all), Name: n}
		for _, cat := range cmds[n] {
			c.Cats |= CategoryBit(strings.TrimPrefix(cat, "@"))
		}
		u.all = append(u.all, c)
		u.byName[n] = c
	}
	for _, c := range u.all {
		if p, _, ok := strings.Cut(c.Name, "|"); ok {
			parent := u.byName[p]
			if parent == nil {
				continue
			}
			c.Parent = parent
			parent.Subs = append(parent.Subs, c)
			parent.Container = true
		} else {
			u.top = append(u.top, c)
		}
	}
	return u
}

// Len is the number of commands.
func (u *Universe) Len() int { return len(u.all) }

// Lookup finds a command by full name, case-insensitively.
func (u *Universe) Lookup(name string) *Cmd { return u.byName[strings.ToLower(name)] }

// InCategory lists the full names of the commands in a category, parents
// before their subcommands.
func (u *Universe) InCategory(bit uint32) []string {
	var out []string
	var walk func(cs []*Cmd)
	walk = func(cs []*Cmd) {
		for _, c := range cs {
			if c.Cats&bit != 0 {
				out = append(out, c.Name)
			}
			walk(c.Subs)
		}
	}
	walk(u.top)
	return out
}
