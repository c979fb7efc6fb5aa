package rdbvalue

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
)

var defaultLimits = Limits{
	HashMaxListpackEntries: 128, HashMaxListpackValue: 64,
	SetMaxIntsetEntries:    512,
	ZSetMaxListpackEntries: 128, ZSetMaxListpackValue: 64,
}

func TestListpackEncodings(t *testing.T) {
	// Known encodings of single entries (encoding+data, then backlen).
	for _, tc := range []struct {
		in   string
		want []byte
	}{
		{"0", []byte{0x00, 1}},
		{"127", []byte{0x7f, 1}},
		{"128", []byte{0xC0, 0x80, 2}},
		{"-1", []byte{0xDF, 0xFF, 2}},
		{"-4096", []byte{0xD0, 0x00, 2}},
		{"4096", []byte{0xF1, 0x00, 0x10, 3}},
		{"-32769", []byte{0xF2, 0xFF, 0x7F, 0xFF, 4}},
		{"8388608", []byte{0xF3, 0x00, 0x00, 0x80, 0x00, 5}},
		{"2147483648", []byte{0xF4, 0, 0, 0, 0x80, 0, 0, 0, 0, 9}},
		{"", []byte{0x80, 1}},
		{"ab", []byte{0x82, 'a', 'b', 3}},
		{"01", []byte{0x82, '0', '1', 3}},
		{"-0", []byte{0x82, '-', '0', 3}},
	} {
		b := NewListpack(0)
		b.Append([]byte(tc.in))
		lp := b.Finish()
		require.Equal(t, tc.want, lp[6:len(lp)-1], "entry %q", tc.in)
	}
	// Multi-byte backlens around their thresholds.
	for _, n := range []int{62, 63, 64, 125, 126, 127, 128, 4093, 4094, 4095, 4096, 16377, 16378, 16379, 70000} {
		s := strings.Repeat("x", n)
		b := NewListpack(0)
		b.Append([]byte(s))
		b.Append([]byte("12"))
		lp := b.Finish()
		var got []string
		c, err := WalkListpack(lp, func(e LPEntry) error {
			got = append(got, string(e.AppendTo(nil)))
			return nil
		})
		require.NoError(t, err, "len %d", n)
		require.Equal(t, 2, c)
		require.Equal(t, []string{s, "12"}, got)
	}
}

func TestListpackRoundTripInts(t *testing.T) {
	vals := []int64{0, 1, 127, 128, -1, 4095, 4096, -4096, -4097, 32767, 32768, -32768, -32769,
		1<<23 - 1, 1 << 23, -1 << 23, -1<<23 - 1, math.MaxInt32, math.MaxInt32 + 1, math.MinInt32,
		math.MinInt32 - 1, math.MaxInt64, math.MinInt64}
	b := NewListpack(0)
	for _, v := range vals {
		b.AppendInt(v)
	}
	var got []int64
	_, err := WalkListpack(b.Finish(), func(e LPEntry) error {
		require.True(t, e.IsInt)
		got = append(got, e.Int)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, vals, got)
}

func TestListpackRejectsMalformed(t *testing.T) {
	b := NewListpack(0)
	b.Append([]byte("hello"))
	b.AppendInt(1000)
	lp := b.Finish()
	_, err := WalkListpack(lp, nil)
	require.NoError(t, err)
	for i := range lp {
		for _, delta := range []byte{1, 0x80, 0xff} {
			bad := bytes.Clone(lp)
			bad[i] += delta
			n, err := WalkListpack(bad, nil)
			// Some mutations stay valid (a different 7-bit value, ...)
			// but must then decode the same number of entries.
			if err == nil {
				require.Equal(t, 2, n, "mutation at %d", i)
			}
		}
	}
	for n := 0; n < len(lp); n++ {
		_, err := WalkListpack(lp[:n], nil)
		require.Error(t, err)
	}
}

func TestIntset(t *testing.T) {
	for _, vals := range [][]int64{{1, 2, 3}, {-32768, 32767}, {-70000, 5}, {math.MinInt64, 0, math.MaxInt64}} {
		blob := AppendIntset(nil, vals)
		got, err := DecodeIntset(blob)
		require.NoError(t, err)
		require.Equal(t, vals, got)
	}
	require.Equal(t, []byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0xff, 0x7f}, AppendIntset(nil, []int64{1, 32767}))
	require.Equal(t, uint8(4), AppendIntset(nil, []int64{1, 32768})[0])
	for _, bad := range [][]byte{
		{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0},    // not ascending
		{2, 0, 0, 0, 2, 0, 0, 0, 1, 0},          // short
		{3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0},       // width 3
		{2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1}, // huge count
		{2, 0, 0},
	} {
		_, err := DecodeIntset(bad)
		require.Error(t, err, "%v", bad)
	}
}

