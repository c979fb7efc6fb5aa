package conformance

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestGeoRandomDifferential sends the same random geo searches to
// redis-server and polyfn and compares the reply bytes. The sets are
// large (the skiplist encoding: the searches jump through their geohash
// cells) and small (listpack), with points in a dense grid, near the
// poles' limits, across the antimeridian and all over the world; the
// searches mix radius and box, every unit, ASC/DESC/COUNT/ANY and the
// WITH options, RESP2 and RESP3.
func TestGeoRandomDifferential(t *testing.T) {
	addrs := []string{StartRedis(t), StartPolyfn(t)}
	rng := rand.New(rand.NewPCG(4, 2026))
	ff := func(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
	var setup [][]string
	add := func(key string, long, lat float64, member string) {
		long = min(max(long, -180), 180)
		lat = min(max(lat, -85.05112878), 85.05112878)
		setup = append(setup, []string{"GEOADD", key, ff(long), ff(lat), member})
	}
	type center struct{ long, lat float64 }
	centers := []center{{13.5, 38.5}, {0, 84.9}, {179.95, -20}, {-179.95, -20}, {10, -84.9}, {0, 0}}
	for i := 0; i < 10000; i++ { // bench/compare's grid
		add("big", 13+float64(i%100)*0.01, 38+float64(i/100)*0.01, "p"+strconv.Itoa(i))
	}
	for i := 0; i < 3000; i++ {
		m := "q" + strconv.Itoa(i)
		switch i % 3 {
		case 0: // clusters around the centers, at several scales
			c := centers[rng.IntN(len(centers))]
			s := []float64{0.001, 0.05, 1, 10}[rng.IntN(4)]
			add("big", c.long+(rng.Float64()*2-1)*s, c.lat+(rng.Float64()*2-1)*s, m)
		case 1: // anywhere
			add("big", rng.Float64()*360-180, rng.Float64()*170-85, m)
		default: // duplicates of grid positions: equal distances
			j := rng.IntN(10000)
			add("big", 13+float64(j%100)*0.01, 38+float64(j/100)*0.01, m)
		}
	}
	for i := 0; i < 100; i++ {
		c := centers[rng.IntN(len(centers))]
		add("small", c.long+(rng.Float64()*2-1)*0.1, c.lat+(rng.Float64()*2-1)*0.1, "s"+strconv.Itoa(i))
	}
	var queries [][]string
	units := []string{"m", "km", "ft", "mi"}
	perUnit := map[string]float64{"m": 1, "km": 1000, "ft": 0.3048, "mi": 1609.34}
	for i := 0; i < 1000; i++ {
		key := "big"
		if i%5 == 0 {
			key = "small"
		}
		c := centers[rng.IntN(len(centers))]
		long, lat := c.long+(rng.Float64()*2-1)*0.05, c.lat+(rng.Float64()*2-1)*0.05
		if rng.IntN(8) == 0 {
			long, lat = rng.Float64()*360-180, rng.Float64()*170-85
		}
		long, lat = min(max(long, -180), 180), min(max(lat, -85.05), 85.05)
		unit := units[rng.IntN(len(units))]
		meters := []float64{0, 50, 1000, 5000, 30000, 300000, 3e6, 3e7}[rng.IntN(8)] * rng.Float64() * 2
		size := func() string { return ff(meters / perUnit[unit] * (0.3 + rng.Float64())) }
		var q []string
		byBox := rng.IntN(3) == 0
		switch rng.IntN(4) {
		case 0:
			q = []string{"GEORADIUS", key, ff(long), ff(lat), size(), unit}
			byBox = false
		case 1:
			q = []string{"GEOSEARCH", key, "FROMMEMBER", "q" + strconv.Itoa(rng.IntN(3000))}
			if key == "small" {
				q[3] = "s" + strconv.Itoa(rng.IntN(100))
			}
		default:
			q = []string{"GEOSEARCH", key, "FROMLONLAT", ff(long), ff(lat)}
		}
		if q[0] == "GEOSEARCH" {
			if byBox {
				q = append(q, "BYBOX", size(), size(), unit)
			} else {
				q = append(q, "BYRADIUS", size(), unit)
			}
		}
		// Beyond some 50 km, the distances of the grid's points come
		// close enough that glibc's trigonometry, off by an ulp here and
		// there, decides the order of some (docs/COMMANDS.md): there the
		// searches compare the points found, in scan order.
		large := meters > 5e4
		if o := rng.IntN(3); o < 2 && !large {
			q = append(q, []string{"ASC", "DESC"}[o])
		}
		if rng.IntN(2) == 0 {
			q = append(q, "COUNT", strconv.Itoa(1+rng.IntN(30)))
			if large || rng.IntN(4) == 0 {
				q = append(q, "ANY")
			}
		}
		for _, w := range []string{"WITHDIST", "WITHHASH", "WITHCOORD"} {
			if rng.IntN(3) == 0 && !(large && w == "WITHDIST") {
				q = append(q, w)
			}
		}
		queries = append(queries, q)
	}
	var replies [2][][]byte
	for s, addr := range addrs {
		c := Dial(t, addr)
		for _, cmd := range setup {
			c.Send(cmd...)
		}
		for range setup {
			if _, _, err := c.Read(); err != nil {
				t.Fatal(err)
			}
		}
		for _, resp := range []string{"2", "3"} {
			c.Send("HELLO", resp)
			c.Read()
			for _, q := range queries {
				c.Send(q...)
			}
			for range queries {
				_, raw, err := c.Read()
				if err != nil {
					t.Fatal(err)
				}
				replies[s] = append(replies[s], raw)
			}
		}
	}
	fails := 0
	for i := range replies[0] {
		if a, b := replies[0][i], replies[1][i]; string(a) != string(b) {
			d := 0
			for d < len(a) && d < len(b) && a[d] == b[d] {
				d++
			}
			d = max(d-200, 0)
			t.Errorf("%q (RESP%d), from byte %d:\nredis:  %s\npolyfn: %s", queries[i%len(queries)], 2+i/len(queries), d, Quote(a[d:]), Quote(b[d:]))
			if fails++; fails > 5 {
				break
			}
		}
	}
}
