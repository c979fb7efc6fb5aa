package geo

import "math"

// Shape is a search area: a circle (Radius) or, when Box, a rectangle
// (Width x Height), centered on (Long, Lat). Sizes are in the user's unit;
// Conversion turns them into meters.
type Shape struct {
	Long, Lat     float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64

	// cos(Lat in radians), as approxDistance computes it, for cosOf.
	cosLat, cosOf float64
}

// centerCos returns the cosine of the center's latitude, computed once
// per center.
func (s *Shape) centerCos() float64 {
	if s.cosLat == 0 || s.cosOf != s.Lat {
		s.cosLat, s.cosOf = math.Cos(degRad(s.Lat)), s.Lat
	}
	return s.cosLat
}

func moveX(h *Hash, d int) {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.Step)*2)
	if d > 0 {
		x = x + (zz + 1)
	} else {
		x = x | zz
		x = x - (zz + 1)
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

func moveY(h *Hash, d int) {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.Step)*2)
	if d > 0 {
		y = y + (zz + 1)
	} else {
		y = y | zz
		y = y - (zz + 1)
	}
	y &= 0x5555555555555555 >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

func move(h Hash, dx, dy int) Hash {
	if dx != 0 {
		moveX(&h, dx)
	}
	if dy != 0 {
		moveY(&h, dy)
	}
	return h
}

// Neighbour indexes in Boxes.
const (
	center = iota
	north
	south
	east
	west
	northEast
	northWest
	southEast
	southWest
)

// estimateSteps is the geohash precision whose cells are about the size of
// the search radius.
func estimateSteps(meters, lat float64) uint8 {
	if meters == 0 {
		return 26
	}
	step := 1
	for meters < mercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	if step < 1 {
		step = 1
	}
	if step > 26 {
		step = 26
	}
	return uint8(step)
}

// boundingBox returns min long, min lat, max long, max lat of the shape.
func boundingBox(s *Shape) [4]float64 {
	height, width := s.Radius, s.Radius
	if s.Box {
		height, width = s.Height/2, s.Width/2
	}
	height *= s.Conversion
	width *= s.Conversion
	latDelta := radDeg(height / earthRadius)
	longTop := radDeg(width / earthRadius / cos(degRad(s.Lat+latDelta)))
	longBottom := radDeg(width / earthRadius / cos(degRad(s.Lat-latDelta)))
	var b [4]float64
	if s.Lat < 0 {
		b[0], b[2] = s.Long-longBottom, s.Long+longBottom
	} else {
		b[0], b[2] = s.Long-longTop, s.Long+longTop
	}
	b[1] = s.Lat - latDelta
	b[3] = s.Lat + latDelta
	return b
}

// Boxes returns the nine geohash boxes (center first, then north, south,
// east, west, north-east, north-west, south-east, south-west) that cover
// the shape; excluded neighbours are zero hashes.
func Boxes(s *Shape) [9]Hash {
	bounds := boundingBox(s)
	minLon, minLat, maxLon, maxLat := bounds[0], bounds[1], bounds[2], bounds[3]
	radius := s.Radius
	if s.Box {
		w, h := s.Width/2, s.Height/2
		radius = math.Sqrt(float64(w*w) + float64(h*h))
	}
	radius *= s.Conversion
	steps := estimateSteps(radius, s.Lat)
	hash, _ := Encode(s.Long, s.Lat, steps)
	nb := neighbours(hash)
	area, _ := Decode(hash)
	n, _ := Decode(nb[north])
	so, _ := Decode(nb[south])
	e, _ := Decode(nb[east])
	w, _ := Decode(nb[west])
	if steps > 1 && (n.Lat.Max < maxLat || so.Lat.Min > minLat || e.Long.Max < maxLon || w.Long.Min > minLon) {
		steps--
		hash, _ = Encode(s.Long, s.Lat, steps)
		nb = neighbours(hash)
		area, _ = Decode(hash)
	}
	if steps >= 2 {
		if area.Lat.Min < minLat {
			nb[south], nb[southWest], nb[southEast] = Hash{}, Hash{}, Hash{}
		}
		if area.Lat.Max > maxLat {
			nb[north], nb[northEast], nb[northWest] = Hash{}, Hash{}, Hash{}
		}
		if area.Long.Min < minLon {
			nb[west], nb[southWest], nb[northWest] = Hash{}, Hash{}, Hash{}
		}
		if area.Long.Max > maxLon {
			nb[east], nb[southEast], nb[northEast] = Hash{}, Hash{}, Hash{}
		}
	}
	return nb
}

func neighbours(h Hash) [9]Hash {
	var nb [9]Hash
	nb[center] = h
	nb[east] = move(h, 1, 0)
	nb[west] = move(h, -1, 0)
	nb[south] = move(h, 0, -1)
	nb[north] = move(h, 0, 1)
	nb[northWest] = move(h, -1, 1)
	nb[southWest] = move(h, -1, -1)
	nb[northEast] = move(h, 1, 1)
	nb[southEast] = move(h, 1, -1)
	return nb
}

// ScoreRange returns the scores [min, max) of the members inside box h.
func ScoreRange(h Hash) (min, max float64) {
	min = float64(Align52(h))
	h.Bits++
	return min, float64(Align52(h))
}

// Within decodes a member's score and reports whether it lies inside the
// shape, with its position and its distance from the center (meters).
// The distance is exact (Distance) when exact is set, else approximate
// (a few ulps off, see approxDistance): membership is decided exactly,
// computing the exact distance only near the border; callers compute
// exact distances (Exact) for what they print or order.
func (s *Shape) Within(score float64) (long, lat, dist float64, exact, ok bool) {
	long, lat = FromScore(score)
	if !s.Box {
		r := s.Radius * s.Conversion
		// The distance is at least the distance along the meridian,
		// which needs no trigonometry.
		if clearlyBeyond(LatDistance(s.Lat, lat), r) {
			return long, lat, 0, false, false
		}
		d := approxDistanceCos(s.Long, s.Lat, s.centerCos(), long, lat)
		if clearlyBeyond(d, r) {
			return long, lat, 0, false, false
		}
		if clearlyWithin(d, r) {
			return long, lat, d, false, true
		}
		d = Distance(s.Long, s.Lat, long, lat)
		return long, lat, d, true, d <= r
	}
	w, h := s.Width*s.Conversion, s.Height*s.Conversion
	if LatDistance(lat, s.Lat) > h/2 {
		return long, lat, 0, false, false
	}
	d := approxDistance(long, lat, s.Long, lat)
	if clearlyBeyond(d, w/2) {
		return long, lat, 0, false, false
	}
	if !clearlyWithin(d, w/2) && Distance(long, lat, s.Long, lat) > w/2 {
		return long, lat, 0, false, false
	}
	return long, lat, approxDistanceCos(s.Long, s.Lat, s.centerCos(), long, lat), false, true
}

// Exact returns the exact distance of a point from the center.
func (s *Shape) Exact(long, lat float64) float64 { return Distance(s.Long, s.Lat, long, lat) }
