package keyspace

import "testing"

func BenchmarkPELGet(b *testing.B) {
	p := NewPEL()
	for i := 0; i < 50000; i++ {
		p.Set(StreamID{uint64(i + 1), 0}, &NACK{})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Get(StreamID{uint64(i*7919%50000 + 1), 0})
	}
}

func BenchmarkStreamAppend(b *testing.B) {
	s := NewStream()
	pairs := [][]byte{[]byte("field"), []byte("value")}
	for i := 0; i < b.N; i++ {
		s.Append(StreamID{uint64(i + 1), 0}, pairs, 4096, 100)
	}
}
