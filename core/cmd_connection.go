package core

// Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET,
// CLIENT.

func registerConnectionCommands(t *Table) {
	t.Add("ping", cmdPing)
	t.Add("echo", func(ctx *Ctx) { ctx.W.WriteBulk(ctx.Args[1]) })
	t.Add("quit", func(ctx *Ctx) { ctx.OK(); ctx.C.CloseSoon = true })
	t.Add("select", cmdSelect)
	t.Add("hello", cmdHello)
	t.Add("auth", cmdAuth)
	t.Add("reset", cmdReset)
	registerClientCommands(t)
}

func cmdPing(ctx *Ctx) {
	if len(ctx.Args) > 2 {
		ctx.WrongArity()
		return
	}
	if ctx.C != nil && ctx.C.Resp == 2 && ctx.C.Subscriptions() > 0 {
		ctx.W.WriteArray(2)
		ctx.W.WriteBulkString("pong")
		if len(ctx.Args) == 2 {
			ctx.W.WriteBulk(ctx.Args[1])
		} else {
			ctx.W.WriteBulkString("")
		}
		return
	}
	if len(ctx.Args) == 2 {
		ctx.W.WriteBulk(ctx.Args[1])
		return
	}
	ctx.W.WriteStatus("PONG")
}

func cmdSelect(ctx *Ctx) {
	n, ok := ctx.Int(1)
	if !ok {
		return
	}
	if n < 0 || n >= int64(len(ctx.S.DBs)) {
		ctx.Error(ErrDBIndex)
		return
	}
	ctx.C.DB = ctx.S.DBs[n]
	ctx.OK()
}

func cmdHello(ctx *Ctx) {
	c := ctx.C
	resp := c.Resp
	next := 1
	if len(ctx.Args) >= 2 {
		v, ok := ParseInt(ctx.Args[1])
		if !ok {
			ctx.Error("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			ctx.Error(ErrProtoVersion)
			return
		}
		resp = int(v)
		next = 2
	}
	// Options take effect one by one, as in Redis 7.0: a later syntax
	// error leaves an earlier AUTH or SETNAME applied.
	for j := next; j < len(ctx.Args); j++ {
		more := len(ctx.Args) - 1 - j
		switch {
		case ctx.ArgIs(j, "auth") && more >= 2:
			ctx.Redact(j + 1)
			ctx.Redact(j + 2)
			if !ctx.S.authenticate(ctx, string(ctx.Args[j+1]), string(ctx.Args[j+2])) {
				ctx.Error(ErrWrongPass)
				return
			}
			j += 2
		case ctx.ArgIs(j, "setname") && more >= 1:
			if !setClientName(ctx, ctx.Args[j+1]) {
				return
			}
			j++
		default:
			ctx.Errorf("ERR Syntax error in HELLO option '%s'", ctx.Args[j])
			return
		}
	}
	if !c.Authed {
		ctx.Error(ErrHelloNoAuth)
		return
	}
	c.Resp = resp
	c.Conn.SetResp(resp)
	w := ctx.W
	w.WriteMap(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(RedisVersion)
	w.WriteBulkString("proto")
	w.WriteInt(int64(resp))
	w.WriteBulkString("id")
	w.WriteInt(c.ID)
	w.WriteBulkString("mode")
	w.WriteBulkString("standalone")
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArray(0)
}

func cmdAuth(ctx *Ctx) {
	if len(ctx.Args) > 3 {
		ctx.SyntaxError()
		return
	}
	ctx.Redact(1)
	user, pass := "default", string(ctx.Args[1])
	if len(ctx.Args) == 3 {
		ctx.Redact(2)
		user, pass = string(ctx.Args[1]), string(ctx.Args[2])
	} else if ctx.S.acl.a.Default.NoPass() {
		ctx.Error(ErrAuthNotSet)
		return
	}
	if !ctx.S.authenticate(ctx, user, pass) {
		ctx.Error(ErrWrongPass)
		return
	}
	ctx.OK()
}

// cmdReset returns the connection to its initial state, as Redis's RESET:
// no transaction or watches, no subscriptions, not a monitor, database 0,
// RESP2, no name, replies on, authenticated only if no password is
// required.
func cmdReset(ctx *Ctx) {
	s, c := ctx.S, ctx.C
	if c.Monitor {
		delete(s.monitors, c)
		c.Monitor = false
	}
	c.DB = s.DBs[0]
	c.Resp = 2
	c.Conn.SetResp(2)
	c.User = "default"
	c.aclUser = s.acl.a.Default
	c.Authed = s.aclDefaultAuthed()
	c.Multi = nil
	s.unwatchAll(c)
	s.disableTracking(c)
	s.PubSub.unsubscribeAll(c)
	c.Name = ""
	c.NoEvict = false
	if c.admin.realW != nil {
		c.W = c.admin.realW
	}
	c.admin = adminState{}
	ctx.W = c.W
	ctx.W.WriteStatus("RESET")
}
