package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRectNext checks BIGMIN against enumeration: for small random
// rectangles anywhere in the 26-bit plane, Next(z) for z outside is the
// least geohash of the rectangle's cells above z.
func TestRectNext(t *testing.T) {
	for round := 0; round < 2000; round++ {
		lon0, lat0 := rand.Uint32N(idxMax-16), rand.Uint32N(idxMax-16)
		if round%4 == 0 { // aligned near power-of-two boundaries
			lon0 = max(uint32(1)<<rand.IntN(StepMax), 4) - rand.Uint32N(4)
			lat0 = max(uint32(1)<<rand.IntN(StepMax), 4) - rand.Uint32N(4)
		}
		r := Rect{lonLo: lon0, lonHi: min(lon0+rand.Uint32N(12), idxMax), latLo: lat0, latHi: min(lat0+rand.Uint32N(12), idxMax)}
		r = r.withCorners()
		var cells []uint64
		for lon := r.lonLo; lon <= r.lonHi; lon++ {
			for lat := r.latLo; lat <= r.latHi; lat++ {
				cells = append(cells, interleave(lat, lon))
			}
		}
		for i := 0; i < 50; i++ {
			var z uint64
			switch rand.IntN(3) {
			case 0:
				z = rand.Uint64N(1 << 54)
			case 1:
				z = r.zmin + rand.Uint64N(r.zmax-r.zmin+1)
			default:
				z = cells[rand.IntN(len(cells))] + rand.Uint64N(3) - 1
			}
			in := false
			best, found := uint64(0), false
			for _, c := range cells {
				in = in || c == z
				if c > z && (!found || c < best) {
					best, found = c, true
				}
			}
			require.Equal(t, in, r.Contains(z))
			if in {
				continue
			}
			next, ok := r.Next(z)
			require.Equal(t, found, ok, "z=%x", z)
			if found {
				require.Equal(t, best, next, "z=%x", z)
			}
		}
	}
}

// TestRectHoldsMatches checks that no point Within accepts lies outside
// the shape's Rect, for circles and boxes of many sizes at many places,
// poles and antimeridian included.
func TestRectHoldsMatches(t *testing.T) {
	for round := 0; round < 300; round++ {
		s := Shape{Long: rand.Float64()*360 - 180, Lat: rand.Float64()*170 - 85, Conversion: 1}
		if round%5 == 0 {
			s.Lat = 85 * float64(1-2*rand.IntN(2))
		}
		if round%7 == 0 {
			s.Long = 179.99 * float64(1-2*rand.IntN(2))
		}
		size := []float64{0, 1, 100, 1e4, 1e5, 1e6, 5e6, 2e7}[rand.IntN(8)] * (0.5 + rand.Float64())
		if rand.IntN(2) == 0 {
			s.Radius = size
		} else {
			s.Box, s.Width, s.Height = true, size, size*(0.2+rand.Float64()*2)
		}
		r := s.Rect()
		for i := 0; i < 400; i++ {
			var long, lat float64
			if i%2 == 0 {
				long, lat = edgePoint(&s)
			} else {
				// Anywhere around the center.
				span := radDeg(size/earthRadius) * 1.5
				long = s.Long + (rand.Float64()*2-1)*min(span*5, 360)
				lat = s.Lat + (rand.Float64()*2-1)*min(span, 170)
			}
			if long > LongMax {
				long -= 360
			}
			if long < LongMin {
				long += 360
			}
			switch rand.IntN(20) { // on the limits: scores beyond 2^52
			case 0:
				long = LongMax
			case 1:
				lat = LatMax
			case 2:
				long, lat = LongMax, LatMax
			}
			if long < LongMin || long > LongMax || lat < LatMin || lat > LatMax {
				continue
			}
			score := Score(long, lat)
			if _, _, _, _, ok := s.Within(score); ok {
				require.True(t, r.Contains(Bits(score)), "shape %+v point %v %v", s, long, lat)
			}
		}
	}
}

// edgePoint returns a point on the border of s, give or take a
// millionth: for a circle at a random bearing, for a box on its top or
// bottom edge or at the end of a random parallel.
func edgePoint(s *Shape) (long, lat float64) {
	f := 1 + (rand.Float64()*2-1)*1e-6
	if !s.Box {
		d := s.Radius * s.Conversion * f / earthRadius
		th := rand.Float64() * 2 * math.Pi
		p1 := degRad(s.Lat)
		p2 := math.Asin(math.Sin(p1)*math.Cos(d) + math.Cos(p1)*math.Sin(d)*math.Cos(th))
		dl := math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(p1), math.Cos(d)-math.Sin(p1)*math.Sin(p2))
		return s.Long + radDeg(dl), radDeg(p2)
	}
	h := radDeg(s.Height * s.Conversion / 2 / earthRadius)
	lat = s.Lat + (rand.Float64()*2-1)*h
	if rand.IntN(2) == 0 {
		lat = s.Lat + h*f*float64(1-2*rand.IntN(2))
	}
	k := math.Sin(s.Width*s.Conversion*f/4/earthRadius) / math.Cos(degRad(lat))
	if k >= 1 {
		return s.Long + 180, lat
	}
	return s.Long + radDeg(2*math.Asin(k))*float64(1-2*rand.IntN(2)), lat
}

// nextSlow is Next by descent through the quadtree of cells.
func nextSlow(r *Rect, z uint64) (uint64, bool) {
	var walk func(base uint64, level int, lon0, lat0 uint32) (uint64, bool)
	walk = func(base uint64, level int, lon0, lat0 uint32) (uint64, bool) {
		size := uint32(1) << level
		if base+(uint64(1)<<(2*level))-1 <= z || lon0 > r.lonHi || lon0+size-1 < r.lonLo || lat0 > r.latHi || lat0+size-1 < r.latLo {
			return 0, false
		}
		if level == 0 {
			return base, true
		}
		half := size / 2
		q := uint64(1) << (2 * (level - 1))
		// Quadrants in geohash order: longitude is the high bit.
		for i, d := range [4][2]uint32{{0, 0}, {0, half}, {half, 0}, {half, half}} {
			if v, ok := walk(base+uint64(i)*q, level-1, lon0+d[0], lat0+d[1]); ok {
				return v, true
			}
		}
		return 0, false
	}
	return walk(0, StepMax+1, 0, 0)
}

// TestRectNextLarge checks Next on rectangles of any size against the
// quadtree descent.
func TestRectNextLarge(t *testing.T) {
	for round := 0; round < 3000; round++ {
		pick := func() (uint32, uint32) {
			a, b := rand.Uint32N(idxMax+1), rand.Uint32N(idxMax+1)
			switch rand.IntN(4) {
			case 0:
				a, b = 0, idxMax
			case 1:
				b = min(a+rand.Uint32N(1000), idxMax)
			}
			return min(a, b), max(a, b)
		}
		var r Rect
		r.lonLo, r.lonHi = pick()
		r.latLo, r.latHi = pick()
		r = r.withCorners()
		for i := 0; i < 20; i++ {
			z := rand.Uint64N(1 << 54)
			if i%2 == 0 {
				z = r.zmin + rand.Uint64N(r.zmax-r.zmin+1)
			}
			if r.Contains(z) {
				continue
			}
			want, wok := nextSlow(&r, z)
			got, ok := r.Next(z)
			require.Equal(t, wok, ok, "rect %+v z=%x", r, z)
			require.Equal(t, want, got, "rect %+v z=%x", r, z)
		}
	}
}
