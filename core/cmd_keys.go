package core

// Generic key and database commands.

func registerKeyCommands(t *Table) {
	t.Add("del", cmdDel)
	t.Add("dbsize", func(ctx *Ctx) { ctx.W.WriteInt(int64(ctx.DB.Len())) })
	t.Add("flushall", cmdFlushAll)
}

func cmdDel(ctx *Ctx) {
	n := int64(0)
	for _, k := range ctx.Args[1:] {
		if ctx.Write(k) != nil && ctx.Delete(k) {
			n++
		}
	}
	ctx.W.WriteInt(n)
}

func cmdFlushAll(ctx *Ctx) {
	for _, db := range ctx.S.DBs {
		db.Flush()
	}
	ctx.S.TouchAllWatched(nil)
	ctx.OK()
}
