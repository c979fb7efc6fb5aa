package core

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core/keyspace"
)

func TestParseLongDouble(t *testing.T) {
	valid := map[string]string{
		"0": "0", "-0": "0", "1": "1", "+1": "1", "-1.5": "-1.5", ".5": "0.5", "5.": "5",
		"1e3": "1000", "1E-2": "0.01", "+.5e1": "5", "0x10": "16", "0X1p4": "16", "0x1.8p1": "3",
		"-0x.8": "-0.5", "00001.5": "1.5", "0e99999999999": "0", "1e-4940": "0",
		"3.0e3": "3000", "10.5": "10.5", "0.1": "0.10000000000000000",
		"123456789012345678901234567890": "123456789012345678901234567890",
	}
	for in, want := range valid {
		x, ok := ParseLongDouble([]byte(in))
		require.True(t, ok, in)
		if want == "0.10000000000000000" {
			want = "0.1" // 0.1 rounds back at 17 decimals
		}
		if in == "123456789012345678901234567890" {
			// 64-bit mantissa: the exact value of the nearest long double.
			want = "123456789012345678899921813504" // checked against redis-server
		}
		require.Equal(t, want, x.String(), in)
	}
	for _, in := range []string{"", " 1", "1 ", "\t1", "1\x00", "abc", "nan", "-nan", "NaN", "nan(1)",
		"0x", "0xg", "0x1p", "1e", "1e+", ".", "-", "+", "e5", "0b101", "0o17", "1_000", "1.2.3", "--1",
		"infx", "infinit", "1e5000", "-1e5000", "1e-5000", "0x1p16384", "0x1p-16446"} {
		_, ok := ParseLongDouble([]byte(in))
		require.False(t, ok, "%q", in)
	}
	for _, in := range []string{"inf", "-inf", "+INF", "Infinity", "-infinity"} {
		x, ok := ParseLongDouble([]byte(in))
		require.True(t, ok, in)
		require.True(t, x.IsInf(), in)
		require.False(t, x.Finite(), in)
	}
	// "1.000...": valid below 5120 bytes, rejected from 5120 on.
	long := append([]byte("1."), make([]byte, 5118)...)
	for i := 2; i < len(long); i++ {
		long[i] = '0'
	}
	_, ok := ParseLongDouble(long)
	require.False(t, ok)
	x, ok := ParseLongDouble(long[:5119])
	require.True(t, ok)
	require.Equal(t, "1", x.String())
}

func TestIncrByFloat(t *testing.T) {
	cases := []struct{ cur, incr, want, err string }{
		{"10.5", "0.1", "10.6", ""},
		{"", "3.0e3", "3000", ""},
		{"5.0e3", "2.0e2", "5200", ""},
		{"1", "-1", "0", ""},
		{"0", "-0.000000000000000001", "0", ""},
		{"1", "0.000000000000000005", "1", ""}, // below long double precision at 1
		{"1.18973149535723176502e4932", "1e4932", "", ErrIncrNaNInf},
		{"1", "inf", "", ErrIncrNaNInf},
		{"inf", "-inf", "", ErrIncrNaNInf},
		{"abc", "1", "", ErrNotFloat},
		{"1", "nan", "", ErrNotFloat},
		{"9223372036854775807", "1", "9223372036854775808", ""},
		{"0.1", "0.2", "0.3", ""},
		{"0", "0.000000000000000015", "0.00000000000000002", ""},
		{"0", "1.23456789012345678901", "1.23456789012345679", ""},
		{"15000000000", "0.1", "15000000000.09999999962747097", ""},
		{"1e20", "1", "100000000000000000000", ""},
		{"0x1p-3", "0X1P-3", "0.25", ""},
	}
	for _, c := range cases {
		got, msg := IncrByFloat([]byte(c.cur), c.cur != "", []byte(c.incr))
		require.Equal(t, c.err, msg, "%s + %s", c.cur, c.incr)
		require.Equal(t, c.want, string(got), "%s + %s", c.cur, c.incr)
	}
	// An existing empty string is not a float.
	_, msg := IncrByFloat([]byte{}, true, []byte("1"))
	require.Equal(t, ErrNotFloat, msg)
	require.Equal(t, "-inf", LongDoubleFromInt(-1).Add(LongDouble{f: newLD().SetInf(true)}).String())
	require.True(t, LongDouble{f: newLD().SetInf(false)}.Add(LongDouble{f: newLD().SetInf(true)}).IsNaN())
}

