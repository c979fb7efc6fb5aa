package js_test

import (
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// The JavaScript engine passes the engine conformance suite (the `!lib js`
// blocks of conformance/testdata/suite), in RESP2 and RESP3.
func TestConformanceSuite(t *testing.T) {
	conformance.RunSuite(t, conformance.Harness{Engine: "js"})
}
