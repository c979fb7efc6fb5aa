package core

import (
	"bytes"

	"github.com/polyfn/polyfn/core/keyspace"
)

// String commands.

func registerStringCommands(t *Table) {
	t.Add("get", cmdGet)
	t.Add("set", cmdSet)
}

func cmdGet(ctx *Ctx) {
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		ctx.W.WriteNull()
		return
	}
	ctx.W.WriteBulk(e.Value.([]byte))
}

func cmdSet(ctx *Ctx) {
	if len(ctx.Args) != 3 {
		ctx.SyntaxError()
		return
	}
	ctx.Store(ctx.Args[1], bytes.Clone(ctx.Args[2]), false)
	ctx.OK()
}
