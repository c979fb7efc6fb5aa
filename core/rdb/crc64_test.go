package rdb

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// crc64Bitwise is the definition: one bit at a time, reflected.
func crc64Bitwise(crc uint64, p []byte) uint64 {
	for _, b := range p {
		crc ^= uint64(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ crc64Poly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

func TestCRC64Vector(t *testing.T) {
	require.Equal(t, uint64(0xe9c6d914c4b8d9ca), CRC64(0, []byte("123456789")))
	require.Equal(t, uint64(0), CRC64(0, nil))
}

// The slicing-by-8 path agrees with the bit-by-bit definition at every
// length and alignment, and CRC64 can be continued across pieces.
func TestCRC64MatchesDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 300)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := 0; n <= len(buf); n++ {
		for off := 0; off < 8 && off <= n; off++ {
			p := buf[off:n]
			want := crc64Bitwise(0, p)
			require.Equal(t, want, CRC64(0, p), "len %d off %d", len(p), off)
			cut := len(p) / 3
			require.Equal(t, want, CRC64(CRC64(0, p[:cut]), p[cut:]))
		}
	}
}

func BenchmarkCRC64(b *testing.B) {
	p := make([]byte, 64<<10)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		CRC64(0, p)
	}
}
