package core

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// This file is the engine contract: what a scripting language must provide
// for polyfn to run EVAL scripts and FUNCTION libraries written in it. The
// core owns everything that is the same for every language (the shebang,
// the script cache, the library registry, flags, busy state, KILL, effects,
// the rules for commands called by scripts); an engine owns only its
// language. See RATIONALE-scripting.md for why the line is drawn here.

// Engine runs code in one language. The core calls an engine from one
// goroutine at a time, with the keyspace lock held (a script is atomic);
// an engine needs no locking of its own for Compile and Call.
type Engine interface {
	// Compile turns code into functions. code is what follows the
	// shebang line (for an EVAL script without a shebang, the whole
	// body).
	//
	// For KindEval it returns exactly one function, the script body, whose
	// Name the core has chosen (req.Name, "f_<sha1>"); it does not run
	// the body. For KindLibrary it runs the library's top-level code, which
	// may only register functions (calling a command there is an error);
	// the core validates names and duplicates afterwards.
	//
	// ctx bounds the run of top-level code: when it is cancelled the engine
	// stops even a tight loop and returns an error. An error's text is the
	// complete error reply (with its code, e.g. "ERR Error compiling
	// script ..."), written as the language's users know it.
	Compile(ctx context.Context, req CompileRequest) ([]*Function, error)

	// Call runs fn, which this engine compiled, with the given keys and
	// arguments. Everything the function does to the server goes through
	// h. The result is the function's reply; an error the function raised
	// (or that escaped from h.Call) is returned as a VError value whose text
	// is the complete error reply, decorated as the language's users know
	// it (Lua: "... script: <name>, on @user_script:<line>.").
	//
	// When ctx is cancelled (SCRIPT KILL, FUNCTION KILL, shutdown) the
	// engine must stop promptly, even in a loop that calls nothing, in a
	// way the script cannot catch (no pcall / try-catch swallows it), and
	// return ErrorValue(h.KillReason()). The engine may keep using fn
	// afterwards.
	Call(ctx context.Context, fn *Function, h Host, keys, args [][]byte) Value
}

// CodeKind says what a piece of code is compiled for.
type CodeKind uint8

const (
	KindEval    CodeKind = iota + 1 // an EVAL script: one anonymous function
	KindLibrary                     // a FUNCTION LOAD library
)

// CompileRequest is what Compile gets.
type CompileRequest struct {
	Kind CodeKind
	// Name is the function name for KindEval ("f_<sha1>") and the library
	// name for KindLibrary.
	Name string
	Code []byte
	// SkippedLines is how many lines (the shebang) preceded Code in what
	// the user sent, so that error positions count them.
	SkippedLines int
	// MemoryLimit is script-max-memory (0: none): top-level code must not
	// build a single value larger than this; the engine fails the load
	// with ScriptMemoryError(MemoryLimit) instead.
	MemoryLimit int64
}

// Function is one callable unit: an EVAL script or a registered library
// function.
type Function struct {
	Name        string
	Description string // "" when none was given
	Flags       ScriptFlags
	// Handle is the engine's own: the compiled code, its state.
	Handle any
}

// Host is the core's side of a running script. Its methods are called only
// from inside Engine.Call, on the calling goroutine.
type Host interface {
	// Call runs a Redis command (args[0] is its name) as the script and
	// returns its reply, shaped for the RESP version chosen by SetResp.
	// A command the script may not run (unknown, wrong arity, noscript,
	// a write from a read-only script, OOM, ...) and the command's own
	// errors come back as VError values with Redis's texts; whether that
	// raises an error in the script (redis.call) or is returned to it
	// (redis.pcall) is the engine's business. The value's bytes may be the
	// server's own: convert it before the next call into the Host, and
	// never modify it. Call does not keep args.
	Call(args [][]byte) Value
	// SetResp chooses the RESP version (2 or 3) replies are shaped for.
	// It returns an error with Redis's text for anything else.
	SetResp(v int) error
	// Resp is the current RESP version for Call's replies.
	Resp() int
	// SetRepl sets where the script's effects go (Repl* flags). It returns
	// an error with Redis's text for an invalid value.
	SetRepl(flags int) error
	// Log writes msg to the server log at the given level (LogDebug...).
	Log(level int, msg string)
	// ACLCheck reports whether the calling user may run the command
	// args describes; an error (with Redis's text) means the command is
	// unknown or has the wrong arity.
	ACLCheck(args [][]byte) (bool, error)
	// KillReason is the error text for a run stopped by its context.
	KillReason() string
	// MemoryLimit is how many bytes the script may make the server's heap
	// grow by (script-max-memory), 0 for no limit. The core watches the
	// heap while the script runs (scripting_memory.go); an engine refuses
	// to build any single value (a string, an array, a buffer, a reply)
	// larger than this by calling OutOfMemory instead.
	MemoryLimit() int64
	// OutOfMemory stops the run for exceeding MemoryLimit: the run's
	// context is cancelled, as by a kill the script cannot catch, and
	// KillReason becomes the memory-limit error. The engine then stops as
	// for a kill. Unlike SCRIPT KILL it stops a script that already wrote.
	OutOfMemory()
}

