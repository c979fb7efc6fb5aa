package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashParseLongDouble(t *testing.T) {
	good := map[string]string{
		"1":           "1",
		"+1.5":        "1.5",
		"1.":          "1",
		".5":          "0.5",
		"1e+2":        "100",
		"00012":       "12",
		"0x10":        "16",
		"0x1p-3":      "0.125",
		"0X1P-3":      "0.125",
		"0x.8":        "0.5",
		"0x1.8":       "1.5",
		"-0":          "0",
		"0e999999999": "0",
		"inf":         "inf",
		"-Infinity":   "-inf",
	}
	for in, want := range good {
		f, ok := hashParseLongDouble([]byte(in))
		require.True(t, ok, in)
		require.Equal(t, want, hashFormatLongDouble(f), in)
	}
	for _, in := range []string{"", " 1", "1 ", "1e", "1e+", "1.2.3", "1_0", "0b1", "0x", "-0x",
		"0xg", "1e5000", "1e-5000", "0x1p16384", "1e99999999999999999999", "nan", "NaN", "infx",
		"1\x00", "abc", "."} {
		_, ok := hashParseLongDouble([]byte(in))
		require.False(t, ok, in)
	}
	_, ok := hashParseLongDouble([]byte("1e-4940")) // subnormal, not zero
	require.True(t, ok)
}

func TestHashIncrByFloatFormatting(t *testing.T) {
	cases := []struct{ cur, incr, want string }{
		{"10.5", "0.1", "10.6"},
		{"0.1", "0.2", "0.3"},
		{"3000", "-3000", "0"},
		{"0", "-0.0000000000000000001", "0"},
		{"0", "0.000000000000000005", "0"},
		{"0", "0.000000000000000015", "0.00000000000000002"},
		{"0", "1.23456789012345678901", "1.23456789012345679"},
		{"15000000000", "0.1", "15000000000.09999999962747097"},
		{"1e20", "1", "100000000000000000000"}, // beyond 64 mantissa bits,
	}
	for _, c := range cases {
		incr, ok := hashParseLongDouble([]byte(c.incr))
		require.True(t, ok)
		got, msg := hashIncrByFloat([]byte(c.cur), true, incr)
		require.Empty(t, msg)
		require.Equal(t, c.want, got, c)
	}
	one, _ := hashParseLongDouble([]byte("1"))
	_, msg := hashIncrByFloat([]byte("abc"), true, one)
	require.Equal(t, ErrHashNotFloat, msg)
	_, msg = hashIncrByFloat([]byte("inf"), true, one)
	require.Equal(t, ErrIncrNaNInf, msg)
	big, _ := hashParseLongDouble([]byte("0x1p16383"))
	_, msg = hashIncrByFloat([]byte("0x1p16383"), true, big)
	require.Equal(t, ErrIncrNaNInf, msg)
	got, msg := hashIncrByFloat(nil, false, one)
	require.Empty(t, msg)
	require.Equal(t, "1", got)
}

func TestParseCollCursor(t *testing.T) {
	good := map[string]uint64{
		"": 0, "0": 0, "+5": 5, "-1": 1<<64 - 1, "18446744073709551615": 1<<64 - 1,
		"007": 7, "5\x00junk": 5,
	}
	for in, want := range good {
		got, ok := parseCollCursor([]byte(in))
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{" 1", "1 ", "-", "+", "0x10", "1.0", "18446744073709551616", "abc"} {
		_, ok := parseCollCursor([]byte(in))
		require.False(t, ok, in)
	}
}
