package hll

import (
	"math/rand"
	"testing"
)

// BenchmarkMergeDense merges two random dense HyperLogLogs into fresh
// registers, as PFCOUNT of two keys does.
func BenchmarkMergeDense(bm *testing.B) {
	var bs [2][]byte
	for k := range bs {
		bs[k], _ = ToDense(New())
		for i := 0; i < Registers; i++ {
			setReg(bs[k][HdrSize:], i, uint8(rand.Intn(20)))
		}
	}
	for i := 0; i < bm.N; i++ {
		var m Max
		m.Merge(bs[0])
		m.Merge(bs[1])
	}
}