// Log levels, as redis.LOG_*.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Replication targets for SetRepl, as redis.REPL_*.
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// ScriptFlags are the flags a script declares (shebang) or a function
// registers. Their names are Redis's.
type ScriptFlags uint32

const (
	ScriptNoWrites ScriptFlags = 1 << iota
	ScriptAllowOOM
	ScriptAllowStale
	ScriptNoCluster
	ScriptAllowCrossSlot
	// ScriptEvalCompat marks an EVAL script without a shebang: it may
	// write and is checked command by command, as before Redis 7.
	ScriptEvalCompat
)

var scriptFlagNames = []struct {
	name string
	flag ScriptFlags
}{
	{"no-writes", ScriptNoWrites},
	{"allow-oom", ScriptAllowOOM},
	{"allow-stale", ScriptAllowStale},
	{"no-cluster", ScriptNoCluster},
	{"allow-cross-slot-keys", ScriptAllowCrossSlot},
}

// ErrUnknownFlag is returned by ParseScriptFlag for a name Redis does not
// know; its text is Redis's.
var ErrUnknownFlag = errors.New("unknown flag given")

// ParseScriptFlag returns the flag called name.
func ParseScriptFlag(name string) (ScriptFlags, error) {
	for _, f := range scriptFlagNames {
		if f.name == name {
			return f.flag, nil
		}
	}
	return 0, ErrUnknownFlag
}

// Names lists the flags in Redis's order (FUNCTION LIST).
func (f ScriptFlags) Names() []string {
	var out []string
	for _, n := range scriptFlagNames {
		if f&n.flag != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// ValidName reports whether name may name a library or a function:
// letters, digits and underscores, at least one.
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Registry holds the engines a server offers, by the name used in
// shebangs ("lua", "js", "wasm"). Build it before the server starts; it is
// read-only afterwards.
type Registry struct {
	engines map[string]Engine
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{engines: map[string]Engine{}} }

// Register adds an engine. It panics on an empty name, a nil engine or a
// name already taken: these are wiring mistakes, caught at start-up.
func (r *Registry) Register(name string, e Engine) {
	name = strings.ToLower(name)
	if name == "" || e == nil {
		panic("core: Register with an empty name or a nil engine")
	}
	if _, dup := r.engines[name]; dup {
		panic(fmt.Sprintf("core: engine %q registered twice", name))
	}
	r.engines[name] = e
}

// Get returns the engine called name (case-insensitive).
func (r *Registry) Get(name string) (Engine, bool) {
	if r == nil {
		return nil, false
	}
	e, ok := r.engines[strings.ToLower(name)]
	return e, ok
}

// Names lists the registered engines, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.engines))
	for n := range r.engines {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Optional capabilities. The core finds them by type assertion.

// Resetter is implemented by engines that keep state shared between
// scripts of one kind (Lua keeps one interpreter for all EVAL scripts).
// The core calls Reset(KindEval) on SCRIPT FLUSH and Reset(KindLibrary)
// on FUNCTION FLUSH, after which no function compiled earlier for that
// kind is called again. Without it, the core just drops its references
// and lets the garbage collector reclaim the engine's state.
type Resetter interface {
	Reset(kind CodeKind)
}

// MemoryReporter is implemented by engines that can tell how much memory
// their interpreters use, per kind (INFO used_memory_vm_eval and
// used_memory_vm_functions). Without it the core reports 0.
type MemoryReporter interface {
	Memory(kind CodeKind) int64
}

// Configurable is implemented by engines that read parameters of their
// own from the server's configuration (polyfn's, not Redis's: e.g.
// wasm-max-memory-pages, defined with the other parameters in config.go).
// SetEngines calls Configure once, before the engine compiles anything;
// the engine reads the parameters it documents and keeps what it needs.
// Without it an engine runs with its own defaults.
type Configurable interface {
	Configure(cfg *Config)
}
