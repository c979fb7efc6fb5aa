package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/acl"
)

// The script runner: what every EVAL script and FCALL function goes
// through, whatever its language. It holds the keyspace lock for the whole
// run (atomicity), decides when the run becomes "busy", lets SCRIPT KILL /
// FUNCTION KILL cancel it, and applies Redis's rules to every command the
// script calls (Host).
//
// Busy: until busy-reply-threshold has passed, other clients simply wait
// for the keyspace lock, as Redis does not read from them meanwhile. When
// it passes, the watchdog (a timer) releases the keyspace lock on the
// script's behalf. From then on other clients' commands take the lock,
// see the run is busy and get -BUSY, except the allow-busy ones (SCRIPT
// KILL, FUNCTION KILL / STATS, SHUTDOWN NOSAVE, AUTH, HELLO...), and the
// script takes the lock back around each command it calls and when it
// ends. Nothing but the script touches the keyspace while it runs.

// scriptState is the server's scripting machinery.
type scriptState struct {
	engines *Registry
	cache   scriptCache
	libs    *functionLibs

	// run is the one scriptRun, reused from run to run (one script runs
	// at a time); running is &run while a run is in progress, nil
	// otherwise, read and written with the keyspace lock held. active is
	// the same for RequestShutdown, which holds no lock.
	run     scriptRun
	running *scriptRun
	active  atomic.Bool
	// watchdog looks at the run in progress (scriptWatchdog). It is not
	// stopped when a run ends, only armed when a run starts and it is not
	// armed already (watchArmed) to fire by then (watchAt): both under
	// run.mu. A firing that finds no run disarms it. So a stream of short
	// runs costs no timer operation each.
	watchdog   *time.Timer
	watchArmed bool
	watchAt    time.Duration // on the monotonic clock (monoNow)
	// heap is the watchdog's memory sampler (scripting_memory.go); seq
	// numbers the runs for it.
	heap heapWatch
	seq  uint64
	// kill is reused from run to run until a kill closes it. Replaced
	// with the keyspace lock held; loaded without it by RequestShutdown.
	kill atomic.Pointer[killContext]
	// client is the pseudo client scripts run commands as; reused.
	client *Client
	// builder collects the reply of each command a script calls; ctx is
	// that command's context. Both are reused: one script runs at a time.
	builder *Builder
	ctx     Ctx
	// cmds caches the commands scripts call (scripting_lookup.go).
	cmds cmdCache
	// startOOM is whether the last command Exec admitted found memory
	// over maxmemory with nothing to evict (Redis's script_oom).
	startOOM bool
}

func (s *Server) initScripting() {
	st := &s.scripts
	st.libs = newFunctionLibs()
	st.cache.init()
	st.kill.Store(newKillContext())
	st.run.s = s
	st.client = &Client{Addr: "lua", Authed: true, Resp: 2}
	st.builder = NewBuilder(2)
	st.watchdog = time.AfterFunc(time.Hour, s.scriptWatchdog)
	st.watchdog.Stop()
}

// SetEngines installs the scripting engines and configures those that are
// Configurable. Call it before serving.
func (s *Server) SetEngines(r *Registry) {
	s.scripts.engines = r
	for _, name := range r.Names() {
		if c, ok := r.engines[name].(Configurable); ok {
			c.Configure(s.Config)
		}
	}
}

// Engines returns the installed engines (nil when none).
func (s *Server) Engines() *Registry { return s.scripts.engines }

// scriptRun is one script or function being run. There is one, reused
// (scriptState.run): s, mu and memStopped are kept, runFields are set
// anew for each run.
type scriptRun struct {
	s *Server
	// mu orders the watchdog's look at the run against the script's
	// command calls and its end; it guards runFields while the run is
	// live, and the watchdog's arming.
	mu sync.Mutex
	// memStopped is set when the run was stopped for exceeding memLimit.
	memStopped atomic.Bool
	runFields
}

