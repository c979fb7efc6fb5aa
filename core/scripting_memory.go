package core

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// The script memory limit (script-max-memory, polyfn's own parameter):
// how many bytes a running script may make the server's heap grow by
// before it is stopped with
//
//	ERR script exceeded the memory limit of <N> bytes
//
// (decorated by the engine with the script's name and line). 0 turns the
// limit off. See RATIONALE-scripting.md for why it is built this way.
//
// Two mechanisms share the limit:
//
//   - Engines refuse, before allocating, to build any single value larger
//     than the limit (Lua's string.rep, JavaScript's String.prototype.repeat,
//     a reply being converted...): Go cannot recover from an allocation the
//     machine cannot satisfy, so a huge one must never be attempted. They
//     call Host.OutOfMemory, which stops the run as below.
//   - The watchdog samples the Go heap while the script runs (every
//     memoryTick) and stops the run once the live heap has grown by more
//     than the limit since the script started: growth a little at a time
//     (a table filled in a loop) that no single check sees.
//
// Stopping is a kill with another reason: the run's context is cancelled,
// which no pcall or try/catch can swallow, and the reply is the error
// above. Unlike SCRIPT KILL it also stops a script that already wrote:
// the alternative is the whole process dying. The commands the script ran
// before stay done and are propagated, exactly as when a script raises an
// error after writing; no command is left half-done, since the run is
// only stopped between the interpreter's instructions.

// defaultScriptMaxMemory is script-max-memory's default: 1 GB, far more
// than any sensible script needs, small enough for the server to survive
// a runaway one on a modest machine.
const defaultScriptMaxMemory = "1gb"

// memoryTick is how often the watchdog samples the heap while a script
// runs. Reading the runtime's metrics costs about half a microsecond, so
// it is not done when a run starts (most runs last microseconds): the
// first sample, a tick in, is the run's baseline.
const memoryTick = 5 * time.Millisecond

// ScriptMemoryError is the error text of a script stopped by the memory
// limit: for engines that refuse a value while a library loads (no run,
// no Host yet).
func ScriptMemoryError(limit int64) string { return fmt.Sprintf(fmtScriptMemory, limit) }

// heapWatch samples the heap for the watchdog. Only the watchdog's
// goroutine uses it, under mu.
type heapWatch struct {
	mu      sync.Mutex
	samples []metrics.Sample
	// run is the run base belongs to (scriptRun.seq: a pointer would
	// keep the last run's arguments alive).
	run  uint64
	base uint64
	// collecting is set while a confirming collection runs.
	collecting atomic.Bool
}

const (
	watchLive    = "/gc/heap/live:bytes"                // marked live by the last GC
	watchObjects = "/memory/classes/heap/objects:bytes" // live and not yet swept
	watchGOGC    = "/gc/gogc:percent"
)

// read returns the live heap as of the last GC, the heap's objects now
// (live and garbage not yet collected) and GOGC.
func (w *heapWatch) read() (live, objects uint64, gogc int64) {
	if w.samples == nil {
		w.samples = []metrics.Sample{{Name: watchLive}, {Name: watchObjects}, {Name: watchGOGC}}
	}
	metrics.Read(w.samples)
	if w.samples[0].Value.Kind() == metrics.KindUint64 {
		live = w.samples[0].Value.Uint64()
	}
	if w.samples[1].Value.Kind() == metrics.KindUint64 {
		objects = w.samples[1].Value.Uint64()
	}
	gogc = -1
	if w.samples[2].Value.Kind() == metrics.KindUint64 {
		gogc = int64(w.samples[2].Value.Uint64())
	}
	return live, objects, gogc
}

// checkMemory is the watchdog's memory sample for r. The baseline is the
// live heap at the run's first sample. The run is stopped when
//
//   - a collection found the live heap grown by more than the limit, or
//   - the heap's objects (live and garbage) are more than the collector
//     lets garbage grow to when the script holds no more than the limit:
//     (base + limit) * (1 + GOGC/100). Without this a script doubling a
//     string would outrun the collection that confirms it.
//
// When the objects alone are over base + limit, a collection is started
// (in the background: the watchdog keeps sampling meanwhile) to tell
// live memory from garbage, so a script that only makes garbage is never
// stopped; it costs a GC cycle each time such a script has churned
// through the limit's worth of memory.
//
// seq and limit are the run's, read by the watchdog under r.mu.
func (s *Server) checkMemory(r *scriptRun, seq uint64, limit int64) {
	w := &s.scripts.heap
	w.mu.Lock()
	defer w.mu.Unlock()
	live, objects, gogc := w.read()
	if w.run != seq {
		w.run, w.base = seq, live
		return
	}
	bound := w.base + uint64(limit)
	if live > bound || gogc >= 0 && objects > bound+bound/100*uint64(gogc) {
		r.mu.Lock()
		if r.seq == seq { // not a later run: the run is reused
			r.stopForMemory()
		}
		r.mu.Unlock()
		return
	}
	if objects > bound && w.collecting.CompareAndSwap(false, true) {
		go func() {
			runtime.GC()
			w.collecting.Store(false)
		}()
	}
}

// MemoryLimit implements Host: script-max-memory when the run started.
func (r *scriptRun) MemoryLimit() int64 { return r.memLimit }

// OutOfMemory implements Host.
func (r *scriptRun) OutOfMemory() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopForMemory()
}

// stopForMemory stops the run for exceeding memLimit. r.mu is held: it
// keeps a late sample of the watchdog from cancelling the kill context
// after the run ended (the next run may already be using it).
func (r *scriptRun) stopForMemory() {
	if r.live && r.memStopped.CompareAndSwap(false, true) {
		r.s.Log.Printf("Script stopped: it exceeded script-max-memory (%d bytes)", r.memLimit)
		r.kill.cancel()
	}
}

// KillReason implements Host.
func (r *scriptRun) KillReason() string {
	if r.memStopped.Load() {
		return ScriptMemoryError(r.memLimit)
	}
	return ErrScriptKilled
}
