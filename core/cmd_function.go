package core

import "strings"

// Redis Functions: FCALL, FCALL_RO and FUNCTION. The library registry is
// in functions.go, the runner in scripting.go.

func registerFunctionCommands(t *Table) {
	t.Add("fcall", func(ctx *Ctx) { fcallGeneric(ctx, false) }).flagsFor = fcallFlags
	t.Add("fcall_ro", func(ctx *Ctx) { fcallGeneric(ctx, true) }).flagsFor = fcallFlags
	t.Add("function", nil)
	t.Add("function|load", cmdFunctionLoad)
	t.Add("function|delete", cmdFunctionDelete)
	t.Add("function|list", cmdFunctionList)
	t.Add("function|stats", cmdFunctionStats)
	t.Add("function|kill", func(ctx *Ctx) { ctx.S.killScript(ctx, false) })
	t.Add("function|flush", cmdFunctionFlush)
	t.Add("function|help", func(ctx *Ctx) { writeHelpLines(ctx, "FUNCTION", functionHelp) })
}

func fcallGeneric(ctx *Ctx, ro bool) {
	s := ctx.S
	if len(s.monitors) > 0 {
		s.feedMonitors(ctx) // FCALL is shown before the commands it runs
	}
	lf, ok := s.scripts.libs.lookup(ctx.Args[1])
	if !ok {
		ctx.Error(ErrFunctionNotFound)
		return
	}
	keys, argv, ok := ctx.scriptKeysMsg(ErrBadNumKeys)
	if !ok {
		return
	}
	s.runScript(ctx, lf.lib.Engine, lf.fn, false, ro, keys, argv)
}

// fcallFlags gives FCALL the flags of the function it calls (see
// evalFlags).
func fcallFlags(s *Server, args [][]byte) Flag {
	cmd := s.Table.Get(strings.ToLower(string(args[0])))
	lf, ok := s.scripts.libs.lookup(args[1])
	if !ok {
		return cmd.Flags
	}
	return scriptCommandFlags(cmd.Flags, lf.fn.Flags)
}

func cmdFunctionLoad(ctx *Ctx) {
	replace := false
	i := 2
	for ; i < len(ctx.Args)-1; i++ {
		if ctx.ArgIs(i, "replace") {
			replace = true
			continue
		}
		ctx.Errorf("ERR Unknown option given: %s", ctx.Args[i])
		return
	}
	name, err := ctx.S.loadLibrary(ctx.Args[i], replace)
	if err != nil {
		ctx.Error(err.Error())
		return
	}
	ctx.W.WriteBulkString(name)
}

func cmdFunctionDelete(ctx *Ctx) {
	s := ctx.S
	lib := s.scripts.libs.libs[string(ctx.Args[2])]
	if lib == nil {
		ctx.Error(ErrLibraryNotFound)
		return
	}
	next := s.scripts.libs.clone()
	next.remove(lib)
	s.scripts.libs = next
	s.Dirty++
	ctx.OK()
}

func cmdFunctionFlush(ctx *Ctx) {
	if len(ctx.Args) > 3 {
		ctx.Errorf(fmtSubcmdArgs, ctx.Args[1], strings.ToUpper(string(ctx.Args[0])))
		return
	}
	if len(ctx.Args) == 3 && !ctx.ArgIs(2, "sync") && !ctx.ArgIs(2, "async") {
		ctx.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	ctx.S.flushFunctions()
	ctx.S.Dirty++
	ctx.OK()
}

func cmdFunctionList(ctx *Ctx) {
	withCode, pattern, havePattern := false, "", false
	for i := 2; i < len(ctx.Args); i++ {
		switch {
		case !withCode && ctx.ArgIs(i, "withcode"):
			withCode = true
		case !havePattern && ctx.ArgIs(i, "libraryname"):
			if i >= len(ctx.Args)-1 {
				ctx.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern, havePattern = string(ctx.Args[i]), true
		default:
			ctx.Errorf("ERR Unknown argument %s", ctx.Args[i])
			return
		}
	}
	var libs []*Library
	for _, l := range ctx.S.scripts.libs.sorted() {
		if !havePattern || Match(pattern, l.Name, true) {
			libs = append(libs, l)
		}
	}
	w := ctx.W
	w.WriteArray(len(libs))
	for _, l := range libs {
		if withCode {
			w.WriteMap(4)
		} else {
			w.WriteMap(3)
		}
		w.WriteBulkString("library_name")
		w.WriteBulkString(l.Name)
		w.WriteBulkString("engine")
		w.WriteBulkString(strings.ToUpper(l.EngineName))
		w.WriteBulkString("functions")
		w.WriteArray(len(l.Functions))
		for _, fn := range l.Functions {
			w.WriteMap(3)
			w.WriteBulkString("name")
			w.WriteBulkString(fn.Name)
			w.WriteBulkString("description")
			if fn.Description == "" {
				w.WriteNull()
			} else {
				w.WriteBulkString(fn.Description)
			}
			w.WriteBulkString("flags")
			names := fn.Flags.Names()
			w.WriteSet(len(names))
			for _, n := range names {
				w.WriteStatus(n)
			}
		}
		if withCode {
			w.WriteBulkString("library_code")
			w.WriteBulk(l.Code)
		}
	}
}

func cmdFunctionStats(ctx *Ctx) {
	s, w := ctx.S, ctx.W
	if r := s.busyRun(); r != nil && r.isEval {
		ctx.Error(r.busyError()) // allowed while busy, but not for EVAL
		return
	}
	w.WriteMap(2)
	w.WriteBulkString("running_script")
	if r := s.scripts.running; r == nil || r.isEval {
		w.WriteNull()
	} else {
		w.WriteMap(3)
		w.WriteBulkString("name")
		w.WriteBulkString(r.fn.Name)
		w.WriteBulkString("command")
		w.WriteArray(len(r.args))
		for _, a := range r.args {
			w.WriteBulk(a)
		}
		w.WriteBulkString("duration_ms")
		w.WriteInt(r.elapsed().Milliseconds())
	}
	w.WriteBulkString("engines")
	names := s.scripts.engines.Names()
	w.WriteMap(len(names))
	for _, n := range names {
		libs, funcs := 0, 0
		for _, l := range s.scripts.libs.libs {
			if l.EngineName == n {
				libs++
				funcs += len(l.Functions)
			}
		}
		w.WriteBulkString(strings.ToUpper(n))
		w.WriteMap(2)
		w.WriteBulkString("libraries_count")
		w.WriteInt(int64(libs))
		w.WriteBulkString("functions_count")
		w.WriteInt(int64(funcs))
	}
}

var functionHelp = []string{
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}
