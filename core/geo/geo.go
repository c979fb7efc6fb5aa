// Package geo is Redis's geohash arithmetic: positions are stored as
// sorted-set scores holding a 52-bit interleaved geohash (26 bits of
// longitude, 26 of latitude in Web Mercator's latitude range), distances
// use the haversine formula on a sphere of Redis's radius, and radius /
// box searches scan the center geohash box and its eight neighbours at a
// precision estimated from the search size. Every step follows Redis's
// arithmetic so that results and printed numbers match it exactly. Unlike
// Redis, a search skips the runs of each box that lie outside a cell
// rectangle holding the area (Rect): same points, same order, a fraction
// of the candidates.
package geo

import "math"

// Coordinate limits (EPSG:900913 / Web Mercator).
const (
	LongMin = -180.0
	LongMax = 180.0
	LatMin  = -85.05112878
	LatMax  = 85.05112878

	StepMax = 26 // 52 bits

	earthRadius = 6372797.560856
	mercatorMax = 20037726.37
)

// dr is C's M_PI / 180.0, rounded after each step (a Go constant
// expression would be exact).
var dr = func() float64 {
	pi := math.Pi
	return pi / 180.0
}()

// Hash is a geohash of step*2 bits.
type Hash struct {
	Bits uint64
	Step uint8
}

