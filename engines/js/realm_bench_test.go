package js

import (
	"testing"

	"github.com/polyfn/polyfn/core"
)

// What a realm costs: a fresh goja runtime with the redis object, and the
// freezing that lets EVAL scripts share one realm instead of paying for a
// fresh one per run (README.md, "Isolation").

func BenchmarkNewRealmUnfrozen(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := newRealm(core.KindLibrary); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewRealmFrozen(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r, err := newRealm(core.KindEval)
		if err != nil {
			b.Fatal(err)
		}
		_ = r
	}
}
