package core

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseScore(t *testing.T) {
	ok := map[string]float64{
		"1": 1, "-1.5": -1.5, "+5": 5, "1e3": 1000, "1E3": 1000, ".5": 0.5, "5.": 5,
		"0x10": 16, "0X1p4": 16, "0x1.8p1": 3, "inf": math.Inf(1), "+inf": math.Inf(1),
		"-inf": math.Inf(-1), "Infinity": math.Inf(1), "-INFINITY": math.Inf(-1),
		"1e-310": 1e-310, "0e999999": 0, "00012": 12,
	}
	for in, want := range ok {
		got, good := parseScore([]byte(in))
		require.True(t, good, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", " 1", "1 ", "\t1", "1\x00", "nan", "NaN", "nan(12)", "abc", "1e400",
		"-1e400", "1e-400", "0x", "1e", "1e+", ".", "-", "+", "infx", "in", "0x1p99999", "1_000", "1.2.3"} {
		_, good := parseScore([]byte(in))
		require.False(t, good, "%q", in)
	}
}

func TestParseRangeScore(t *testing.T) {
	cases := []struct {
		in     string
		v      float64
		ex, ok bool
	}{
		{"1", 1, false, true}, {"(1", 1, true, true}, {"", 0, false, true}, {"(", 0, true, true},
		{" 1", 1, false, true}, {"1e400", math.Inf(1), false, true}, {"1e-400", 0, false, true},
		{"2\x00junk", 2, false, true}, {"1 ", 0, false, false}, {"nan", 0, false, false},
		{"(nan", 0, false, false}, {"[1", 0, false, false}, {"((1", 0, false, false},
	}
	for _, c := range cases {
		v, ex, ok := parseRangeScore([]byte(c.in))
		require.Equal(t, c.ok, ok, "%q", c.in)
		if ok {
			require.Equal(t, c.v, v, "%q", c.in)
			require.Equal(t, c.ex, ex, "%q", c.in)
		}
	}
}

func TestParseLexBound(t *testing.T) {
	for _, in := range []string{"", "a", "-a", "+a", "]"} {
		_, ok := parseLexBound([]byte(in))
		require.False(t, ok, "%q", in)
	}
	b, ok := parseLexBound([]byte("+\x00x"))
	require.True(t, ok)
	require.Equal(t, 1, b.Inf)
	b, _ = parseLexBound([]byte("(ab"))
	require.Equal(t, "ab", b.Value)
	require.True(t, b.Ex)
	b, _ = parseLexBound([]byte("["))
	require.Equal(t, "", b.Value)
	require.False(t, b.Ex)
}

func TestParseScanCursorZSet(t *testing.T) {
	ok := map[string]uint64{"0": 0, "": 0, "007": 7, "+3": 3, "-1": math.MaxUint64,
		"18446744073709551615": math.MaxUint64, "5\x00x": 5}
	for in, want := range ok {
		got, good := ParseScanCursor([]byte(in))
		require.True(t, good, "%q", in)
		require.Equal(t, want, got, "%q", in)
	}
	for _, in := range []string{" 1", "1 ", "x", "-", "+", "18446744073709551616", "1.0"} {
		_, good := ParseScanCursor([]byte(in))
		require.False(t, good, "%q", in)
	}
}

func TestScoreFormats(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for f, want := range map[float64]string{1.1: "1.1000000000000001", 1e20: "1e+20",
		123456789012345678: "1.2345678901234568e+17", 3: "3", math.Inf(-1): "-inf", 0.1: "0.10000000000000001"} {
		require.Equal(t, want, string(appendScore(nil, f)))
	}
	require.Equal(t, "-0", string(appendScore(nil, negZero)))
	for f, want := range map[float64]string{123456789012345678: "123456789012345680", 1 << 62: "4611686018427387904",
		1<<62 + 1024: "4.6116860184273889e+18", -(1 << 62): "-4611686018427387904", 1.5: "1.5", math.Inf(1): "inf"} {
		require.Equal(t, want, string(appendListpackScore(nil, f)))
	}
	require.Equal(t, "0", string(appendListpackScore(nil, negZero)))
}
