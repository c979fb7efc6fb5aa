package core

// pqsort is the partial quicksort Redis uses when only the elements of
// ranks [lrange, rrange] of a sort matter (SORT with BY and LIMIT, geo
// searches with COUNT): Bentley and McIlroy's quicksort (median of three,
// ninther above 40 elements, three-way partition, insertion sort below 7)
// that skips the partitions outside the range. It is not stable, and the
// order it leaves equal elements in is part of Redis's replies, so it is
// reproduced step for step.
func pqsort[T any](a []T, cmp func(x, y *T) int, lrange, rrange int) {
	pqsortRange(a, 0, len(a), cmp, lrange, rrange)
}

func pqsortRange[T any](a []T, lo, n int, cmp func(x, y *T) int, lrange, rrange int) {
	for {
		if n < 7 {
			for pm := lo + 1; pm < lo+n; pm++ {
				for pl := pm; pl > lo && cmp(&a[pl-1], &a[pl]) > 0; pl-- {
					a[pl], a[pl-1] = a[pl-1], a[pl]
				}
			}
			return
		}
		pm := lo + n/2
		if n > 7 {
			pl, pn := lo, lo+n-1
			if n > 40 {
				d := n / 8
				pl = med3(a, pl, pl+d, pl+2*d, cmp)
				pm = med3(a, pm-d, pm, pm+d, cmp)
				pn = med3(a, pn-2*d, pn-d, pn, cmp)
			}
			pm = med3(a, pl, pm, pn, cmp)
		}
		a[lo], a[pm] = a[pm], a[lo]
		pa, pb := lo+1, lo+1
		pc, pd := lo+n-1, lo+n-1
		for {
			for pb <= pc {
				r := cmp(&a[pb], &a[lo])
				if r > 0 {
					break
				}
				if r == 0 {
					a[pa], a[pb] = a[pb], a[pa]
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := cmp(&a[pc], &a[lo])
				if r < 0 {
					break
				}
				if r == 0 {
					a[pc], a[pd] = a[pd], a[pc]
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			a[pb], a[pc] = a[pc], a[pb]
			pb++
			pc--
		}
		pn := lo + n
		r := min(pa-lo, pb-pa)
		vecswap(a, lo, pb-r, r)
		r = min(pd-pc, pn-pd-1)
		vecswap(a, pb, pn-r, r)
		if r = pb - pa; r > 1 {
			if !outside(lo, lo+r-1, lrange, rrange) {
				pqsortRange(a, lo, r, cmp, lrange, rrange)
			}
		}
		r = pd - pc
		if r <= 1 {
			return
		}
		lo, n = pn-r, r
		if outside(lo, lo+n-1, lrange, rrange) {
			return
		}
	}
}

// outside reports whether [lrange, rrange] lies wholly before or after
// the elements [l, r].
func outside(l, r, lrange, rrange int) bool {
	return (lrange < l && rrange < l) || (lrange > r && rrange > r)
}

func med3[T any](a []T, i, j, k int, cmp func(x, y *T) int) int {
	if cmp(&a[i], &a[j]) < 0 {
		if cmp(&a[j], &a[k]) < 0 {
			return j
		}
		if cmp(&a[i], &a[k]) < 0 {
			return k
		}
		return i
	}
	if cmp(&a[j], &a[k]) > 0 {
		return j
	}
	if cmp(&a[i], &a[k]) < 0 {
		return i
	}
	return k
}

func vecswap[T any](a []T, i, j, n int) {
	for ; n > 0; n-- {
		a[i], a[j] = a[j], a[i]
		i++
		j++
	}
}
