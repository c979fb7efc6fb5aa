package rdb

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAppendLen(t *testing.T) {
	cases := []struct {
		n    uint64
		want []byte
	}{
		{0, []byte{0x00}},
		{63, []byte{0x3f}},
		{64, []byte{0x40, 0x40}},
		{16383, []byte{0x7f, 0xff}},
		{16384, []byte{0x80, 0x00, 0x00, 0x40, 0x00}},
		{math.MaxUint32, []byte{0x80, 0xff, 0xff, 0xff, 0xff}},
		{math.MaxUint32 + 1, []byte{0x81, 0, 0, 0, 1, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		got := AppendLen(nil, c.n)
		require.Equal(t, c.want, got, "n=%d", c.n)
		n, enc, err := NewReader(got).ReadLen()
		require.NoError(t, err)
		require.False(t, enc)
		require.Equal(t, c.n, n)
	}
}

func TestReadLenErrors(t *testing.T) {
	for _, p := range [][]byte{nil, {0x40}, {0x80, 1, 2, 3}, {0x81, 1, 2, 3, 4, 5, 6, 7}} {
		_, _, err := NewReader(p).ReadLen()
		require.ErrorIs(t, err, ErrTruncated, "%x", p)
	}
	for _, b := range []byte{0x82, 0x90, 0xbf} {
		_, _, err := NewReader([]byte{b, 0, 0, 0, 0, 0, 0, 0, 0}).ReadLen()
		require.ErrorIs(t, err, ErrBadLength)
	}
	n, enc, err := NewReader([]byte{0xc3}).ReadLen()
	require.NoError(t, err)
	require.True(t, enc)
	require.Equal(t, uint64(EncLZF), n)
}

func TestAppendStringIntegers(t *testing.T) {
	cases := []struct {
		s    string
		want []byte
	}{
		{"0", []byte{0xc0, 0x00}},
		{"-5", []byte{0xc0, 0xfb}},
		{"127", []byte{0xc0, 0x7f}},
		{"-128", []byte{0xc0, 0x80}},
		{"128", []byte{0xc1, 0x80, 0x00}},
		{"-32768", []byte{0xc1, 0x00, 0x80}},
		{"32768", []byte{0xc2, 0x00, 0x80, 0x00, 0x00}},
		{"2147483647", []byte{0xc2, 0xff, 0xff, 0xff, 0x7f}},
		{"-2147483648", []byte{0xc2, 0x00, 0x00, 0x00, 0x80}},
		{"2147483648", append([]byte{10}, "2147483648"...)},
		{"12345678901", append([]byte{11}, "12345678901"...)},
		{"007", append([]byte{3}, "007"...)},
		{"-0", append([]byte{2}, "-0"...)},
		{"+5", append([]byte{2}, "+5"...)},
		{" 5", append([]byte{2}, " 5"...)},
		{"", []byte{0}},
		{"-", append([]byte{1}, "-"...)},
	}
	for _, c := range cases {
		got := AppendString(nil, []byte(c.s), true)
		require.Equal(t, c.want, got, "%q", c.s)
		back, err := NewReader(got).ReadString()
		require.NoError(t, err)
		require.Equal(t, c.s, string(back))
	}
}

func TestAppendStringCompression(t *testing.T) {
	s20 := []byte(strings.Repeat("a", 20))
	require.Equal(t, append([]byte{20}, s20...), AppendString(nil, s20, true), "20 bytes: never compressed")
	s21 := []byte(strings.Repeat("a", 21))
	got := AppendString(nil, s21, true)
	require.Equal(t, byte(0xc3), got[0])
	require.Equal(t, append([]byte{21}, s21...), AppendString(nil, s21, false))
	back, err := NewReader(got).ReadString()
	require.NoError(t, err)
	require.Equal(t, s21, back)

	incompressible := []byte("abcdefghijklmnopqrstuvwxyz0123456789")
	require.Equal(t, append([]byte{36}, incompressible...), AppendString(nil, incompressible, true))

	w := NewWriter(nil, true)
	w.WriteType(0)
	w.WriteString(s21)
	w.WriteLen(300)
	w.WriteRaw([]byte("xy"))
	r := NewReader(w.Bytes())
	typ, err := r.ReadType()
	require.NoError(t, err)
	require.Equal(t, byte(0), typ)
	back, err = r.ReadString()
	require.NoError(t, err)
	require.Equal(t, s21, back)
	n, _, err := r.ReadLen()
	require.NoError(t, err)
	require.Equal(t, uint64(300), n)
	raw, err := r.ReadRaw(2)
	require.NoError(t, err)
	require.Equal(t, "xy", string(raw))
	require.Equal(t, 0, r.Remaining())
	_, err = r.ReadType()
	require.ErrorIs(t, err, ErrTruncated)
}

func TestReadStringErrors(t *testing.T) {
	cases := []struct {
		p   []byte
		err error
	}{
		{nil, ErrTruncated},
		{[]byte{5, 'a'}, ErrTruncated},
		{[]byte{0x80, 0xff, 0xff, 0xff, 0xff, 'a'}, ErrTruncated},
		{[]byte{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, ErrTruncated},
		{[]byte{0xc0}, ErrTruncated},
		{[]byte{0xc1, 1}, ErrTruncated},
		{[]byte{0xc2, 1, 2, 3}, ErrTruncated},
		{[]byte{0xc3}, ErrTruncated},
		{[]byte{0xc3, 0x05}, ErrTruncated},
		{[]byte{0xc3, 0x05, 0x0a, 1, 2}, ErrTruncated},
		{[]byte{0xc3, 0x02, 0x0a, 0x00, 'a'}, ErrLZF},
		{[]byte{0xc3, 0x00, 0x0a}, ErrLZF},
		{[]byte{0xc3, 0x02, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 'a'}, ErrLZF},
		{[]byte{0xc4}, ErrBadEncoding},
		{[]byte{0xff}, ErrBadEncoding},
		{[]byte{0x82}, ErrBadLength},
		{[]byte{0xc3, 0x82}, ErrBadLength},
	}
	for _, c := range cases {
		_, err := NewReader(c.p).ReadString()
		require.ErrorIs(t, err, c.err, "%x", c.p)
	}
	// An LZF string of original length 0 is empty whatever follows, as
	// lzf_decompress's 0 for failure equals the expected length.
	s, err := NewReader([]byte{0xc3, 0x02, 0x00, 0xff, 0xff}).ReadString()
	require.NoError(t, err)
	require.Empty(t, s)
}

func TestAppendFooter(t *testing.T) {
	p := AppendFooter(nil)
	require.Equal(t, []byte{0x0a, 0x00, 0x5d, 0x9b, 0x5c, 0x40, 0x0f, 0x7f, 0xa2, 0xda}, p, "FUNCTION DUMP of no libraries")
	v, err := VerifyPayload(p, false)
	require.NoError(t, err)
	require.Equal(t, uint16(Version), v)
}
