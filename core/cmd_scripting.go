package core

import (
	"strings"
)

// EVAL scripts: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. The cache
// is in scripts.go, the runner in scripting.go.

func registerScriptingCommands(t *Table) {
	t.Add("eval", func(ctx *Ctx) { evalGeneric(ctx, false, false) }).flagsFor = evalFlags
	t.Add("evalsha", func(ctx *Ctx) { evalGeneric(ctx, true, false) }).flagsFor = evalFlags
	t.Add("eval_ro", func(ctx *Ctx) { evalGeneric(ctx, false, true) }).flagsFor = evalFlags
	t.Add("evalsha_ro", func(ctx *Ctx) { evalGeneric(ctx, true, true) }).flagsFor = evalFlags
	t.Add("script", nil)
	t.Add("script|load", cmdScriptLoad)
	t.Add("script|exists", cmdScriptExists)
	t.Add("script|flush", cmdScriptFlush)
	t.Add("script|kill", func(ctx *Ctx) { ctx.S.killScript(ctx, true) })
	t.Add("script|debug", cmdScriptDebug)
	t.Add("script|help", cmdScriptHelp)
}

// scriptKeys splits a script command's arguments at numkeys (args[2]).
func (ctx *Ctx) scriptKeys() (keys, argv [][]byte, ok bool) {
	return ctx.scriptKeysMsg(ErrNotInteger)
}

// scriptKeysMsg is scriptKeys with the error for a numkeys that is not an
// integer (FCALL words it differently from EVAL).
func (ctx *Ctx) scriptKeysMsg(notInt string) (keys, argv [][]byte, ok bool) {
	n, ok := ParseInt(ctx.Args[2])
	if !ok {
		ctx.Error(notInt)
		return nil, nil, false
	}
	if n > int64(len(ctx.Args)-3) {
		ctx.Error(ErrNumKeysTooMany)
		return nil, nil, false
	}
	if n < 0 {
		ctx.Error(ErrNumKeysNegative)
		return nil, nil, false
	}
	return ctx.Args[3 : 3+n], ctx.Args[3+n:], true
}

func evalGeneric(ctx *Ctx, bySHA, ro bool) {
	s := ctx.S
	if len(s.monitors) > 0 {
		s.feedMonitors(ctx) // EVAL is shown before the commands it runs
	}
	keys, argv, ok := ctx.scriptKeys()
	if !ok {
		return
	}
	var es *evalScript
	if bySHA {
		es = s.scripts.cache.bySHA(ctx.Args[1])
		if es == nil {
			ctx.Error(ErrNoScript)
			return
		}
	} else {
		var err error
		es, err = s.loadScript(SHA1Hex(ctx.Args[1]), ctx.Args[1])
		if err != nil {
			ctx.Error(err.Error())
			return
		}
	}
	s.runScript(ctx, es.engine, es.fn, true, ro, keys, argv)
}

// evalFlags gives EVAL the flags its script declares, so that the
// dispatcher's OOM (and later write) checks treat a no-writes script as a
// read: Redis's evalGetCommandFlags.
func evalFlags(s *Server, args [][]byte) Flag {
	cmd := s.Table.Get(strings.ToLower(string(args[0])))
	bySHA := strings.HasPrefix(cmd.Name, "evalsha")
	var flags ScriptFlags
	if es := s.scriptByArg(args[1], bySHA); es != nil {
		flags = es.fn.Flags
	} else if bySHA {
		return cmd.Flags
	} else if sb, err := s.parseEvalShebang(args[1]); err == nil {
		flags = sb.flags
	} else {
		return cmd.Flags
	}
	return scriptCommandFlags(cmd.Flags, flags)
}

func (s *Server) scriptByArg(arg []byte, bySHA bool) *evalScript {
	if bySHA {
		if len(arg) != 40 {
			return nil
		}
		return s.scripts.cache.bySHA(arg)
	}
	return s.scripts.cache.scripts[SHA1Hex(arg)]
}

// scriptCommandFlags derives a script command's flags from the script's:
// declared flags replace the command's write / denyoom / stale ones.
func scriptCommandFlags(cmd Flag, script ScriptFlags) Flag {
	if script&ScriptEvalCompat != 0 {
		return cmd
	}
	cmd &^= FlagStale | FlagDenyOOM | FlagWrite | FlagMayReplicate
	if script&(ScriptAllowOOM|ScriptNoWrites) == 0 {
		cmd |= FlagDenyOOM
	}
	if script&ScriptNoWrites == 0 {
		cmd |= FlagWrite
	}
	if script&ScriptAllowStale != 0 {
		cmd |= FlagStale
	}
	return cmd
}

func cmdScriptLoad(ctx *Ctx) {
	body := ctx.Args[2]
	sha := SHA1Hex(body)
	if _, err := ctx.S.loadScript(sha, body); err != nil {
		ctx.Error(err.Error())
		return
	}
	ctx.W.WriteBulkString(sha)
}

func cmdScriptExists(ctx *Ctx) {
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, a := range ctx.Args[2:] {
		if ctx.S.scripts.cache.bySHA(a) != nil {
			ctx.W.WriteInt(1)
		} else {
			ctx.W.WriteInt(0)
		}
	}
}

func cmdScriptFlush(ctx *Ctx) {
	if len(ctx.Args) > 3 || len(ctx.Args) == 3 && !ctx.ArgIs(2, "sync") && !ctx.ArgIs(2, "async") {
		ctx.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	ctx.S.flushScripts()
	ctx.OK()
}

// cmdScriptDebug: polyfn has no Lua debugger yet. NO is accepted (it is
// the state anyway); YES and SYNC are refused rather than pretending.
func cmdScriptDebug(ctx *Ctx) {
	switch {
	case ctx.C.Multi != nil:
		ctx.Error("ERR SCRIPT DEBUG must be called outside MULTI")
	case ctx.ArgIs(2, "no"):
		ctx.OK()
	case ctx.ArgIs(2, "yes"), ctx.ArgIs(2, "sync"):
		ctx.Error(ErrScriptDebugUnsupported)
	default:
		ctx.Error("ERR Use SCRIPT DEBUG YES/SYNC/NO")
	}
}

func cmdScriptHelp(ctx *Ctx) {
	writeHelpLines(ctx, "SCRIPT", []string{
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	})
}
