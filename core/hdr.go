package core

import "math/bits"

// Histogram is a fixed-layout HDR histogram of durations in nanoseconds,
// with the parameters Redis 7.0 uses for its per-command latency
// histograms (lowest 1 ns, highest 1 s, 2 significant figures), so that
// INFO latencystats and LATENCY HISTOGRAM print the same bucket bounds.
//
// Values are grouped in buckets of 128 sub-buckets; bucket b has a
// resolution of 2^b ns. A percentile is reported as the highest value
// equivalent to the recorded one, as hdr_value_at_percentile does.
type Histogram struct {
	counts [histCountsLen]int64
	total  int64
}

const (
	histSubBucketHalfMag = 7                         // log2(half of 256 sub-buckets)
	histSubBucketHalf    = 1 << histSubBucketHalfMag // 128
	histSubBucketCount   = 2 * histSubBucketHalf     // 256
	histSubBucketMask    = histSubBucketCount - 1    // unit magnitude 0
	histBucketCount      = 23                        // enough for 1e9
	histCountsLen        = (histBucketCount + 1) * histSubBucketHalf
	histMin              = 1
	histMax              = 1_000_000_000
)

func histBucketIndex(v int64) int {
	return 64 - bits.LeadingZeros64(uint64(v)|histSubBucketMask) - (histSubBucketHalfMag + 1)
}

func histCountsIndex(v int64) int {
	b := histBucketIndex(v)
	sub := int(v >> uint(b))
	return ((b + 1) << histSubBucketHalfMag) + (sub - histSubBucketHalf)
}

// histIndexRange returns the lowest value of counts index i and the size
// of its range of equivalent values.
func histIndexRange(i int) (lowest, size int64) {
	b := (i >> histSubBucketHalfMag) - 1
	sub := (i & (histSubBucketHalf - 1)) + histSubBucketHalf
	if b < 0 {
		sub -= histSubBucketHalf
		b = 0
	}
	return int64(sub) << uint(b), int64(1) << uint(b)
}

// Record adds one duration in nanoseconds, clamped to [1 ns, 1 s].
func (h *Histogram) Record(ns int64) {
	ns = max(histMin, min(ns, histMax))
	h.counts[histCountsIndex(ns)]++
	h.total++
}

// Total is the number of recorded values.
func (h *Histogram) Total() int64 { return h.total }

// ValueAtPercentile returns the highest value equivalent to the value at
// percentile p (0..100).
func (h *Histogram) ValueAtPercentile(p float64) int64 {
	p = min(p, 100)
	want := int64(p/100*float64(h.total) + 0.5)
	want = max(want, 1)
	var run int64
	for i, c := range h.counts {
		run += c
		if run >= want {
			lo, size := histIndexRange(i)
			if p == 0 {
				return lo
			}
			return lo + size - 1
		}
	}
	return 0
}

// Buckets calls fn with the cumulative distribution LATENCY HISTOGRAM
// reports: for the reporting levels 1024 ns, 2048 ns, 4096 ns..., the
// highest value equivalent to the level in microseconds and the number of
// values up to it, for the levels that add values (hdr's logarithmic
// iterator with base 2 from 1024, as Redis uses it).
func (h *Histogram) Buckets(fn func(usec, cumulative int64)) {
	var run, prev int64
	i := 0
	for level := int64(1024); run < h.total && level <= 2*histMax; level *= 2 {
		for i < histCountsLen {
			lo, _ := histIndexRange(i)
			if lo > level {
				break
			}
			run += h.counts[i]
			i++
		}
		if run > prev {
			li := histCountsIndex(level)
			lo, size := histIndexRange(li)
			fn((lo+size-1)/1000, run)
			prev = run
		}
	}
}
