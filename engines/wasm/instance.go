package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// library is one loaded module: its compiled code and, while it is
// usable, its instance. Every function of the library shares the
// instance (a guest may keep state between calls, as a Lua library's
// upvalues do, until the instance is thrown away).
type library struct {
	name     string
	compiled wazero.CompiledModule
	holder   *modHolder
	// handles maps the functions the first load registered to their
	// handles; a re-instantiated module must register the same.
	handles map[string]uint32
}

// modHolder owns the instance; it is what the library's cleanup closes
// once the core has dropped the library (it must not refer back to it).
type modHolder struct {
	inst   *instance
	stderr cappedBuffer
}

// instance is one instantiated module and its exports.
type instance struct {
	mod       api.Module
	mem       api.Memory
	allocFn   api.Function
	call      api.Function
	interrupt api.MutableGlobal // set to stop the guest (interrupt.go)
	allocArgs [1]uint64
	// keep: the guest exports polyfn_alloc_keep, so the memory of its
	// last polyfn_alloc ([bufPtr, bufPtr+bufCap)) serves later calls
	// whose arguments fit.
	keep           bool
	bufPtr, bufCap uint32
}

// minKeptAlloc is the least the host asks a polyfn_alloc_keep guest for,
// so that calls with small arguments share one buffer.
// A larger buffer is used once: asking again lets the guest shrink it.
const (
	minKeptAlloc = 1024
	maxKeptAlloc = 64 << 10
)

// wasmFunction is core.Function.Handle for this engine.
type wasmFunction struct {
	lib    *library
	handle uint32
}

// errTrap is what a host import panics with to abort the guest; the reply
// is in runState.abort.
var errTrap = errors.New("polyfn: guest aborted by the host")

// The exports ABI version 1 requires, with their signatures.
var requiredExports = []struct {
	name            string
	params, results []api.ValueType
}{
	{"polyfn_abi_version", nil, []api.ValueType{api.ValueTypeI32}},
	{"polyfn_alloc", []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
	{"polyfn_init", nil, nil},
	{"polyfn_call", []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}},
}

