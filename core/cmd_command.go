package core

import "strings"

// COMMAND and its subcommands: the command table as Redis 7.0 reports it.

func registerCommandCommand(t *Table) {
	t.Add("command", cmdCommand)
	t.Add("command|count", func(ctx *Ctx) { ctx.W.WriteInt(int64(ctx.S.Table.Len())) })
	t.Add("command|info", cmdCommandInfo)
	t.Add("command|docs", cmdCommandDocs)
	t.Add("command|list", cmdCommandList)
	t.Add("command|getkeys", func(ctx *Ctx) { cmdCommandGetKeys(ctx, false) })
	t.Add("command|getkeysandflags", func(ctx *Ctx) { cmdCommandGetKeys(ctx, true) })
	t.Add("command|help", func(ctx *Ctx) { writeHelp(ctx.W, commandHelp) })
}

// cmdCommand is COMMAND without a subcommand: every command's info.
func cmdCommand(ctx *Ctx) {
	names := ctx.S.Table.Names()
	ctx.W.WriteArray(len(names))
	for _, n := range names {
		ctx.S.Table.Get(n).WriteInfo(ctx.W)
	}
}

func cmdCommandInfo(ctx *Ctx) {
	if len(ctx.Args) == 2 {
		cmdCommand(ctx)
		return
	}
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, a := range ctx.Args[2:] {
		if c := ctx.S.Table.Get(string(a)); c != nil {
			c.WriteInfo(ctx.W)
		} else {
			ctx.W.WriteNull()
		}
	}
}

func cmdCommandDocs(ctx *Ctx) {
	var cmds []*Command
	if len(ctx.Args) == 2 {
		for _, n := range ctx.S.Table.Names() {
			cmds = append(cmds, ctx.S.Table.Get(n))
		}
	} else {
		for _, a := range ctx.Args[2:] {
			if c := ctx.S.Table.Get(string(a)); c != nil {
				cmds = append(cmds, c)
			}
		}
	}
	ctx.W.WriteMap(len(cmds))
	for _, c := range cmds {
		ctx.W.WriteBulkString(c.FullName())
		c.WriteDocs(ctx.W)
	}
}

// cmdCommandList is COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN
// pattern]: the names of commands and subcommands.
func cmdCommandList(ctx *Ctx) {
	var match func(c *Command) bool
	for i := 2; i < len(ctx.Args); i++ {
		more := len(ctx.Args) - 1 - i
		if !ctx.ArgIs(i, "filterby") || more != 2 {
			ctx.SyntaxError()
			return
		}
		arg := string(ctx.Args[i+2])
		switch {
		case ctx.ArgIs(i+1, "module"):
			match = func(*Command) bool { return false }
		case ctx.ArgIs(i+1, "aclcat"):
			match = func(c *Command) bool {
				for _, cat := range c.ACL {
					if strings.EqualFold(strings.TrimPrefix(cat, "@"), arg) {
						return true
					}
				}
				return false
			}
		case ctx.ArgIs(i+1, "pattern"):
			match = func(c *Command) bool { return Match(arg, c.FullName(), true) }
		default:
			ctx.SyntaxError()
			return
		}
		i += 2
	}
	var out []string
	for _, n := range ctx.S.Table.Names() {
		c := ctx.S.Table.Get(n)
		for _, x := range append([]*Command{c}, c.sortedSubs()...) {
			if match == nil || match(x) {
				out = append(out, x.FullName())
			}
		}
	}
	ctx.W.WriteArray(len(out))
	for _, n := range out {
		ctx.W.WriteBulkString(n)
	}
}

func cmdCommandGetKeys(ctx *Ctx, withFlags bool) {
	argv := ctx.Args[2:]
	c, found := ctx.S.Table.Lookup(argv)
	if c == nil || !found {
		ctx.Error(ErrInvalidCommandSpec)
		return
	}
	if !c.HasKeys() {
		ctx.Error(ErrNoKeyArguments)
		return
	}
	if !c.CheckArity(len(argv)) {
		ctx.Error(ErrInvalidArgCount)
		return
	}
	keys := c.GetKeys(argv)
	if len(keys) == 0 {
		if c.Has(FlagNoMandatoryKeys) {
			ctx.W.WriteArray(0)
		} else {
			ctx.Error(ErrInvalidArguments)
		}
		return
	}
	ctx.W.WriteArray(len(keys))
	for _, k := range keys {
		if !withFlags {
			ctx.W.WriteBulk(argv[k.Pos])
			continue
		}
		ctx.W.WriteArray(2)
		ctx.W.WriteBulk(argv[k.Pos])
		names := KeyFlagNames(k.Flags)
		ctx.W.WriteSet(len(names))
		for _, n := range names {
			ctx.W.WriteStatus(n)
		}
	}
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}
