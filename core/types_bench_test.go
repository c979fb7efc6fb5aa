package core_test

import (
	"strconv"
	"testing"
)

// The other data-type lines of bench/compare (issue #4), in process, to
// compare with BenchmarkGet.

func BenchmarkXAdd(bm *testing.B) {
	r := newRunner(bm)
	benchRun(bm, r, "XADD", "s", "*", "field", "value")
}

func BenchmarkXRange10(bm *testing.B) {
	r := newRunner(bm)
	for i := 0; i < 10; i++ {
		r.do(b("XADD"), b("s"), b(strconv.Itoa(i+1)+"-0"), b("field"), b("value"+strconv.Itoa(i)))
	}
	benchRun(bm, r, "XRANGE", "s", "-", "+")
}

// BenchmarkXReadGroupAck delivers one new entry and acknowledges it.
func BenchmarkXReadGroupAck(bm *testing.B) {
	r := newRunner(bm)
	r.do(b("XGROUP"), b("CREATE"), b("q"), b("g"), b("$"), b("MKSTREAM"))
	read := [][]byte{b("XREADGROUP"), b("GROUP"), b("g"), b("c"), b("COUNT"), b("1"), b("STREAMS"), b("q"), b(">")}
	add := [][]byte{b("XADD"), b("q"), nil, b("field"), b("value")}
	ack := [][]byte{b("XACK"), b("q"), b("g"), nil}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		bm.StopTimer()
		id := b(strconv.Itoa(i+1) + "-0")
		add[2], ack[3] = id, id
		r.do(add...)
		bm.StartTimer()
		r.do(read...)
		r.do(ack...)
	}
}

func BenchmarkPFAdd(bm *testing.B) {
	r := newRunner(bm)
	elems := make([][]byte, 4096)
	for i := range elems {
		elems[i] = b("e:" + strconv.Itoa(i*7919%100000))
	}
	args := [][]byte{b("PFADD"), b("h"), nil}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		args[2] = elems[i%len(elems)]
		r.do(args...)
	}
}

func BenchmarkPFCount(bm *testing.B) {
	r := newRunner(bm)
	for i := 0; i < 10000; i++ {
		r.do(b("PFADD"), b("h"), b("e:"+strconv.Itoa(i)))
	}
	benchRun(bm, r, "PFCOUNT", "h")
}

func BenchmarkGeoAdd(bm *testing.B) {
	r := newRunner(bm)
	args := [][]byte{b("GEOADD"), b("g"), nil, nil, nil}
	bm.ReportAllocs()
	for i := 0; i < bm.N; i++ {
		n := strconv.Itoa(i % 100000)
		args[2], args[3], args[4] = b("13."+n), b("38."+n), b("m:"+n)
		r.do(args...)
	}
}

// BenchmarkPFCount2 counts the union of two HyperLogLogs (dense), as
// bench/compare's pfcount2.
func BenchmarkPFCount2(bm *testing.B) {
	r := newRunner(bm)
	for i := 0; i < 10000; i++ {
		r.do(b("PFADD"), b("h"), b("e:"+strconv.Itoa(i)))
		r.do(b("PFADD"), b("h2"), b(strconv.Itoa(i)))
	}
	benchRun(bm, r, "PFCOUNT", "h", "h2")
}

// BenchmarkXAck acknowledges IDs of a 100,000-entry pending list, as
// bench/compare's xack (most are already acknowledged after a while).
func BenchmarkXAck(bm *testing.B) {
	r := newRunner(bm)
	const n = 100000
	for i := 0; i < n; i++ {
		r.do(b("XADD"), b("a"), b(strconv.Itoa(i+1)+"-0"), b("field"), b("value"))
	}
	r.do(b("XGROUP"), b("CREATE"), b("a"), b("g"), b("0"))
	r.do(b("XREADGROUP"), b("GROUP"), b("g"), b("c"), b("COUNT"), b(strconv.Itoa(n)), b("STREAMS"), b("a"), b(">"))
	ids := make([][]byte, 4096)
	for i := range ids {
		ids[i] = b(strconv.Itoa(i*7919%n+1) + "-0")
	}
	args := [][]byte{b("XACK"), b("a"), b("g"), nil}
	bm.ReportAllocs()
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		args[3] = ids[i%len(ids)]
		r.do(args...)
	}
}
