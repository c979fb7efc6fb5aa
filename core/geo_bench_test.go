package core_test

import (
	"strconv"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
)

func BenchmarkGeoSearch(b *testing.B) {
	s := core.New(core.NewConfig(), core.DefaultTable())
	defer s.RequestShutdown()
	c := s.NewClient(core.NopConn{}, "127.0.0.1:1", "127.0.0.1:2")
	exec := func(args ...string) {
		a := make([][]byte, len(args))
		for i, x := range args {
			a[i] = []byte(x)
		}
		cmd, _ := s.Table.Lookup(a)
		w := protocol.NewWriter(2)
		s.Lock()
		s.Call(&core.Ctx{S: s, C: c, W: w, DB: c.DB, InMulti: true}, cmd, a, w)
		s.Unlock()
	}
	for i := 0; i < 10000; i++ {
		exec("GEOADD", "g", strconv.FormatFloat(13+float64(i%100)*0.01, 'f', 4, 64), strconv.FormatFloat(38+float64(i/100)*0.01, 'f', 4, 64), "p"+strconv.Itoa(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exec("GEOSEARCH", "g", "FROMLONLAT", "13.5", "38.5", "BYRADIUS", "5", "km", "ASC", "COUNT", "10")
	}
}
