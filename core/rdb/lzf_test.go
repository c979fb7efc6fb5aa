package rdb

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// lzfInputs are inputs that exercise literal runs, short and long back
// references, the 264-byte cap, the 8 KiB window and the end-of-input rules.
func lzfInputs() [][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	rnd := func(n int) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = byte(r.Uint32())
		}
		return p
	}
	in := [][]byte{
		[]byte("a"), []byte("ab"), []byte("abc"), []byte("aaaa"),
		[]byte(strings.Repeat("a", 21)),
		[]byte(strings.Repeat("a", 1000)),
		[]byte(strings.Repeat("abcdefgh", 100)),
		[]byte(strings.Repeat("hello world ", 50)),
		rnd(10), rnd(33), rnd(1000), rnd(20000),
		append(rnd(9000), rnd(100)...),
	}
	x := rnd(19)
	in = append(in, append(append([]byte("Z"), x...), x...)) // match to the end
	y := rnd(20)
	in = append(in, append(append([]byte("Z"), y...), y...))
	far := rnd(100)
	in = append(in, append(append(append([]byte(nil), far...), rnd(8200)...), far...))
	var sb strings.Builder
	for i := range 2000 {
		sb.WriteString(strings.Repeat(string(rune('a'+i%26)), i%40))
	}
	in = append(in, []byte(sb.String()))
	return in
}

func TestLZFRoundTrip(t *testing.T) {
	for _, p := range lzfInputs() {
		c := CompressLZF(p, len(p)+len(p)/32+8)
		require.NotNil(t, c, "len %d", len(p))
		d, err := DecompressLZF(c, len(p))
		require.NoError(t, err)
		require.True(t, bytes.Equal(p, d), "len %d", len(p))
	}
}

// With a tight limit compression either fits or returns nil; never a
// longer output.
func TestLZFLimit(t *testing.T) {
	for _, p := range lzfInputs() {
		for _, lim := range []int{0, 1, 2, 3, len(p) / 2, len(p) - 4, len(p)} {
			c := CompressLZF(p, lim)
			if c == nil {
				continue
			}
			require.LessOrEqual(t, len(c), lim)
			d, err := DecompressLZF(c, len(p))
			require.NoError(t, err)
			require.Equal(t, p, d)
		}
	}
	require.Nil(t, CompressLZF(nil, 10))
}

func TestLZFKnownStreams(t *testing.T) {
	// 30 × "a", as redis-server 7.0 stores it (DUMP of SET k aaa...):
	// "aa", 26 bytes from distance 1, "aa" (the last two bytes are never
	// matched).
	c := CompressLZF([]byte(strings.Repeat("a", 30)), 26)
	require.Equal(t, []byte{0x01, 'a', 'a', 0xe0, 0x11, 0x00, 0x01, 'a', 'a'}, c)
	d, err := DecompressLZF(c, 30)
	require.NoError(t, err)
	require.Equal(t, strings.Repeat("a", 30), string(d))
}

func TestLZFMalformed(t *testing.T) {
	bad := []struct {
		src []byte
		n   int
	}{
		{nil, 1},                      // nothing
		{[]byte{0x00}, 1},             // literal without its byte
		{[]byte{0x01, 'a'}, 2},        // literal short of input
		{[]byte{0x00, 'a'}, 2},        // short of n
		{[]byte{0x00, 'a', 'b'}, 2},   // trailing bytes
		{[]byte{0x00, 'a', 0x20}, 4},  // back reference without offset
		{[]byte{0x00, 'a', 0xe0}, 20}, // long reference without length
		{[]byte{0x00, 'a', 0xe0, 1}, 20},
		{[]byte{0x00, 'a', 0x20, 0x01}, 4}, // before the start
		{[]byte{0x20, 0x00}, 3},            // reference into nothing
		{[]byte{0x1f, 'a'}, 32},
		{[]byte{0x00, 'a', 0x20, 0x00}, 3}, // overflows n
		{[]byte{0x00, 'a'}, 1 << 40},       // absurd n: no huge allocation
		{[]byte{0x00, 'a'}, -1},
	}
	for _, b := range bad {
		_, err := DecompressLZF(b.src, b.n)
		require.ErrorIs(t, err, ErrLZF, "%x n=%d", b.src, b.n)
	}
	d, err := DecompressLZF(nil, 0)
	require.NoError(t, err)
	require.Empty(t, d)
}

// FuzzLZF: decompress(compress(x)) == x, and decompressing arbitrary bytes
// to any length returns data or ErrLZF, never panics.
func FuzzLZF(f *testing.F) {
	for _, p := range lzfInputs() {
		if len(p) < 2000 {
			f.Add(p, uint16(len(p)))
		}
	}
	f.Add([]byte{0xe0, 0xff, 0x00}, uint16(300))
	f.Fuzz(func(t *testing.T, p []byte, n uint16) {
		if c := CompressLZF(p, len(p)+len(p)/16+4); len(p) > 0 {
			if c == nil {
				t.Fatalf("incompressible within bound: len %d", len(p))
			}
			d, err := DecompressLZF(c, len(p))
			if err != nil || !bytes.Equal(d, p) {
				t.Fatalf("round trip failed: %v", err)
			}
		}
		if c := CompressLZF(p, int(n)); c != nil && len(c) > int(n) {
			t.Fatalf("output %d over limit %d", len(c), n)
		}
		if d, err := DecompressLZF(p, int(n)); err == nil && len(d) != int(n) {
			t.Fatalf("decompressed %d bytes, want %d", len(d), n)
		}
	})
}

func BenchmarkCompressLZF(b *testing.B) {
	p := []byte(strings.Repeat("redis.register_function('f', function() return 1 end)\n", 40))
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		CompressLZF(p, len(p)-4)
	}
}