// runFields are a run's own.
type runFields struct {
	fn     *Function
	isEval bool
	caller *Client
	args   [][]byte // the command that started the run (FUNCTION STATS)
	// start is when the run started, on the monotonic clock (monoNow);
	// now is the time its commands see, in unix milliseconds: that of
	// the command that started it, as Redis freezes a script's clock.
	start time.Duration
	now   int64
	// readOnly forbids write commands (EVAL_RO, FCALL_RO, no-writes).
	readOnly bool
	// wrote is set once the script called a write command: from then on
	// it cannot be killed (UNKILLABLE), as Redis's SCRIPT_WRITE_DIRTY.
	wrote bool
	// oom is whether the server was over maxmemory when the run started.
	oom  bool
	resp int
	repl int
	kill *killContext
	// memLimit is script-max-memory at the start (0: none).
	memLimit int64
	seq      uint64 // scriptState.seq when the run started

	busy bool
	// live is set from the run's start to its end.
	live bool
}

// killContext is the context handed to engines: Done closes on SCRIPT
// KILL, FUNCTION KILL or shutdown. It is reused until closed, to keep
// allocations off the per-call path.
type killContext struct {
	done   chan struct{}
	once   sync.Once
	closed atomic.Bool
}

// errScriptKilled is a killed run's Err. It is a context.Canceled, as the
// context package requires of a cancelled context: wazero, for one, stops
// a guest only for Canceled or DeadlineExceeded.
var errScriptKilled = fmt.Errorf("script killed: %w", context.Canceled)

func newKillContext() *killContext { return &killContext{done: make(chan struct{})} }

