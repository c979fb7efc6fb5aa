package geo

import (
	"math"
	"math/big"
)

// Redis computes distances with glibc's sin, cos and asin, which are
// correctly rounded in all but extremely rare cases; Go's math package
// is not (errors of an ulp or two), which shows in the 17 digits of
// STOREDIST scores. These versions evaluate in double-double arithmetic
// (about 106 bits) and round once.

type dd struct{ hi, lo float64 }

func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func (x dd) add(y dd) dd {
	s := twoSum(x.hi, y.hi)
	t := twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func (x dd) mul(y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) mulF(f float64) dd {
	p := twoProd(x.hi, f)
	p.lo += x.lo * f
	return quickTwoSum(p.hi, p.lo)
}

func (x dd) neg() dd { return dd{-x.hi, -x.lo} }

func (x dd) div(y dd) dd {
	q1 := x.hi / y.hi
	r := x.add(y.mulF(q1).neg())
	q2 := r.hi / y.hi
	r = r.add(y.mulF(q2).neg())
	q3 := r.hi / y.hi
	q := quickTwoSum(q1, q2)
	return q.add(dd{q3, 0})
}

// π/2 in three parts.
const (
	pio2a = 1.5707963267948966
	pio2b = 6.123233995736766e-17
	pio2c = -1.4973849048591698e-33
)

// reduce returns r = x - k·π/2 (|r| <= about π/4) and k mod 4.
func reduce(x float64) (dd, int) {
	k := math.Round(x / pio2a)
	if k == 0 {
		return dd{x, 0}, 0
	}
	r := twoProd(k, -pio2a).add(dd{x, 0})
	r = r.add(twoProd(k, -pio2b))
	r = r.add(dd{-k * pio2c, 0})
	return r, int(int64(k) & 3)
}

// invFact[n] is 1/n! in double-double.
var invFact = func() [32]dd {
	var t [32]dd
	f := new(big.Float).SetPrec(300).SetInt64(1)
	for n := range t {
		if n > 0 {
			f.Mul(f, new(big.Float).SetPrec(300).SetInt64(int64(n)))
		}
		q := new(big.Float).SetPrec(300).Quo(new(big.Float).SetPrec(300).SetInt64(1), f)
		hi, _ := q.Float64()
		lo, _ := new(big.Float).SetPrec(300).Sub(q, new(big.Float).SetFloat64(hi)).Float64()
		t[n] = dd{hi, lo}
	}
	return t
}()

// terms returns the highest power the series needs at |r| <= π/4: the
// first n (of the parity of first) whose term r^n/n! is below 2^-112.
func terms(r float64, first int) int {
	ar := math.Abs(r)
	if ar == 0 {
		return first
	}
	p := math.Pow(ar, float64(first))
	for n := first; n < 27; n += 2 {
		if p*invFact[n].hi < 0x1p-112 {
			return n
		}
		p *= ar * ar
	}
	return 27 - (first+1)%2
}

// taylorSin and taylorCos evaluate the series (Horner form in r²) at a
// reduced argument |r| <= π/4, to about 2^-106.
func taylorSin(r, r2 dd) dd {
	top := terms(r.hi, 1)
	p := invFact[top]
	for n := top - 2; n >= 1; n -= 2 {
		p = p.mul(r2).neg().add(invFact[n])
	}
	return p.mul(r)
}

func taylorCos(r2 dd) dd {
	top := terms(math.Sqrt(r2.hi), 0)
	p := invFact[top]
	for n := top - 2; n >= 0; n -= 2 {
		p = p.mul(r2).neg().add(invFact[n])
	}
	return p
}

func taylor(r, r2 dd) (s, c dd) { return taylorSin(r, r2), taylorCos(r2) }

// sin and cos return the correctly rounded sine and cosine (in practice:
// double-double accuracy, rounded once), for moderate arguments.
func sin(x float64) float64 {
	if x == 0 || math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 1e6 {
		return math.Sin(x)
	}
	r, k := reduce(x)
	var s dd
	if k&1 == 0 {
		s = taylorSin(r, r.mul(r))
	} else {
		s = taylorCos(r.mul(r))
	}
	if k >= 2 {
		s = s.neg()
	}
	return s.hi + s.lo
}

func cos(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || math.Abs(x) > 1e6 {
		return math.Cos(x)
	}
	r, k := reduce(x)
	var c dd
	if k&1 == 0 {
		c = taylorCos(r.mul(r))
	} else {
		c = taylorSin(r, r.mul(r))
	}
	if k == 1 || k == 2 {
		c = c.neg()
	}
	return c.hi + c.lo
}

// asin refines math.Asin with Newton steps on sin in double-double.
func asin(x float64) float64 {
	y := math.Asin(x)
	if x == 0 || x >= 1 || x <= -1 || math.IsNaN(y) {
		return y
	}
	yd := dd{y, 0}
	for i := 0; i < 1; i++ {
		r, k := reduce(yd.hi)
		r = r.add(dd{yd.lo, 0})
		s0, c0 := taylor(r, r.mul(r))
		s, c := s0, c0
		switch k {
		case 1:
			s, c = c0, s0.neg()
		case 2:
			s, c = s0.neg(), c0.neg()
		case 3:
			s, c = c0.neg(), s0
		}
		yd = yd.add(dd{x, 0}.add(s.neg()).div(c))
	}
	return yd.hi + yd.lo
}
