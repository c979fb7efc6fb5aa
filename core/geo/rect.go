package geo

import (
	"math"
	"math/bits"
)

// Rect is a rectangle of 52-bit cells (longitude and latitude indexes,
// inclusive, of 26 bits and one more, see idxMax) that holds every position a Shape can match: a
// search tests it on a member's score before decoding anything, and
// jumps over the runs of the geohash order that leave it (Next). It is
// deliberately loose (margins of a few cells, and no longitude limit
// where the area crosses the antimeridian or is very large): Within
// still decides; the rectangle only spares it points that cannot match.
type Rect struct {
	lonLo, lonHi, latLo, latHi uint32
	zmin, zmax                 uint64
}

// idxMax is the largest cell index a score holds: 2^26 - 1 for all but
// positions exactly on the east or north limit, whose index is 2^26 (an
// extra bit, in Redis as here: their scores pass 2^52).
const idxMax = 1 << StepMax

// Bits is the geohash a score holds (the callers' scores lie in
// [0, 2^54)); like FromScore, it truncates fractions.
func Bits(score float64) uint64 { return uint64(score) }

// Rect returns the cells that can hold positions inside s.
func (s *Shape) Rect() Rect {
	halfH, halfW := s.Radius, s.Radius
	if s.Box {
		halfH, halfW = s.Height/2, s.Width/2
	}
	halfH *= s.Conversion
	halfW *= s.Conversion
	r := Rect{0, idxMax, 0, idxMax, 0, 0}
	// Within rejects a point whose distance along the meridian exceeds
	// the height (slightly more for a circle); that distance is
	// earthRadius times the latitude difference in radians.
	latDelta := radDeg((halfH*(1+1e-6) + 1e-6) / earthRadius)
	latLo, latHi := LatMin, LatMax
	if latDelta < 180 {
		latLo, latHi = max(s.Lat-latDelta, LatMin), min(s.Lat+latDelta, LatMax)
		r.latLo = cellIndex(latLo, LatMin, LatMax, -2)
		r.latHi = cellIndex(latHi, LatMin, LatMax, 2)
	}
	// Haversine: a = sin²(Δlat/2) + cos(lat1)·cos(lat2)·sin²(Δlon/2).
	// A circle keeps a <= sin²(r/2R), so cos(lat)·cos(lat2)·sin²(Δlon/2)
	// <= sin²(r/2R); a box keeps each point's distance to the center's
	// meridian along its own parallel, cos²(lat2)·sin²(Δlon/2) <=
	// sin²(w/4R). The smallest cos(lat2) over the latitude range bounds
	// |sin(Δlon/2)|, hence |Δlon|.
	half := halfW / (2 * earthRadius)
	if !(half < math.Pi/2) {
		return r.withCorners()
	}
	cmin := min(math.Cos(degRad(latLo)), math.Cos(degRad(latHi)))
	k := math.Sin(half) / cmin
	if !s.Box {
		k = math.Sin(half) / math.Sqrt(math.Cos(degRad(s.Lat))*cmin)
	}
	k *= 1 + 1e-6
	if !(k < 1) {
		return r.withCorners()
	}
	lonDelta := radDeg(2*math.Asin(k)) + 1e-9
	if s.Long-lonDelta <= LongMin || s.Long+lonDelta >= LongMax {
		return r.withCorners() // the range would wrap
	}
	r.lonLo = cellIndex(s.Long-lonDelta, LongMin, LongMax, -2)
	r.lonHi = cellIndex(s.Long+lonDelta, LongMin, LongMax, 2)
	return r.withCorners()
}

// cellIndex is the 26-bit index of the cell holding v in [lo, hi],
// moved by margin cells and clamped.
func cellIndex(v, lo, hi float64, margin int) uint32 {
	f := math.Floor((v-lo)/(hi-lo)*(1<<StepMax)) + float64(margin)
	if !(f > 0) {
		return 0
	}
	if f > idxMax {
		return idxMax
	}
	return uint32(f)
}

func (r Rect) withCorners() Rect {
	r.zmin = interleave(r.latLo, r.lonLo)
	r.zmax = interleave(r.latHi, r.lonHi)
	return r
}

// Contains reports whether the geohash z lies in the rectangle.
func (r *Rect) Contains(z uint64) bool {
	sep := deinterleave(z)
	lat, lon := uint32(sep), uint32(sep>>32)
	return lat >= r.latLo && lat <= r.latHi && lon >= r.lonLo && lon <= r.lonHi
}

// Next returns the smallest geohash above z that lies in the rectangle
// (z itself must not), or false when there is none: Tropf and Herzog's
// BIGMIN, which walks the bits from the top and narrows the rectangle
// to the half that z's bit selects.
func (r *Rect) Next(z uint64) (uint64, bool) {
	zmin, zmax := r.zmin, r.zmax
	var next uint64
	found := false
	// Bits where z, zmin and zmax agree change nothing: visit only those
	// where they differ, from the top.
	below := ^uint64(0)
	for {
		diff := ((z ^ zmin) | (z ^ zmax)) & below
		if diff == 0 {
			return next, found
		}
		p := bits.Len64(diff) - 1
		bit := uint64(1) << p
		below = bit - 1
		// The lower bits of the same coordinate as bit p.
		lower := (uint64(0x5555555555555555) << (p & 1)) & below
		switch zb, lob, hib := z&bit != 0, zmin&bit != 0, zmax&bit != 0; {
		case !zb && !lob && hib:
			// z is in the lower half: the upper half's lowest corner is
			// the answer if the lower half has none.
			next, found = zmin&^lower|bit, true
			zmax = zmax&^bit | lower
		case !zb && lob:
			// The whole rectangle is above z.
			return zmin, true
		case zb && !hib:
			// The whole rectangle is below z.
			return next, found
		case zb && !lob && hib:
			zmin = zmin&^lower | bit
		}
	}
}