func TestBitfieldOverflow(t *testing.T) {
	// unsigned: value+incr within [0, 2^n-1]
	v, over := unsignedOverflow(250, 10, 8, bfWrap)
	require.Equal(t, []any{uint64(4), true}, []any{v, over})
	v, over = unsignedOverflow(250, 10, 8, bfSat)
	require.Equal(t, []any{uint64(255), true}, []any{v, over})
	v, over = unsignedOverflow(5, -10, 8, bfSat)
	require.Equal(t, []any{uint64(0), true}, []any{v, over})
	v, over = unsignedOverflow(5, -10, 8, bfWrap)
	require.Equal(t, []any{uint64(251), true}, []any{v, over})
	v, over = unsignedOverflow(5, 10, 8, bfWrap)
	require.Equal(t, []any{uint64(15), false}, []any{v, over})
	// SET of a negative value to an unsigned field saturates to the max.
	v, over = unsignedOverflow(^uint64(0), 0, 8, bfSat)
	require.Equal(t, []any{uint64(255), true}, []any{v, over})
	// signed
	s, over := signedOverflow(100, 100, 8, bfWrap)
	require.Equal(t, []any{int64(-56), true}, []any{s, over})
	s, over = signedOverflow(100, 100, 8, bfSat)
	require.Equal(t, []any{int64(127), true}, []any{s, over})
	s, over = signedOverflow(-100, -100, 8, bfSat)
	require.Equal(t, []any{int64(-128), true}, []any{s, over})
	s, over = signedOverflow(-100, -100, 8, bfWrap)
	require.Equal(t, []any{int64(56), true}, []any{s, over})
	s, over = signedOverflow(1<<63-1, 1, 64, bfWrap)
	require.Equal(t, []any{int64(-1 << 63), true}, []any{s, over})
	s, over = signedOverflow(-1<<63, -1, 64, bfSat)
	require.Equal(t, []any{int64(-1 << 63), true}, []any{s, over})
	s, over = signedOverflow(-5, 3, 64, bfFail)
	require.Equal(t, []any{int64(-2), false}, []any{s, over})
	s, over = signedOverflow(-1, 0, 1, bfFail)
	require.Equal(t, []any{int64(-1), false}, []any{s, over})
	s, over = signedOverflow(1, 0, 1, bfWrap)
	require.Equal(t, []any{int64(-1), true}, []any{s, over})
}

func TestBitsRoundTrip(t *testing.T) {
	b := make([]byte, 10)
	for n := uint(1); n <= 64; n++ {
		for off := uint64(0); off+uint64(n) <= 80; off += 7 {
			clear(b)
			v := uint64(0xA5A5A5A5A5A5A5A5) & (^uint64(0) >> (64 - n))
			setBits(b, off, n, v)
			require.Equal(t, v, getBits(b, off, n), "n=%d off=%d", n, off)
			require.Equal(t, 0, countZeroBits(b, off, n), "n=%d off=%d", n, off)
		}
	}
	require.Equal(t, int64(-1), signExtend(1, 1))
	require.Equal(t, int64(-2), signExtend(0xfe, 8))
	require.Equal(t, int64(127), signExtend(0x7f, 8))
}

// countZeroBits counts set bits outside [off, off+n), which setBits must
// not touch on a zeroed buffer.
func countZeroBits(b []byte, off uint64, n uint) int {
	c := 0
	for p := uint64(0); p < uint64(len(b))*8; p++ {
		if (p < off || p >= off+uint64(n)) && b[p>>3]&(0x80>>(p&7)) != 0 {
			c++
		}
	}
	return c
}

func TestCountBitsAndFindBit(t *testing.T) {
	b := []byte{0xff, 0xf0, 0x00, 0x0f}
	require.Equal(t, int64(16), countBits(b, 0, 31))
	require.Equal(t, int64(4), countBits(b, 8, 15))
	require.Equal(t, int64(3), countBits(b, 9, 12))
	require.Equal(t, int64(1), countBits(b, 7, 7))
	require.Equal(t, int64(12), findBit(b, 0, 31, false))
	require.Equal(t, int64(28), findBit(b, 16, 31, true))
	require.Equal(t, int64(-1), findBit(b, 16, 27, true))
	require.Equal(t, int64(-1), findBit(b, 0, 11, false))
}

func TestStringEncodingRules(t *testing.T) {
	enc := func(v string, raw, notInt bool) string {
		return StringEncoding(&keyspace.Entry{Value: []byte(v), Raw: raw, NotInt: notInt})
	}
	require.Equal(t, "int", enc("12345", false, false))
	require.Equal(t, "int", enc("-9223372036854775808", false, false))
	require.Equal(t, "embstr", enc("9223372036854775808", false, false))
	require.Equal(t, "embstr", enc("0012", false, false))
	require.Equal(t, "embstr", enc("3", false, true))
	require.Equal(t, "raw", enc("3", true, false))
	require.Equal(t, "embstr", enc(string(make([]byte, 44)), false, false))
	require.Equal(t, "raw", enc(string(make([]byte, 45)), false, false))
}
