// Package bench holds polyfn's benchmarks: in-process Go benchmarks of the
// request path here, and the redis-benchmark comparison with redis-server
// in ./compare.
package bench

import (
	"bufio"
	"net"
	"strconv"
	"testing"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
)

// benchPipeline sends b.N commands through one connection in batches of
// depth and reads every reply.
func benchPipeline(b *testing.B, depth int, args ...string) {
	addr := conformance.StartPolyfn(b)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReaderSize(nc, 1<<16)
	req := core.AppendCommand(nil, args...)
	var batch []byte
	for i := 0; i < depth; i++ {
		batch = append(batch, req...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += depth {
		if _, err := nc.Write(batch); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < depth; i++ {
			if _, _, err := core.ReadValue(br); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkSet(b *testing.B)           { benchPipeline(b, 1, "SET", "key:1", "value") }
func BenchmarkGet(b *testing.B)           { benchPipeline(b, 1, "GET", "key:1") }
func BenchmarkSetPipeline16(b *testing.B) { benchPipeline(b, 16, "SET", "key:1", "value") }
func BenchmarkGetPipeline16(b *testing.B) { benchPipeline(b, 16, "GET", "key:1") }

// BenchmarkParallelSet runs 50 connections at once, as redis-benchmark -c 50.
func BenchmarkParallelSet(b *testing.B) {
	addr := conformance.StartPolyfn(b)
	b.SetParallelism(25)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer nc.Close()
		br := bufio.NewReader(nc)
		i := 0
		for pb.Next() {
			i++
			nc.Write(core.AppendCommand(nil, "SET", "key:"+strconv.Itoa(i%1000), "v"))
			if _, _, err := core.ReadValue(br); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
