package core

// cmdCache remembers the commands scripts called last, by the exact bytes
// of their names: a script calls the same few commands over and over,
// and comparing a short name with a handful of others is cheaper than
// lowercasing it and hashing it into the command table. Only commands
// without subcommands are kept (a subcommand needs its second argument
// looked up anyway). The table does not change once the server runs, so
// an entry never goes stale. Used with the keyspace lock held.
type cmdCache struct {
	entries [cmdCacheSize]cmdCacheEntry
	next    int // the entry replaced next
}

const (
	cmdCacheSize    = 8
	cmdCacheNameMax = 24
)

type cmdCacheEntry struct {
	n    int // name length; 0: empty
	name [cmdCacheNameMax]byte
	cmd  *Command
}

// lookup is Table.Lookup for a script's command.
func (c *cmdCache) lookup(t *Table, args [][]byte) (*Command, bool) {
	name := args[0]
	if n := len(name); n > 0 && n <= cmdCacheNameMax {
		for i := range c.entries {
			e := &c.entries[i]
			if e.n == n && string(e.name[:n]) == string(name) {
				return e.cmd, true
			}
		}
	}
	cmd, found := t.Lookup(args)
	if found && cmd.Subs == nil && cmd.Parent == nil && len(name) <= cmdCacheNameMax {
		e := &c.entries[c.next]
		c.next = (c.next + 1) % cmdCacheSize
		e.n = copy(e.name[:], name)
		e.cmd = cmd
	}
	return cmd, found
}