func (k *killContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (k *killContext) Done() <-chan struct{}       { return k.done }
func (k *killContext) Value(any) any               { return nil }
func (k *killContext) Err() error {
	if k.closed.Load() {
		return errScriptKilled
	}
	return nil
}
func (k *killContext) cancel() {
	k.once.Do(func() { k.closed.Store(true); close(k.done) })
}

var _ context.Context = (*killContext)(nil)

// runScript runs fn for ctx (EVAL*, FCALL*) and writes its reply. The
// keyspace lock is held.
func (s *Server) runScript(ctx *Ctx, eng Engine, fn *Function, isEval, roCmd bool, keys, argv [][]byte) {
	st := &s.scripts
	compat := fn.Flags&ScriptEvalCompat != 0
	if !compat && fn.Flags&ScriptNoWrites == 0 && roCmd {
		ctx.Error(ErrScriptWriteFlagRO)
		return
	}
	kill := st.kill.Load()
	if kill.closed.Load() {
		kill = newKillContext()
		st.kill.Store(kill)
	}
	// Not the command's arrival (ctx.start) for the busy threshold: it
	// may have waited for the keyspace lock meanwhile.
	start := s.monoNow()
	now := ctx.Now
	if now == 0 {
		now = time.Now().UnixMilli()
	}
	st.seq++
	sc := st.client
	sc.DB, sc.Resp, sc.User, sc.aclUser = ctx.C.DB, 2, ctx.C.User, s.aclUser(ctx.C)
	if ctx.C != nil && ctx.C.DB == nil {
		sc.DB = ctx.DB
	}
	r := &st.run
	r.mu.Lock()
	r.runFields = runFields{
		fn: fn, isEval: isEval, caller: ctx.C, args: ctx.Args,
		start: start, now: now,
		readOnly: roCmd || (!compat && fn.Flags&ScriptNoWrites != 0),
		resp:     2, repl: ReplAll, kill: kill,
		memLimit: s.Config.hot.scriptMaxMemory.Load(),
		seq:      st.seq,
		// As Redis: whether memory was over the limit, with nothing left
		// to evict, when the command that runs the script arrived (Exec).
		oom:  st.startOOM && s.Config.hot.maxmemory.Load() > 0,
		live: true,
	}
	r.memStopped.Store(false)
	st.running = r
	st.active.Store(true)
	// Last: once the watchdog may look, the run may turn busy and the
	// keyspace lock be released on its behalf.
	s.armWatchdog(r)
	r.mu.Unlock()
	reply := eng.Call(kill, fn, r, keys, argv)
	r.finish()
	st.active.Store(false)
	st.running = nil
	// Not kept past the run: the caller may go away, its arguments are
	// its connection's buffer.
	r.fn, r.caller, r.args = nil, nil, nil

	if r.memStopped.Load() && reply.Kind != VError {
		// Stopped after the engine's last look at its context (while
		// converting the reply): the reply is not sent.
		reply = ErrorValue(r.KillReason())
	}
	if reply.Kind == VError {
		ctx.Error(string(reply.Str))
		return
	}
	reply.WriteTo(ctx.W)
}

// monoNow reads the monotonic clock only, as the time since the server
// started (Start keeps its monotonic reading): half the cost of
// time.Now, for durations.
func (s *Server) monoNow() time.Duration { return time.Since(s.Start) }

// elapsed is how long r has been running.
func (r *scriptRun) elapsed() time.Duration { return r.s.monoNow() - r.start }

func (s *Server) busyThreshold() time.Duration {
	return time.Duration(s.Config.BusyReplyThreshold()) * time.Millisecond
}

// nextWatch is when the watchdog should next look at r, elapsed into
// the run: at busy-reply-threshold, and every memoryTick while there is
// a memory limit. A negative duration means never.
func (r *scriptRun) nextWatch(elapsed time.Duration) time.Duration {
	next := time.Duration(-1)
	if !r.busy {
		next = max(r.s.busyThreshold()-elapsed, 0)
	}
	if r.memLimit > 0 && (next < 0 || next > memoryTick) {
		next = memoryTick
	}
	return next
}

// armWatchdog makes sure the watchdog fires by the time r, starting,
// needs a look. r.mu is held.
func (s *Server) armWatchdog(r *scriptRun) {
	st := &s.scripts
	next := r.nextWatch(0) // never negative for a run not yet busy
	at := r.start + next
	if st.watchArmed && at >= st.watchAt {
		return // an earlier run's arming comes first
	}
	st.watchdog.Reset(next)
	st.watchArmed, st.watchAt = true, at
}

// rearmWatchdog schedules the watchdog's next look at r, elapsed into
// it, or disarms it. r.mu is held.
func (s *Server) rearmWatchdog(r *scriptRun, elapsed time.Duration) {
	st := &s.scripts
	next := r.nextWatch(elapsed)
	if next < 0 {
		st.watchArmed = false
		return
	}
	st.watchdog.Reset(next)
	st.watchArmed, st.watchAt = true, r.start+elapsed+next
}

// scriptWatchdog runs while a script does: every memoryTick it samples
// the heap (scripting_memory.go), and when the run has lasted
// busy-reply-threshold it marks the run busy and releases the keyspace
// lock on its behalf. A firing meant for an earlier run looks at the
// current one instead, which is as good; one that finds no run stops.
func (s *Server) scriptWatchdog() {
	r := &s.scripts.run
	r.mu.Lock()
	if !r.live {
		s.scripts.watchArmed = false
		r.mu.Unlock()
		return
	}
	seq, memLimit := r.seq, r.memLimit
	r.mu.Unlock()
	if memLimit > 0 && !r.memStopped.Load() {
		s.checkMemory(r, seq, memLimit)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.live {
		s.scripts.watchArmed = false
		return
	}
	elapsed := r.elapsed()
	if r.busy || elapsed < s.busyThreshold() {
		// Not yet busy (or a stale firing, or the threshold was raised
		// meanwhile), or busy and still sampling memory.
		s.rearmWatchdog(r, elapsed)
		return
	}
	name := r.fn.Name
	if r.isEval {
		name = "?" // Redis names EVAL scripts by their body's function name
	}
	s.Log.Printf("Slow script detected: still in execution after %d milliseconds. You can try killing the script using the %s command. Script name is: %s.",
		r.elapsed().Milliseconds(), r.killCommand(), name)
	r.busy = true
	s.rearmWatchdog(r, elapsed)
	s.mu.Unlock() // on the script's behalf: see the comment at the top
}

func (r *scriptRun) killCommand() string {
	if r.isEval {
		return "SCRIPT KILL"
	}
	return "FUNCTION KILL"
}

// finish ends the run: after it the caller holds the keyspace lock again.
func (r *scriptRun) finish() {
	r.mu.Lock()
	r.live = false
	if r.busy {
		r.s.mu.Lock()
		r.s.Log.Printf("Slow script finished in %d milliseconds", r.elapsed().Milliseconds())
	}
	r.mu.Unlock()
}

// busyError is the -BUSY reply while r is busy.
func (r *scriptRun) busyError() string {
	if r.isEval {
		return ErrBusyScript
	}
	return ErrBusyFunction
}

// busyRun returns the run that makes the server busy, if any. The lock
// is held.
func (s *Server) busyRun() *scriptRun {
	if r := s.scripts.running; r != nil && r.busy {
		return r
	}
	return nil
}

// killScript is SCRIPT KILL (eval true) and FUNCTION KILL (eval false).
func (s *Server) killScript(ctx *Ctx, eval bool) {
	r := s.scripts.running
	switch {
	case r == nil:
		ctx.Error(ErrNotBusy)
	case r.isEval != eval:
		ctx.Error(r.busyError())
	case r.wrote:
		ctx.Error(ErrUnkillable)
	default:
		r.kill.cancel()
		ctx.OK()
	}
}

// Host, as seen by the engine running r.

func (r *scriptRun) Resp() int { return r.resp }

func (r *scriptRun) SetResp(v int) error {
	if v != 2 && v != 3 {
		return errors.New(ErrScriptRespVersion)
	}
	r.resp = v
	return nil
}

func (r *scriptRun) SetRepl(flags int) error {
	if flags&^ReplAll != 0 {
		return errors.New(ErrScriptInvalidRepl)
	}
	r.repl = flags
	return nil
}

func (r *scriptRun) Log(level int, msg string) {
	if level < r.s.Config.LogLevel() {
		return
	}
	r.s.Log.Print(msg)
}

func (r *scriptRun) ACLCheck(args [][]byte) (bool, error) {
	if len(args) == 0 {
		return false, errors.New(ErrScriptNoArgs)
	}
	cmd, found := r.s.Table.Lookup(args)
	if cmd == nil || !found {
		return false, errors.New("ERR Invalid command passed to redis.acl_check_cmd()")
	}
	// No arity check, as Redis: keys are looked for in what is there.
	res, _ := aclCheck(r.s.scripts.client.aclUser, cmd, args)
	return res == acl.OK, nil
}

// Call runs a command for the script. Once the run is busy the keyspace
// lock is free between calls, so it is taken around each one.
func (r *scriptRun) Call(args [][]byte) Value {
	r.mu.Lock()
	busy := r.busy
	if busy {
		r.s.mu.Lock()
	}
	v := r.call(args)
	if busy {
		r.s.mu.Unlock()
	}
	r.mu.Unlock()
	return v
}

// call checks a script's command against Redis's rules, in Redis's
// order, and runs it.
func (r *scriptRun) call(args [][]byte) Value {
	s := r.s
	if len(args) == 0 {
		return ErrorValue(ErrScriptNoArgs)
	}
	cmd, found := s.scripts.cmds.lookup(s.Table, args)
	if cmd == nil || !found {
		return ErrorValue(ErrScriptUnknownCmd)
	}
	if !cmd.CheckArity(len(args)) {
		return ErrorValue(ErrScriptWrongArity)
	}
	if cmd.Has(FlagNoScript) && !s.disableDenyScripts {
		return ErrorValue(ErrScriptNoScriptCmd)
	}
	if sc := s.scripts.client; !sc.aclUser.Unrestricted {
		if res, pos := aclCheck(sc.aclUser, cmd, args); res != acl.OK {
			s.aclLogDenial(sc, r.caller, res, "lua", cmd, args, pos)
			return ErrorValue(aclScriptError(res))
		}
	}
	if r.readOnly && cmd.Flags&(FlagWrite|FlagMayReplicate) != 0 {
		return ErrorValue(ErrScriptWriteInRO)
	}
	if cmd.Has(FlagWrite) && !r.wrote && s.scriptWritesDenied() {
		return ErrorValue(ErrMisconf)
	}
	allowOOM := r.fn.Flags&ScriptEvalCompat == 0 && r.fn.Flags&ScriptAllowOOM != 0
	if r.oom && !allowOOM && !r.wrote && cmd.Has(FlagDenyOOM) {
		return ErrorValue(ErrOOM)
	}
	if cmd.Has(FlagWrite) {
		r.wrote = true
	}
	b := s.scripts.builder
	b.Reset()
	b.resp = r.resp
	sc := s.scripts.client
	sc.Resp = r.resp
	ctx := &s.scripts.ctx
	*ctx = Ctx{S: s, C: sc, Cmd: cmd, Args: args, W: b, DB: sc.DB, NoBlock: true, frozenNow: r.now, noPropagate: r.repl == ReplNone}
	s.call(ctx)
	vals := b.Values()
	if len(vals) == 0 {
		return Value{Kind: VNull}
	}
	return vals[0]
}