// checkModule verifies a compiled module against ABI version 1 before
// any of its code runs.
func checkModule(cm wazero.CompiledModule) error {
	exports := cm.ExportedFunctions()
	for _, want := range requiredExports {
		def, ok := exports[want.name]
		if !ok {
			return fmt.Errorf("wasm module does not export %s (polyfn ABI %d)", want.name, ABIVersion)
		}
		if !sameTypes(def.ParamTypes(), want.params) || !sameTypes(def.ResultTypes(), want.results) {
			return fmt.Errorf("wasm module exports %s with the wrong signature (polyfn ABI %d)", want.name, ABIVersion)
		}
	}
	// (wazero refuses a memory whose minimum is above the cap itself.)
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("wasm module does not export its memory as \"memory\" (polyfn ABI %d)", ABIVersion)
	}
	for _, imp := range cm.ImportedFunctions() {
		mod, name, _ := imp.Import()
		if mod == wasiModule {
			continue
		}
		if mod != hostModule || !hostImportNames[name] {
			return fmt.Errorf("wasm module imports %s.%s, which polyfn does not provide", mod, name)
		}
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const wasiModule = "wasi_snapshot_preview1"

// load instantiates lib for the first time and collects the functions
// its polyfn_init registers.
func (e *Engine) load(ctx context.Context, lib *library) ([]*core.Function, error) {
	e.run = runState{lib: lib, argv: e.run.argv[:0]}
	defer func() { e.run.lib, e.run.registered = nil, nil }()
	if err := e.instantiate(ctx, lib); err != nil {
		if ctx.Err() != nil {
			return nil, errors.New("ERR Error registering functions: ERR FUNCTION LOAD timeout")
		}
		return nil, fmt.Errorf("ERR Error registering functions: %s", e.guestError(lib, err))
	}
	lib.handles = make(map[string]uint32, len(e.run.registered))
	for _, f := range e.run.registered {
		lib.handles[f.Name] = f.Handle.(*wasmFunction).handle
	}
	return e.run.registered, nil
}

// reinstantiate replaces an instance that was thrown away, before a call.
// The fresh instance must register the functions the first one did.
func (e *Engine) reinstantiate(ctx context.Context, lib *library) error {
	saved := e.run.registered
	e.run.registered = nil
	defer func() { e.run.registered = saved }()
	if err := e.instantiate(ctx, lib); err != nil {
		return err
	}
	same := len(e.run.registered) == len(lib.handles)
	for _, f := range e.run.registered {
		if h, ok := lib.handles[f.Name]; !ok || h != f.Handle.(*wasmFunction).handle {
			same = false
		}
	}
	if !same {
		lib.discard()
		e.run.abort = "ERR wasm library registered other functions when instantiated again"
		return errTrap
	}
	return nil
}

// instantiate makes a fresh instance of lib and runs its start-up code:
// _initialize (WASI reactors), the ABI version check, polyfn_init. WASI
// offers the clocks and random bytes; no files, arguments, environment or
// network. stdout is discarded; stderr is kept (capped) for error replies.
func (e *Engine) instantiate(ctx context.Context, lib *library) error {
	h := lib.holder
	h.stderr.Reset()
	cfg := wazero.NewModuleConfig().
		WithName(fmt.Sprintf("%s#%d", lib.name, e.seq.Add(1))).
		WithStartFunctions().
		WithSysWalltime().
		WithSysNanotime().
		WithRandSource(rand.Reader).
		WithStderr(&h.stderr)
	mod, err := e.rt.InstantiateModule(ctx, lib.compiled, cfg)
	if err != nil {
		return err
	}
	inst := &instance{
		mod:       mod,
		mem:       mod.ExportedMemory("memory"),
		allocFn:   mod.ExportedFunction("polyfn_alloc"),
		call:      mod.ExportedFunction("polyfn_call"),
		interrupt: interruptGlobal(mod),
		keep:      mod.ExportedFunction("polyfn_alloc_keep") != nil,
	}
	h.inst = inst
	e.it.watch(ctx, inst.interrupt)
	defer e.it.stop()
	for _, name := range []string{startExport, "_initialize"} {
		if f := mod.ExportedFunction(name); f != nil {
			if _, err := f.Call(ctx); err != nil {
				return err
			}
		}
	}
	v, err := mod.ExportedFunction("polyfn_abi_version").Call(ctx)
	if err != nil {
		return err
	}
	if int32(v[0]) != ABIVersion {
		e.run.abort = fmt.Sprintf("ERR wasm module speaks polyfn ABI version %d; this server speaks %d", int32(v[0]), ABIVersion)
		return errTrap
	}
	e.run.registering = true
	_, err = mod.ExportedFunction("polyfn_init").Call(ctx)
	e.run.registering = false
	if err != nil {
		return err
	}
	if len(e.run.registered) == 0 {
		e.run.abort = core.ErrNoFunctions
		return errTrap
	}
	return nil
}

// alloc asks the guest for n bytes of its memory, or reuses what it gave
// last time when it keeps its buffers (polyfn_alloc_keep).
func (inst *instance) alloc(ctx context.Context, e *Engine, n uint32) (uint32, error) {
	if inst.keep && n <= inst.bufCap {
		return inst.bufPtr, nil
	}
	ask := n
	if inst.keep {
		ask = max(n, minKeptAlloc)
	}
	inst.allocArgs[0] = uint64(ask)
	if err := inst.allocFn.CallWithStack(ctx, inst.allocArgs[:]); err != nil {
		return 0, err
	}
	ptr := uint32(inst.allocArgs[0])
	inst.bufCap = 0
	if _, ok := inst.mem.Read(ptr, ask); ok && inst.keep && ask <= maxKeptAlloc {
		inst.bufPtr, inst.bufCap = ptr, ask
	}
	return ptr, nil
}

// discard throws the instance away (after a trap or a kill, or when
// loading failed); the next call instantiates the module again.
func (lib *library) discard() { lib.holder.close() }

func (h *modHolder) close() {
	if h.inst != nil {
		h.inst.mod.Close(context.Background())
		h.inst = nil
	}
}

// track closes the library's instance once the core has dropped the
// library (FUNCTION DELETE, FLUSH, LOAD REPLACE): the runtime would keep
// it otherwise.
func (lib *library) track() {
	runtime.AddCleanup(lib, func(h *modHolder) { h.close() }, lib.holder)
}

// guestError is the error reply for an error from guest code: the
// message a host import trapped with, a guest's exit (a Go guest's panic
// exits with code 2, its message on stderr), or a trap.
func (e *Engine) guestError(lib *library, err error) string {
	if e.run.abort != "" {
		return e.run.abort
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		msg := fmt.Sprintf("ERR wasm guest exited with code %d", exit.ExitCode())
		if s := lib.holder.stderr.summary(); s != "" {
			msg += ": " + s
		}
		return msg
	}
	msg := "ERR " + strings.TrimSuffix(firstLine(err.Error()), " (recovered by wazero)")
	if s := lib.holder.stderr.summary(); s != "" {
		msg += " (stderr: " + s + ")"
	}
	return msg
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// cappedBuffer keeps the first 4 KiB written to it (a guest's stderr).
type cappedBuffer struct{ b []byte }

const stderrCap = 4096

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := stderrCap - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *cappedBuffer) Reset() { c.b = c.b[:0] }

// summary is the line of stderr that explains a guest's exit: the first
// "panic:" or "fatal error:" line, else the first non-empty one.
func (c *cappedBuffer) summary() string {
	lines := strings.Split(string(c.b), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return strings.TrimSpace(l)
		}
	}
	for _, l := range lines {
		if s := strings.TrimSpace(l); s != "" {
			return s
		}
	}
	return ""
}