func TestZiplist(t *testing.T) {
	// A ziplist holding "a", 12, 300, "hello" and the immediate 5, built
	// by hand: prevlen, encoding, data.
	entries := [][]byte{
		{0x01, 'a'},
		{0xFE, 12},
		{0xC0, 0x2c, 0x01},
		{0x05, 'h', 'e', 'l', 'l', 'o'},
		{0xF6},
	}
	var body []byte
	prev, tail := 0, 0
	for _, e := range entries {
		tail = 10 + len(body)
		body = append(body, byte(prev))
		body = append(body, e...)
		prev = 1 + len(e)
	}
	zl := make([]byte, 10, 11+len(body))
	zl = append(zl, body...)
	zl = append(zl, 0xFF)
	zl[0] = byte(len(zl))
	zl[4] = byte(tail)
	zl[8] = byte(len(entries))
	var got []string
	n, err := WalkZiplist(zl, func(e LPEntry) error {
		got = append(got, string(e.AppendTo(nil)))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, 5, n)
	require.Equal(t, []string{"a", "12", "300", "hello", "5"}, got)
	zl[11] = 9 // wrong prevlen of the second entry
	_, err = WalkZiplist(zl, nil)
	require.Error(t, err)
}

func TestD2String(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{1, "1"}, {-3, "-3"}, {0, "0"}, {math.Copysign(0, -1), "-0"}, {2.5, "2.5"}, {0.1, "0.10000000000000001"},
		{1e20, "1e+20"}, {4503599627370496, "4503599627370496"}, {4503599627370495, "4503599627370495"},
		{-4503599627370495, "-4503599627370495"}, {-4503599627370496, "-4503599627370496"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {1e-7, "9.9999999999999995e-08"},
	} {
		require.Equal(t, tc.want, string(D2String(nil, tc.v)), "%v", tc.v)
	}
}

// roundTrip dumps v, verifies the footer and loads it back.
func roundTrip(t *testing.T, v any, lim Limits) any {
	t.Helper()
	p, err := Dump(v, Options{Compress: true, ListFill: -2})
	require.NoError(t, err)
	_, err = rdb.VerifyPayload(p, false)
	require.NoError(t, err)
	got, err := Load(p, lim)
	require.NoError(t, err)
	return got
}

func TestRoundTripTypes(t *testing.T) {
	require.Equal(t, []byte("hello"), roundTrip(t, []byte("hello"), defaultLimits))
	long := bytes.Repeat([]byte("abc"), 1000)
	require.Equal(t, long, roundTrip(t, long, defaultLimits))

	l := keyspace.NewList()
	for i := range 20000 {
		l.PushBack([]byte(strconv.Itoa(i * 37)))
		if i%100 == 0 {
			l.PushBack(bytes.Repeat([]byte{'z'}, 9000))
		}
	}
	gl := roundTrip(t, l, defaultLimits).(*keyspace.List)
	require.Equal(t, l.Len(), gl.Len())
	a, b := l.Iter(0, false), gl.Iter(0, false)
	for a.Next() && b.Next() {
		require.Equal(t, a.Value(), b.Value())
	}

	h := keyspace.NewHash()
	for i := range 300 {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte(strconv.Itoa(i)), 128, 64)
	}
	gh := roundTrip(t, h, defaultLimits).(*keyspace.Hash)
	require.Equal(t, "hashtable", gh.Encoding())
	require.Equal(t, 300, gh.Len())
	v, ok := gh.Get([]byte("f299"))
	require.True(t, ok)
	require.Equal(t, "299", string(v))

	s := keyspace.NewSet()
	for i := range 1000 {
		s.Add([]byte(strconv.Itoa(i-500)), 512)
	}
	gs := roundTrip(t, s, defaultLimits).(*keyspace.Set)
	require.Equal(t, "hashtable", gs.Encoding())
	require.Equal(t, 1000, gs.Len())
	small := keyspace.NewSet()
	small.Add([]byte("-5"), 512)
	small.Add([]byte("70000"), 512)
	gss := roundTrip(t, small, defaultLimits).(*keyspace.Set)
	require.Equal(t, []int64{-5, 70000}, gss.Ints())

	z := keyspace.NewZSet(false)
	z.Insert("a", math.Inf(-1), 128, 64)
	z.Insert("b", 1.5, 128, 64)
	z.Insert("c", math.Inf(1), 128, 64)
	gz := roundTrip(t, z, defaultLimits).(*keyspace.ZSet)
	require.Equal(t, "listpack", gz.Encoding())
	sc, _ := gz.Score("c")
	require.True(t, math.IsInf(sc, 1))
	// A skiplist small enough comes back as a listpack, as in Redis.
	z2 := keyspace.NewZSet(true)
	z2.Insert("x", 1, 128, 64)
	require.Equal(t, "listpack", roundTrip(t, z2, defaultLimits).(*keyspace.ZSet).Encoding())
}

