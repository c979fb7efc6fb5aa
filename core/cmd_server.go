package core

// Introspection commands: INFO, COMMAND, SLOWLOG, LATENCY, MONITOR. (The
// administrative server commands register in their own function.)

func registerServerCommands(t *Table) {
	t.Add("info", cmdInfo)
	t.Add("monitor", cmdMonitor)

	t.Add("slowlog", nil)
	t.Add("slowlog|get", cmdSlowlogGet)
	t.Add("slowlog|len", func(ctx *Ctx) { ctx.W.WriteInt(int64(ctx.S.SlowlogLen())) })
	t.Add("slowlog|reset", func(ctx *Ctx) { ctx.S.SlowlogReset(); ctx.OK() })
	t.Add("slowlog|help", func(ctx *Ctx) { writeHelp(ctx.W, slowlogHelp) })

	t.Add("latency", nil)
	t.Add("latency|latest", cmdLatencyLatest)
	t.Add("latency|history", cmdLatencyHistory)
	t.Add("latency|reset", cmdLatencyReset)
	t.Add("latency|graph", cmdLatencyGraph)
	t.Add("latency|doctor", cmdLatencyDoctor)
	t.Add("latency|histogram", cmdLatencyHistogram)
	t.Add("latency|help", func(ctx *Ctx) { writeHelp(ctx.W, latencyHelp) })

	registerCommandCommand(t)
}

// cmdMonitor turns the client into a MONITOR client: +OK, then every
// command other clients run. A second MONITOR is silently ignored, as in
// Redis.
func cmdMonitor(ctx *Ctx) {
	if ctx.InMulti || ctx.NoBlock {
		ctx.Error(ErrMonitorDenyBlocking)
		return
	}
	if ctx.C.Monitor {
		return
	}
	ctx.S.AddMonitor(ctx.C)
	ctx.OK()
}

func cmdSlowlogGet(ctx *Ctx) {
	n := int64(10)
	if len(ctx.Args) > 3 {
		ctx.Errorf(fmtSubcmdArgs, "GET", "SLOWLOG")
		return
	}
	if len(ctx.Args) == 3 {
		v, ok := ParseInt(ctx.Args[2])
		if !ok || v < -1 {
			ctx.Error(ErrSlowlogCount)
			return
		}
		n = v
	}
	entries := ctx.S.Slowlog(int(min(n, 1<<31)))
	w := ctx.W
	w.WriteArray(len(entries))
	for _, e := range entries {
		w.WriteArray(6)
		w.WriteInt(e.ID)
		w.WriteInt(e.Time)
		w.WriteInt(e.Duration)
		w.WriteArray(len(e.Args))
		for _, a := range e.Args {
			w.WriteBulkString(a)
		}
		w.WriteBulkString(e.Addr)
		w.WriteBulkString(e.Name)
	}
}

var slowlogHelp = []string{
	"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
	"HELP",
	"    Prints this help.",
}
