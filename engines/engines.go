// Package engines wires the scripting engines polyfn ships into a
// registry: the one place that names them all.
package engines

import (
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/js"
	"github.com/polyfn/polyfn/engines/lua"
	"github.com/polyfn/polyfn/engines/wasm"
)

// Registry returns a fresh registry with every engine.
func Registry() *core.Registry {
	r := core.NewRegistry()
	r.Register("lua", lua.New())
	r.Register("js", js.New())
	r.Register("ts", js.NewTS())
	r.Register("wasm", wasm.New(wasm.Options{}))
	return r
}