// IsZero reports an unset hash (a neighbour excluded from the search).
func (h Hash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Range is a coordinate interval.
type Range struct{ Min, Max float64 }

// Area is the rectangle a hash covers.
type Area struct {
	Hash      Hash
	Long, Lat Range
}

var (
	longRange = Range{LongMin, LongMax}
	latRange  = Range{LatMin, LatMax}
)

func interleave(xlo, ylo uint32) uint64 {
	x, y := uint64(xlo), uint64(ylo)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	y = (y | y<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	y = (y | y<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	y = (y | y<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	y = (y | y<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	y = (y | y<<1) & 0x5555555555555555
	return x | y<<1
}

func deinterleave(v uint64) uint64 {
	x, y := v, v>>1
	x &= 0x5555555555555555
	y &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	y = (y | y>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	y = (y | y>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	y = (y | y>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	y = (y | y>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	y = (y | y>>16) & 0x00000000FFFFFFFF
	return x | y<<32
}

// encode computes the hash of a position within the given ranges; ok is
// false outside the supported limits.
func encode(lr, ar Range, long, lat float64, step uint8) (Hash, bool) {
	if step > 32 || step == 0 {
		return Hash{}, false
	}
	if long > LongMax || long < LongMin || lat > LatMax || lat < LatMin {
		return Hash{}, false
	}
	if lat < ar.Min || lat > ar.Max || long < lr.Min || long > lr.Max {
		return Hash{Step: step}, false
	}
	latOff := (lat - ar.Min) / (ar.Max - ar.Min)
	longOff := (long - lr.Min) / (lr.Max - lr.Min)
	latOff *= float64(uint64(1) << step)
	longOff *= float64(uint64(1) << step)
	return Hash{Bits: interleave(uint32(latOff), uint32(longOff)), Step: step}, true
}

// Encode returns the WGS84 geohash of a position at the given precision.
func Encode(long, lat float64, step uint8) (Hash, bool) {
	return encode(longRange, latRange, long, lat, step)
}

// Score returns the sorted-set score Redis stores for a position (the
// caller has checked the coordinate limits).
func Score(long, lat float64) float64 {
	h, _ := Encode(long, lat, StepMax)
	return float64(Align52(h))
}

// Align52 shifts a hash to 52 bits.
func Align52(h Hash) uint64 { return h.Bits << (52 - uint(h.Step)*2) }

func decode(lr, ar Range, h Hash) (Area, bool) {
	if h.IsZero() {
		return Area{}, false
	}
	sep := deinterleave(h.Bits)
	latScale := ar.Max - ar.Min
	longScale := lr.Max - lr.Min
	ilat := uint32(sep)
	ilong := uint32(sep >> 32)
	div := float64(uint64(1) << h.Step)
	var a Area
	a.Hash = h
	a.Lat.Min = ar.Min + float64(float64(ilat)*1.0/div*latScale)
	a.Lat.Max = ar.Min + float64(float64(ilat+1)*1.0/div*latScale)
	a.Long.Min = lr.Min + float64(float64(ilong)*1.0/div*longScale)
	a.Long.Max = lr.Min + float64(float64(ilong+1)*1.0/div*longScale)
	return a, true
}

// Decode returns the area a WGS84 hash covers.
func Decode(h Hash) (Area, bool) { return decode(longRange, latRange, h) }

// cUint64 converts like C's (uint64_t) cast of a double on x86-64, which
// also gives a result for negative and out-of-range values.
func cUint64(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if f < two63 {
		return uint64(cInt64(f))
	}
	return uint64(cInt64(f-two63)) ^ 1<<63
}

// cInt64 is cvttsd2si: truncation, or the "integer indefinite" value for
// NaN and out-of-range inputs.
func cInt64(f float64) int64 {
	if f != f || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// CInt64 converts a score as C's (long long) cast does (WITHHASH).
func CInt64(f float64) int64 { return cInt64(f) }

// FromScore decodes the position stored in a sorted-set score: the center
// of its 52-bit cell, clamped to the coordinate limits. It is Decode at
// StepMax with the same roundings (the division by 2^26 is exact either
// way), written out for the searches' inner loop.
func FromScore(score float64) (long, lat float64) {
	sep := deinterleave(cUint64(score))
	ilat, ilong := uint32(sep), uint32(sep>>32)
	const inv = 1.0 / (1 << StepMax)
	latMin := LatMin + float64(float64(ilat)*inv*latScale)
	latMax := LatMin + float64(float64(ilat+1)*inv*latScale)
	longMin := LongMin + float64(float64(ilong)*inv*longScale)
	longMax := LongMin + float64(float64(ilong+1)*inv*longScale)
	long = min(max((longMin+longMax)/2, LongMin), LongMax)
	lat = min(max((latMin+latMax)/2, LatMin), LatMax)
	return long, lat
}

// The widths of the coordinate ranges, computed as decode does.
var (
	latScale  = latRange.Max - latRange.Min
	longScale = longRange.Max - longRange.Min
)

// Base32 is the standard geohash string of a position (11 characters,
// latitude range -90..90, the last character always '0').
func Base32(long, lat float64) string {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	h, _ := encode(Range{-180, 180}, Range{-90, 90}, long, lat, 26)
	var buf [11]byte
	for i := 0; i < 11; i++ {
		idx := 0
		if i < 10 {
			idx = int(h.Bits>>(52-uint(i+1)*5)) & 0x1f
		}
		buf[i] = alphabet[idx]
	}
	return string(buf[:])
}

func degRad(a float64) float64 { return a * dr }
func radDeg(a float64) float64 { return a / dr }

// LatDistance is the distance in meters between two latitudes on a
// meridian.
func LatDistance(lat1, lat2 float64) float64 {
	return earthRadius * math.Abs(degRad(lat2)-degRad(lat1))
}

// Distance is the haversine distance in meters between two positions.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := sin((lon2r - lon1r) / 2)
	if v == 0 {
		return LatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := sin((lat2r - lat1r) / 2)
	a := float64(u*u) + float64(float64(float64(cos(lat1r)*cos(lat2r))*v)*v)
	return 2.0 * earthRadius * asin(math.Sqrt(a))
}

// approxDistance is Distance with Go's math functions: within a few ulps
// of it, and several times faster. Searches use it to reject points
// clearly outside the area before computing the exact distance.
func approxDistance(lon1, lat1, lon2, lat2 float64) float64 {
	return approxDistanceCos(lon1, lat1, math.Cos(degRad(lat1)), lon2, lat2)
}

// approxDistanceCos is approxDistance given cos1, the cosine of lat1 in
// radians.
func approxDistanceCos(lon1, lat1, cos1, lon2, lat2 float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := math.Sin((lon2r - lon1r) / 2)
	if v == 0 {
		return LatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := math.Sin((lat2r - lat1r) / 2)
	a := u*u + cos1*math.Cos(lat2r)*v*v
	return 2.0 * earthRadius * math.Asin(math.Sqrt(a))
}

// clearlyBeyond reports whether an approximate distance d exceeds limit by
// more than the approximation's possible error.
func clearlyBeyond(d, limit float64) bool { return d > limit*(1+1e-9)+1e-9 }

// clearlyWithin is the converse: d is below limit whatever the error.
func clearlyWithin(d, limit float64) bool { return d < limit*(1-1e-9)-1e-9 }
