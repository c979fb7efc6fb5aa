package core

// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The dispatcher
// (Server.Exec) queues commands while c.Multi is set and poisons the
// transaction when it rejects one; EXEC runs the queue with the keyspace
// lock held throughout, so the transaction is atomic.

func registerTxCommands(t *Table) {
	t.Add("multi", cmdMulti)
	t.Add("exec", cmdExec)
	t.Add("discard", cmdDiscard)
	t.Add("watch", cmdWatch)
	t.Add("unwatch", cmdUnwatch)
}

func cmdMulti(ctx *Ctx) {
	if ctx.C.Multi != nil {
		ctx.Error(ErrMultiNested)
		return
	}
	ctx.C.Multi = &MultiState{}
	ctx.OK()
}

// DiscardTransaction ends the client's transaction (if any) without
// running it and forgets its watched keys.
func (s *Server) DiscardTransaction(c *Client) {
	c.Multi = nil
	s.unwatchAll(c)
}

func cmdDiscard(ctx *Ctx) {
	if ctx.C.Multi == nil {
		ctx.Error(ErrDiscardNoMulti)
		return
	}
	ctx.S.DiscardTransaction(ctx.C)
	ctx.OK()
}

// cmdExec runs the queued commands, each replying into EXEC's array as
// it would on its own (errors included). It fails with EXECABORT when a
// command could not be queued, and replies a null array when a watched
// key changed (the first wins, as in Redis).
func cmdExec(ctx *Ctx) {
	s, c := ctx.S, ctx.C
	m := c.Multi
	if m == nil {
		ctx.Error(ErrExecNoMulti)
		return
	}
	if m.Aborted {
		s.DiscardTransaction(c)
		ctx.Error(ErrExecAbort)
		return
	}
	if s.WatchDirty(c, ctx.Now) {
		s.DiscardTransaction(c)
		ctx.W.WriteNullArray()
		return
	}
	s.unwatchAll(c)
	// c.Multi stays set while the commands run, as Redis keeps the client
	// flagged MULTI (CLIENT LIST shows it, SUBSCRIBE is allowed).
	ctx.W.WriteArray(len(m.Queue))
	inner := &Ctx{S: s, C: c, W: ctx.W, InMulti: true}
	for i := range m.Queue {
		q := &m.Queue[i]
		if !c.aclUser.Unrestricted && s.aclDenyInExec(c, q.Cmd, q.Args, ctx.W) {
			continue
		}
		s.Call(inner, q.Cmd, q.Args, ctx.W)
	}
	if c.Multi == m {
		c.Multi = nil
	}
}

func cmdWatch(ctx *Ctx) {
	if ctx.C.Multi != nil {
		ctx.Error(ErrWatchInMulti)
		return
	}
	for _, k := range ctx.Args[1:] {
		ctx.Watch(k)
	}
	ctx.OK()
}

func cmdUnwatch(ctx *Ctx) {
	ctx.S.unwatchAll(ctx.C)
	ctx.OK()
}
