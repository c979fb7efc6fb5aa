package js

import (
	"context"
	"sync"

	"github.com/dop251/goja"
)

// watcher turns a cancelled context into goja's Interrupt of the runtime
// that is running (a kill, a library load timeout). goja checks the
// interrupt flag between instructions, so even `while (true) {}` stops,
// and an InterruptedError cannot be caught by try/catch (nor does it run
// finally blocks).
//
// One goroutine waits on the context of the current run. The core hands
// every script the same kill context until it is cancelled, so in the
// common case begin and end only take an uncontended mutex: no goroutine,
// channel operation or allocation per call. The goroutine exits once the
// context it waits on is done (kill, shutdown, end of a library load) and
// is started again by the next run.
type watcher struct {
	mu sync.Mutex
	// rt and ctx are the run in progress; rt is nil between runs.
	rt  *goja.Runtime
	ctx context.Context
	// watching is the context the goroutine waits on, nil when there is
	// no goroutine; wake tells the goroutine it changed.
	watching context.Context
	wake     chan struct{}
}

// begin marks rt as running under ctx. A context that is already
// cancelled interrupts the run at its first instruction.
func (w *watcher) begin(ctx context.Context, rt *goja.Runtime) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rt, w.ctx = rt, ctx
	if ctx.Err() != nil {
		rt.Interrupt(errKilled)
		return
	}
	if w.watching == ctx {
		return
	}
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
	if w.watching == nil {
		w.watching = ctx
		go w.loop(ctx)
		return
	}
	w.watching = ctx
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// end marks the run over and clears a pending interrupt, so that rt can
// run again. After end returns no interrupt for this run can arrive.
func (w *watcher) end(rt *goja.Runtime) {
	w.mu.Lock()
	w.rt = nil
	w.mu.Unlock()
	rt.ClearInterrupt()
}

func (w *watcher) loop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			w.mu.Lock()
			if w.rt != nil && w.ctx == ctx {
				w.rt.Interrupt(errKilled)
			}
			if w.watching == ctx {
				w.watching = nil
				w.mu.Unlock()
				return
			}
			ctx = w.watching
			w.mu.Unlock()
		case <-w.wake:
			w.mu.Lock()
			if w.watching == nil {
				w.mu.Unlock()
				return
			}
			ctx = w.watching
			w.mu.Unlock()
		}
	}
}
