package js

import (
	"runtime"
	"sync/atomic"

	"github.com/polyfn/polyfn/core"
)

// Memory: an estimate, as goja cannot tell how much memory a runtime
// holds. The constants are heap growth measured with runtime.MemStats
// (after a GC) when this was written, with goja v0.0.0-20260917113740:
//
//   - the EVAL realm, frozen: about 490 KB; every compiled script about
//     1 KB plus 10 bytes per byte of its code;
//   - a library's realm, its globalThis frozen: about 360 KB (215 KB
//     before the memory-limit guards of limits.go), plus about
//     14 bytes per byte of its code (compiled functions, positions,
//     closures created at load time).
//
// For TypeScript "code" is the JavaScript esbuild wrote (with its source
// map). What a script allocates when it runs, and objects a library keeps
// in its top-level bindings, are not counted.
const (
	evalRealmBytes   = 490 << 10
	evalScriptBytes  = 1 << 10
	evalCodeFactor   = 10
	libraryRealmSize = 360 << 10
	libraryCodeRatio = 14
)

var _ core.MemoryReporter = (*Engine)(nil)

// memory is the engine's running estimate.
type memory struct {
	// evalCode is what the EVAL realm's compiled scripts add to it; it is
	// reset with the realm.
	evalCode int64
	// libraries is the sum over the libraries whose realms are alive. A
	// library's share is added when it loads and taken off by a cleanup
	// when the garbage collector reclaims its realm (FUNCTION DELETE,
	// FLUSH, a replaced library), so it lags behind by a GC cycle.
	libraries atomic.Int64
}

// Memory implements core.MemoryReporter (INFO used_memory_vm_eval and
// used_memory_vm_functions) with the estimate above: 0 for EVAL until a
// script has been compiled (the realm is made on first use) and after
// SCRIPT FLUSH; for libraries, the realms still alive.
func (e *Engine) Memory(kind core.CodeKind) int64 {
	if kind == core.KindEval {
		if e.eval == nil {
			return 0
		}
		return evalRealmBytes + e.mem.evalCode
	}
	return e.mem.libraries.Load()
}

// addEval counts a compiled EVAL script of n bytes of code.
func (e *Engine) addEval(n int) {
	e.mem.evalCode += evalScriptBytes + evalCodeFactor*int64(n)
}

// addLibrary counts a loaded library's realm, with n bytes of code, until
// the realm is garbage.
func (e *Engine) addLibrary(r *realm, n int) {
	size := libraryRealmSize + libraryCodeRatio*int64(n)
	e.mem.libraries.Add(size)
	runtime.AddCleanup(r, func(size int64) { e.mem.libraries.Add(-size) }, size)
}
