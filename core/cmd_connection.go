package core

// Connection commands: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET,
// CLIENT.

func registerConnectionCommands(t *Table) {
	t.Add("ping", cmdPing)
	t.Add("echo", func(ctx *Ctx) { ctx.W.WriteBulk(ctx.Args[1]) })
	t.Add("quit", func(ctx *Ctx) { ctx.OK(); ctx.C.CloseSoon = true })
	t.Add("select", cmdSelect)
	t.Add("hello", cmdHello)
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
	resp := ctx.C.Resp
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
	}
	ctx.C.Resp = resp
	ctx.C.Conn.SetResp(resp)
	w := ctx.W
	w.WriteMap(7)
	w.WriteBulkString("server")
	w.WriteBulkString("redis")
	w.WriteBulkString("version")
	w.WriteBulkString(RedisVersion)
	w.WriteBulkString("proto")
	w.WriteInt(int64(resp))
	w.WriteBulkString("id")
	w.WriteInt(ctx.C.ID)
	w.WriteBulkString("mode")
	w.WriteBulkString("standalone")
	w.WriteBulkString("role")
	w.WriteBulkString("master")
	w.WriteBulkString("modules")
	w.WriteArray(0)
}
