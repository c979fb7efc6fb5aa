package wasm

import (
	"context"
	"sync"

	"github.com/tetratelabs/wazero/api"
)

// Stopping a guest that never calls the host (FUNCTION KILL, the load
// timeout). wazero can do it itself (WithCloseOnContextDone), but then the
// guest's code leaves for Go at every loop iteration to look at the
// context: that made a 1,000-iteration loop 20 times slower and a Go
// guest's trivial function 6 times slower (its runtime loops too).
// Instead the engine adds to each module, before compiling it, two
// mutable i32 globals: a flag (exported as interruptExport) the host sets
// from the context's AfterFunc, and a countdown of loop iterations. At
// the head of every loop the guest decrements the countdown; every
// yieldEvery iterations it runs `memory.grow 0`, which wazero implements
// in Go, and traps if the flag is set. Code that never leaves for Go
// cannot be preempted by Go's scheduler (with one P the server would
// stop, and that P's timers would not fire): the memory.grow is where the
// goroutine can be, and where KILL is noticed (within 16,384 loop
// iterations). A start function, which would run during
// instantiation where nothing can stop it, is exported as startExport
// instead and called afterwards under the same watch.
//
// What the loop check costs: the countdown (a load, a subtraction, a
// store and a branch) at each loop head, or, in a function that calls
// nothing from inside its loops, where the countdown is a local
// (instrument.go's loopCode), a subtraction and a branch on a register.
// The slow path with its memory.grow is placed outside the loop,
// because wazero's register allocator treats a loop with a call to Go
// anywhere inside it as one that calls out and keeps its values in
// memory. Measured in process on the SDK examples' sum_loop (1,000
// iterations of s += i*2, BenchmarkContractWasmSDKs minus the trivial
// call): with the slow path inside, C 1.07 us and Rust 2.0 us; outside,
// 0.75 and 1.7 us; with no countdown at all (for comparison only), 0.66
// and 1.8 us, within the noise of the shared machine. 2026-11-25, the
// whole call: Rust's 1.91-2.22 us with the countdown in the global,
// 1.60-1.62 us in a local, as with no countdown; Go's loop (in a
// function of its own) 2.75-2.95 us and 2.63-2.70 us. A check of the
// flag alone would be free, but then nothing yields, and a spinning guest
// would stall Go's garbage collector and, with one P, every other
// goroutine.

// yieldEvery is how many loop iterations run between two points where
// the guest can be preempted and notices KILL (well under a millisecond
// for ordinary loops).
const yieldEvery = 1 << 14

const (
	interruptExport = "polyfn_interrupt"
	startExport     = "polyfn_start"
)

// interrupter sets an instance's interrupt flag when the context of the
// run in progress is done. One per Engine, reused by every run. The
// core hands every run the same context until a kill closes it, so one
// goroutine per context waits for it (context.AfterFunc would start a
// goroutine per call for a context type of the core's own); past
// maxWaiters contexts it uses AfterFunc.
type interrupter struct {
	mu      sync.Mutex
	flag    api.MutableGlobal // the running instance's; nil when none
	done    <-chan struct{}   // the running call's ctx.Done()
	waiting map[<-chan struct{}]bool
	after   func() bool // AfterFunc's stop, when used
}

const maxWaiters = 16

// watch arms the interrupter for flag until stop. A context that cannot
// be cancelled costs nothing.
func (it *interrupter) watch(ctx context.Context, flag api.MutableGlobal) {
	done := ctx.Done()
	if done == nil || flag == nil {
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	it.flag, it.done = flag, done
	if it.waiting[done] {
		return
	}
	if len(it.waiting) >= maxWaiters {
		it.after = context.AfterFunc(ctx, func() { it.fire(done) })
		return
	}
	if it.waiting == nil {
		it.waiting = map[<-chan struct{}]bool{}
	}
	it.waiting[done] = true
	go func() {
		<-done
		it.fire(done)
		it.mu.Lock()
		delete(it.waiting, done)
		it.mu.Unlock()
	}()
}

// stop disarms the interrupter at the end of a run.
func (it *interrupter) stop() {
	it.mu.Lock()
	it.flag, it.done = nil, nil
	after := it.after
	it.after = nil
	it.mu.Unlock()
	if after != nil {
		after()
	}
}

// fire sets the running instance's flag if done is its run's.
func (it *interrupter) fire(done <-chan struct{}) {
	it.mu.Lock()
	if it.flag != nil && it.done == done {
		it.flag.Set(1)
	}
	it.mu.Unlock()
}

// interruptGlobal is the instance's interrupt flag.
func interruptGlobal(mod api.Module) api.MutableGlobal {
	g, _ := mod.ExportedGlobal(interruptExport).(api.MutableGlobal)
	return g
}
