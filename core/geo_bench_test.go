package core_test

import (
	"strconv"
	"testing"
)

// loadGeoGrid loads bench/compare's grid: 100x100 points 0.01 degree
// apart from (13, 38), members p0..p9999.
func loadGeoGrid(r *runner, key string) {
	for i := 0; i < 10000; i++ {
		r.do(b("GEOADD"), b(key), b(strconv.FormatFloat(13+float64(i%100)*0.01, 'f', 4, 64)),
			b(strconv.FormatFloat(38+float64(i/100)*0.01, 'f', 4, 64)), b("p"+strconv.Itoa(i)))
	}
}

// benchRun runs one fixed command through the dispatcher b.N times.
func benchRun(bm *testing.B, r *runner, args ...string) {
	a := make([][]byte, len(args))
	for i, x := range args {
		a[i] = b(x)
	}
	bm.ReportAllocs()
	bm.ResetTimer()
	for i := 0; i < bm.N; i++ {
		r.do(a...)
	}
}

// BenchmarkGeoSearch is bench/compare's geosearch line.
func BenchmarkGeoSearch(bm *testing.B) {
	r := newRunner(bm)
	loadGeoGrid(r, "g")
	benchRun(bm, r, "GEOSEARCH", "g", "FROMLONLAT", "13.5", "38.5", "BYRADIUS", "5", "km", "ASC", "COUNT", "10")
}

func BenchmarkGeoSearchAll(bm *testing.B) {
	r := newRunner(bm)
	loadGeoGrid(r, "g")
	benchRun(bm, r, "GEOSEARCH", "g", "FROMLONLAT", "13.5", "38.5", "BYRADIUS", "5", "km", "ASC", "WITHDIST")
}

func BenchmarkGeoSearchBox(bm *testing.B) {
	r := newRunner(bm)
	loadGeoGrid(r, "g")
	benchRun(bm, r, "GEOSEARCH", "g", "FROMLONLAT", "13.5", "38.5", "BYBOX", "10", "10", "km", "ASC", "COUNT", "10")
}
