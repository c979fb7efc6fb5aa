package core

// Effects are the stream of changes the server makes, as commands that
// replay them: what persistence (AOF) and replication consume. Like Redis
// 7, a script is not replayed as itself but by the write commands it ran
// (effects replication), as redis.set_repl allows; the commands of one
// top-level command (a script, a transaction) form one unit that must be
// applied whole.
//
// A command is an effect when it changed the dataset (Server.Dirty moved
// while it ran) and is a write command (SAVE resetting Dirty is not). EVAL, FCALL and EXEC never are themselves: the commands
// they ran are.
//
// Commands are recorded in their deterministic forms (EXPIRE as
// PEXPIREAT, SPOP as SREM, ...: see effects_rewrite.go), so that
// replaying the stream gives the same dataset.

// Effect is one command of the stream.
type Effect struct {
	DB   int      // the database it applies to
	Args [][]byte // owned copies
}

// EffectSink receives each unit of effects, with the keyspace lock held,
// in the order they happened. It must not keep unit beyond the call
// unless it copies the slice (the Args themselves are owned copies).
type EffectSink func(unit []Effect)

type effectState struct {
	sink    EffectSink
	depth   int
	pending []Effect
	// off stops recording (while an AOF is being loaded).
	off bool
}

// SetEffectSink installs the consumer of the effects stream (nil: none).
// Call it before serving.
func (s *Server) SetEffectSink(f EffectSink) {
	s.aof.user = f
	s.installEffectSink()
}

// containerCommand reports commands whose effects are those of the
// commands they run.
func containerCommand(cmd *Command) bool {
	switch cmd.Name {
	case "exec", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro":
		return true
	}
	return false
}

// recordEffect is called after a command ran, when a sink is installed.
func (s *Server) recordEffect(ctx *Ctx, dirtyBefore int64) {
	if (s.Dirty != dirtyBefore || ctx.forcePropagate) && !ctx.noPropagate && !s.effects.off && !containerCommand(ctx.Cmd) &&
		ctx.Cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
		s.appendEffects(ctx)
	}
	if s.effects.depth == 0 {
		s.flushEffects()
	}
}

// appendEffects adds ctx's command to the pending unit, in its
// deterministic form.
func (s *Server) appendEffects(ctx *Ctx) {
	forms := ctx.propagate
	if forms == nil {
		forms = deterministicForm(ctx)
	}
	if forms != nil {
		for _, args := range forms {
			s.effects.pending = append(s.effects.pending, Effect{DB: ctx.DB.ID, Args: cloneArgsOnce(args)})
		}
		return
	}
	if ctx.Args == nil {
		return
	}
	s.effects.pending = append(s.effects.pending, Effect{DB: ctx.DB.ID, Args: cloneArgsOnce(ctx.Args)})
}

// cloneArgsOnce copies args into one allocation.
func cloneArgsOnce(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

// flushEffects hands the pending unit to the sink.
func (s *Server) flushEffects() {
	if len(s.effects.pending) > 0 {
		unit := s.effects.pending
		s.effects.pending = nil
		s.effects.sink(unit)
	}
}

// recordServed records the effects of a blocked command served by
// another client's change (serveReady), as one unit.
func (s *Server) recordServed(ctx *Ctx, dirtyBefore int64) {
	if s.effects.sink == nil || s.effects.off {
		return
	}
	if s.Dirty != dirtyBefore {
		for _, args := range ctx.propagate {
			s.effects.pending = append(s.effects.pending, Effect{DB: ctx.DB.ID, Args: cloneArgsOnce(args)})
		}
	}
	if s.effects.depth == 0 {
		s.flushEffects()
	}
}
