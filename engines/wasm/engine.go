// Package wasm is polyfn's WebAssembly engine: FUNCTION libraries written
// in any language that compiles to core WebAssembly, run on
// github.com/tetratelabs/wazero behind the core's engine contract. A
// library is `#!wasm name=<lib>` followed by the module's raw bytes; the
// module speaks the polyfn ABI (ABI.md, version 1). The engine knows the
// ABI (instances, memory, registration, the byte encodings, traps);
// everything else (shebangs, caches, flags, busy, KILL, command rules) is
// the core's. README.md in this directory is the user's guide.
package wasm

import (
	"context"
	"errors"
	"fmt"
	"log"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// ABIVersion is the version of the polyfn ABI this engine speaks; a
// module's polyfn_abi_version export must return it.
const ABIVersion = 1

// DefaultMaxMemoryPages caps each instance's linear memory when Options
// does not: 1024 pages of 64 KiB, 64 MiB.
const DefaultMaxMemoryPages = 1024

// Options configure an Engine. The zero value is ready to use.
type Options struct {
	// MaxMemoryPages caps every instance's linear memory, in 64 KiB
	// pages (at most 65536). 0: the server's wasm-max-memory-pages
	// parameter (Configure), else DefaultMaxMemoryPages. A module whose
	// memory starts above it does not load; memory.grow beyond it fails
	// in the guest (which usually ends the call with an error reply).
	MaxMemoryPages uint32
	// Cache holds compiled modules keyed by their bytes' hash, so that
	// loading a known module skips compilation. nil: the directory the
	// server's wasm-cache-dir parameter names (Configure), else one
	// in-memory cache shared by every Engine of the process (tests start
	// many servers).
	Cache wazero.CompilationCache
}

// sharedCache is the default compilation cache. wazero documents that
// one cache may serve several runtimes.
var sharedCache = wazero.NewCompilationCache()

// Engine is the WebAssembly engine. It owns one wazero runtime (made on
// first use) holding the host module "polyfn", WASI, and one instance per
// library. Engine methods and the host imports run on the core's calling
// goroutine, one at a time (the core's contract), so the state of the
// run in progress lives in the Engine itself.
type Engine struct {
	opts Options
	rt   wazero.Runtime
	seq  atomic.Uint64 // instance names

	// The run in progress (Compile or Call).
	run runState
	// Scratch reused by every call.
	buf   []byte
	stack [3]uint64
	// it stops the guest when a run's context is done.
	it interrupter
}

// runState is what the host imports need while guest code runs.
type runState struct {
	lib   *library
	host  core.Host // nil while a library loads
	fname string
	// abort is the error reply a host import trapped with (polyfn.call
	// of a failing command, a bad argument); "" when none.
	abort string
	// pending is the last call's reply when it did not fit the guest's
	// buffer, until polyfn.reply_read copies it.
	pending []byte
	// argv is scratch for decoded command arguments.
	argv [][]byte
	// registering collects polyfn.register_function during polyfn_init;
	// check (re-instantiation) is what the first load registered.
	registering bool
	registered  []*core.Function
}

// New returns a WebAssembly engine.
func New(opts Options) *Engine {
	return &Engine{opts: opts}
}

var (
	_ core.Engine       = (*Engine)(nil)
	_ core.Configurable = (*Engine)(nil)
)

// The server parameters Configure reads.
const (
	ConfigMaxMemoryPages = "wasm-max-memory-pages"
	ConfigCacheDir       = "wasm-cache-dir"
)

// Configure implements core.Configurable: the memory cap comes from the
// wasm-max-memory-pages parameter and the compilation cache from
// wasm-cache-dir (relative to dir), unless Options set them. A cache
// directory that cannot be used is logged and the cache stays in memory.
func (e *Engine) Configure(cfg *core.Config) {
	if e.rt != nil {
		return
	}
	if e.opts.MaxMemoryPages == 0 {
		e.opts.MaxMemoryPages = uint32(cfg.Int(ConfigMaxMemoryPages))
	}
	if d, _ := cfg.Get(ConfigCacheDir); e.opts.Cache == nil && d != "" {
		if !filepath.IsAbs(d) {
			base, _ := cfg.Get("dir")
			d = filepath.Join(base, d)
		}
		cache, err := wazero.NewCompilationCacheWithDir(d)
		if err != nil {
			log.Printf("wasm-cache-dir %s: %v; compiled modules are cached in memory only", d, err)
			return
		}
		e.opts.Cache = cache
	}
}

// cache is the compilation cache in effect.
func (e *Engine) cache() wazero.CompilationCache {
	if e.opts.Cache == nil {
		return sharedCache
	}
	return e.opts.Cache
}

// maxPages is the memory cap in effect.
func (e *Engine) maxPages() uint32 {
	if e.opts.MaxMemoryPages == 0 {
		return DefaultMaxMemoryPages
	}
	return e.opts.MaxMemoryPages
}

// runtime returns the engine's runtime, making it on first use.
func (e *Engine) runtime() (wazero.Runtime, error) {
	if e.rt != nil {
		return e.rt, nil
	}
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig().
		WithCloseOnContextDone(false). // interrupt.go does it for less

		WithMemoryLimitPages(e.maxPages()).
		WithCompilationCache(e.cache())
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("ERR wasm engine: %v", err)
	}
	if err := e.instantiateHost(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("ERR wasm engine: %v", err)
	}
	e.rt = rt
	return rt, nil
}

