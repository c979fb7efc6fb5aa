package geo

import (
	"math"
	"math/big"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// Values checked against redis-server 7.0.15.
func TestRedisValues(t *testing.T) {
	require.Equal(t, 3479099956230698.0, Score(13.361389, 38.115556))
	long, lat := FromScore(3479099956230698)
	require.Equal(t, "13.36138933897018433", strconv.FormatFloat(long, 'f', 17, 64))
	require.Equal(t, "38.11555639549629859", strconv.FormatFloat(lat, 'f', 17, 64))
	require.Equal(t, "sqc8b49rny0", Base32(long, lat))
	l2, a2 := FromScore(Score(15.087269, 37.502669))
	require.Equal(t, "166274.1516", strconv.FormatFloat(Distance(long, lat, l2, a2), 'f', 4, 64))
	require.Equal(t, "190.44242984775784", strconv.FormatFloat(Distance(15, 37, long, lat)/1000, 'g', 17, 64))
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		long := r.Float64()*360 - 180
		lat := r.Float64()*2*LatMax - LatMax
		h, ok := Encode(long, lat, StepMax)
		require.True(t, ok)
		a, ok := Decode(h)
		require.True(t, ok)
		require.True(t, a.Long.Min <= long && long <= a.Long.Max)
		require.True(t, a.Lat.Min <= lat && lat <= a.Lat.Max)
		require.Equal(t, h.Bits, deinterleaveBack(deinterleave(h.Bits)))
	}
	_, ok := Encode(181, 0, StepMax)
	require.False(t, ok)
	_, ok = Encode(0, 86, StepMax)
	require.False(t, ok)
}

func deinterleaveBack(sep uint64) uint64 { return interleave(uint32(sep), uint32(sep>>32)) }

func TestNeighbours(t *testing.T) {
	h, _ := Encode(10, 10, 10)
	nb := neighbours(h)
	c, _ := Decode(h)
	e, _ := Decode(nb[east])
	n, _ := Decode(nb[north])
	require.InDelta(t, c.Long.Max, e.Long.Min, 1e-9)
	require.InDelta(t, c.Lat.Max, n.Lat.Min, 1e-9)
	require.Equal(t, nb[center], move(move(h, 1, 0), -1, 0))
}

func TestEstimateSteps(t *testing.T) {
	require.Equal(t, uint8(26), estimateSteps(0, 0))
	require.Equal(t, uint8(1), estimateSteps(1e8, 0))
	require.Less(t, estimateSteps(1000, 70), estimateSteps(1000, 0))
}

// bigSin computes sin(x) with 200-bit Taylor series (|x| < 2).
func bigSin(x float64, cosine bool) float64 {
	const prec = 200
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	n := 0
	if !cosine {
		term.Set(bx)
		n = 1
	}
	sum := new(big.Float).SetPrec(prec).Set(term)
	for k := 0; k < 60; k++ {
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64((n+1)*(n+2))))
		term.Neg(term)
		sum.Add(sum, term)
		n += 2
	}
	f, _ := sum.Float64()
	return f
}

func TestTrigCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 3000; i++ {
		x := (r.Float64()*2 - 1) * 1.9
		require.Equal(t, bigSin(x, false), sin(x), "sin(%v)", x)
		require.Equal(t, bigSin(x, true), cos(x), "cos(%v)", x)
		y := r.Float64()
		a := asin(y)
		// asin is the inverse: sin(a) rounds back to y within an ulp.
		require.InDelta(t, y, bigSin(a, false), 2*(math.Nextafter(y, 2)-y))
	}
	require.Equal(t, math.Cos(100.0), cos(100.0))
}

func BenchmarkDistance(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Distance(13.361389, 38.115556, 15.087269, 37.502669)
	}
}

// TestFromScoreIsDecode checks the unrolled FromScore against Decode of
// the score's cell, on random and limit cells.
func TestFromScoreIsDecode(t *testing.T) {
	viaDecode := func(score float64) (float64, float64) {
		a, _ := Decode(Hash{Bits: cUint64(score), Step: StepMax})
		long := min(max((a.Long.Min+a.Long.Max)/2, LongMin), LongMax)
		lat := min(max((a.Lat.Min+a.Lat.Max)/2, LatMin), LatMax)
		return long, lat
	}
	scores := []float64{0, 1, 1<<52 - 1, 1 << 52, 1<<54 - 1, Score(180, 85.05112878), Score(-180, -85.05112878), 2.5}
	for i := 0; i < 100000; i++ {
		scores = append(scores, float64(rand.Int63n(1<<54)))
	}
	for _, s := range scores {
		l1, a1 := FromScore(s)
		l2, a2 := viaDecode(s)
		if l1 != l2 || a1 != a2 {
			t.Fatalf("score %v: FromScore %v %v, Decode %v %v", s, l1, a1, l2, a2)
		}
	}
}
