package lua_test

import (
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// The Lua engine passes the engine conformance suite; for Lua the suite
// also checks every case against redis-server.
func TestConformanceSuite(t *testing.T) {
	conformance.RunSuite(t, conformance.Harness{Engine: "lua"})
}