// Compile implements core.Engine. Only libraries are WebAssembly; an EVAL
// script cannot be (scripts are text).
func (e *Engine) Compile(ctx context.Context, req core.CompileRequest) ([]*core.Function, error) {
	if req.Kind == core.KindEval {
		return nil, errors.New("ERR wasm code can only be loaded as a library (FUNCTION LOAD)")
	}
	rt, err := e.runtime()
	if err != nil {
		return nil, err
	}
	// Compilation is the host's work, not the guest's: ctx limits the
	// library's own start-up code, so its deadline moves by the time
	// compiling took (a large module compiles for a second or more when
	// not cached).
	start := time.Now()
	code, err := instrument(req.Code)
	if err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: invalid wasm module: %s", err)
	}
	cm, err := rt.CompileModule(context.Background(), code)
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl.Add(time.Since(start)))
		defer cancel()
	}
	if err != nil {
		msg := firstLine(err.Error())
		if strings.Contains(msg, "section memory:") && strings.Contains(msg, "over limit") {
			return nil, fmt.Errorf("ERR Error compiling function: wasm module's memory is over %s (%d pages of 64 KiB): %s", ConfigMaxMemoryPages, e.maxPages(), msg)
		}
		return nil, fmt.Errorf("ERR Error compiling function: invalid wasm module: %s", msg)
	}
	if err := checkModule(cm); err != nil {
		return nil, fmt.Errorf("ERR Error compiling function: %s", err)
	}
	lib := &library{name: req.Name, compiled: cm, holder: &modHolder{}}
	fns, err := e.load(ctx, lib)
	if err != nil {
		lib.discard()
		return nil, err
	}
	lib.track()
	return fns, nil
}

// Call implements core.Engine.
func (e *Engine) Call(ctx context.Context, f *core.Function, h core.Host, keys, args [][]byte) core.Value {
	wf := f.Handle.(*wasmFunction)
	lib := wf.lib
	e.run = runState{lib: lib, host: h, fname: f.Name, argv: e.run.argv[:0], pending: e.run.pending[:0]}
	defer func() { e.run.host, e.run.lib = nil, nil }()
	if lib.holder.inst == nil {
		if err := e.reinstantiate(ctx, lib); err != nil {
			return e.failure(ctx, lib, err)
		}
	}
	inst := lib.holder.inst
	lib.holder.stderr.Reset()
	inst.interrupt.Set(0)
	e.it.watch(ctx, inst.interrupt)
	defer e.it.stop()
	e.buf = appendList(e.buf[:0], keys, args)
	ptr, err := inst.alloc(ctx, e, uint32(len(e.buf)))
	if err != nil {
		return e.failure(ctx, lib, err)
	}
	if !inst.mem.Write(ptr, e.buf) {
		lib.discard()
		return e.decorate("ERR wasm guest's polyfn_alloc returned memory out of bounds")
	}
	stack := e.stack[:]
	stack[0], stack[1], stack[2] = uint64(wf.handle), uint64(ptr), uint64(len(e.buf))
	if err := inst.call.CallWithStack(ctx, stack); err != nil {
		return e.failure(ctx, lib, err)
	}
	rptr, rlen := uint32(stack[0]>>32), uint32(stack[0])
	b, ok := inst.mem.Read(rptr, rlen)
	if !ok {
		return e.decorate("ERR wasm guest's reply is out of bounds")
	}
	v, err := parseRESP(b, h.MemoryLimit())
	if errors.Is(err, errReplyTooBig) {
		h.OutOfMemory()
		return e.decorate(h.KillReason())
	}
	if err != nil {
		return core.ErrorValue(err.Error())
	}
	return v
}

// failure turns an error from guest code into the call's reply, and
// throws away the instance: after a trap or a kill its state is unknown.
func (e *Engine) failure(ctx context.Context, lib *library, err error) core.Value {
	lib.discard()
	if ctx.Err() != nil && e.run.host != nil {
		return e.decorate(e.run.host.KillReason())
	}
	return e.decorate(e.guestError(lib, err))
}

// decorate appends the function's name to an error raised (not returned)
// by a function, as Redis does for Lua ("... script: <name>, on
// @user_function."); wasm has no source lines.
func (e *Engine) decorate(msg string) core.Value {
	return core.ErrorValue(msg + " script: " + e.run.fname + ", on @user_function.")
}