func TestLoadRejects(t *testing.T) {
	for name, body := range map[string][]byte{
		"empty":        {},
		"unknown type": {8, 1, 'x'},
		"empty list":   {TypeListQuicklist2, 0},
		"empty set":    {TypeSet, 0},
		"dup set":      {TypeSet, 2, 1, 'a', 1, 'a'},
		"huge count":   {TypeList, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 'a'},
		"huge string":  {TypeString, 0x80, 0xff, 0xff, 0xff, 0xff},
		"huge lzf":     {TypeString, 0xC3, 2, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 'a'},
		"stream":       {TypeStreamListpacks2},
	} {
		_, err := Load(rdb.AppendFooter(body), defaultLimits)
		require.Error(t, err, name)
	}
}

// FuzzRestore loads arbitrary payloads: Load must never panic, and a
// value it accepts must dump and load again to an equal payload.
func FuzzRestore(f *testing.F) {
	seeds := []any{[]byte("hello"), []byte("12345"), bytes.Repeat([]byte("ab"), 40)}
	l := keyspace.NewList()
	for _, s := range []string{"a", "1", "-70000", "", "xyz"} {
		l.PushBack([]byte(s))
	}
	h := keyspace.NewHash()
	h.Set([]byte("f"), []byte("v"), 128, 64)
	h.Set([]byte("n"), []byte("300"), 128, 64)
	s := keyspace.NewSet()
	s.Add([]byte("7"), 512)
	s.Add([]byte("-7"), 512)
	sh := keyspace.NewSet()
	sh.Add([]byte("a"), 512)
	z := keyspace.NewZSet(false)
	z.Insert("m", 2.5, 128, 64)
	z.Insert("n", 3, 128, 64)
	zs := keyspace.NewZSet(true)
	zs.Insert("m", -1, 128, 64)
	seeds = append(seeds, l, h, s, sh, z, zs, testStream(), keyspace.NewStream())
	for _, v := range seeds {
		p, err := Dump(v, Options{Compress: true, ListFill: -2})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p[:len(p)-10])
	}
	f.Add([]byte{TypeList, 2, 1, 'a', 0xC0, 5})
	f.Add([]byte{TypeZSet, 1, 1, 'a', 3, '1', '.', '5'})
	f.Add([]byte{TypeHash, 1, 1, 'f', 1, 'v'})
	f.Fuzz(func(t *testing.T, body []byte) {
		lim := Limits{HashMaxListpackEntries: 4, HashMaxListpackValue: 8, SetMaxIntsetEntries: 4,
			ZSetMaxListpackEntries: 4, ZSetMaxListpackValue: 8}
		v, err := Load(rdb.AppendFooter(body), lim)
		if err != nil {
			return
		}
		p1, err := Dump(v, Options{Compress: true, ListFill: -2})
		if err != nil {
			t.Fatal(err)
		}
		v2, err := Load(p1, lim)
		if err != nil {
			t.Fatalf("reload of %x: %v", p1, err)
		}
		p2, err := Dump(v2, Options{Compress: true, ListFill: -2})
		if err != nil {
			t.Fatal(err)
		}
		// Hashtable sets and hashes may iterate in another order.
		if e, ok := v.(keyspace.Typed); ok && e.Encoding() == "hashtable" {
			if len(p1) != len(p2) {
				t.Fatalf("payload size changed: %d -> %d", len(p1), len(p2))
			}
			return
		}
		if !bytes.Equal(p1, p2) {
			t.Fatalf("dump not stable:\n%x\n%x", p1, p2)
		}
	})
}
