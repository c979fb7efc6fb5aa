package core

import "bytes"

// Effects are the stream of changes the server makes, as commands that
// replay them: what persistence (AOF) and replication consume. Like Redis
// 7, a script is not replayed as itself but by the write commands it ran
// (effects replication), as redis.set_repl allows; the commands of one
// top-level command (a script, a transaction) form one unit that must be
// applied whole.
//
// A command is an effect when it changed the dataset (Server.Dirty moved
// while it ran). EVAL, FCALL and EXEC never are themselves: the commands
// they ran are.
//
// Commands are recorded as they were called; rewriting them into their
// deterministic forms (EXPIRE as PEXPIREAT, SPOP as SREM, ...) is the
// consumer's business and arrives with persistence.

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
}

// SetEffectSink installs the consumer of the effects stream (nil: none).
// Call it before serving.
func (s *Server) SetEffectSink(f EffectSink) { s.effects.sink = f }

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
	if s.Dirty != dirtyBefore && !ctx.noPropagate && !containerCommand(ctx.Cmd) {
		e := Effect{DB: ctx.DB.ID, Args: make([][]byte, len(ctx.Args))}
		for i, a := range ctx.Args {
			e.Args[i] = bytes.Clone(a)
		}
		s.effects.pending = append(s.effects.pending, e)
	}
	if s.effects.depth == 0 && len(s.effects.pending) > 0 {
		unit := s.effects.pending
		s.effects.pending = nil
		s.effects.sink(unit)
	}
}
