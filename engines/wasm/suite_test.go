package wasm_test

import (
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// The WebAssembly engine passes the engine conformance suite (the `!lib
// wasm` blocks of conformance/testdata/suite, which load
// testdata/suite.wasm, built from testdata/guests/suite), in RESP2 and
// RESP3.
func TestConformanceSuite(t *testing.T) {
	conformance.RunSuite(t, conformance.Harness{Engine: "wasm", Module: modulePath("suite")})
}

// The same cases pass with the suite library written with the C SDK
// (testdata/guests-c/suite.c); "wasm-c=>" lines hold its replies where C
// fails differently from Go (a panic, a bad argument).
func TestConformanceSuiteC(t *testing.T) {
	conformance.RunSuite(t, conformance.Harness{Engine: "wasm", Flavor: "c", Module: modulePath("suite-c")})
}

// And with the suite library written with the Rust SDK
// (testdata/guests-rust/suite.rs; "wasm-rust=>" lines).
func TestConformanceSuiteRust(t *testing.T) {
	conformance.RunSuite(t, conformance.Harness{Engine: "wasm", Flavor: "rust", Module: modulePath("suite-rust")})
}
