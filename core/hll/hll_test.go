package hll

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func add(t *testing.T, b []byte, max int, eles ...string) []byte {
	t.Helper()
	for _, e := range eles {
		var r int
		b, r = Add(b, []byte(e), max)
		require.NotEqual(t, -1, r)
	}
	return b
}

// Values checked against redis-server 7.0.15.
func TestRedisValues(t *testing.T) {
	b := add(t, New(), 3000, "hello")
	require.Equal(t, "Z:9216 v:1,1 Z:7167", Decode(b))

	b = New()
	for i := 1; i <= 1000; i++ {
		b = add(t, b, 3000, strconv.Itoa(i))
	}
	require.True(t, IsSparse(b))
	n, ok := Count(b)
	require.True(t, ok)
	require.Equal(t, uint64(1001), n)

	b = New()
	for i := 20000; i < 120000; i++ {
		b = add(t, b, 3000, "el"+strconv.Itoa(i))
	}
	require.False(t, IsSparse(b))
	require.Len(t, b, DenseSize)
	n, _ = Count(b)
	require.Equal(t, uint64(100325), n)
}

func TestNewAndCache(t *testing.T) {
	b := New()
	require.Equal(t, "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff", string(b))
	require.True(t, Valid(b))
	c, ok := Cached(b)
	require.True(t, ok)
	require.Zero(t, c)
	Invalidate(b)
	_, ok = Cached(b)
	require.False(t, ok)
	SetCached(b, 42)
	c, ok = Cached(b)
	require.True(t, ok)
	require.Equal(t, uint64(42), c)
}

func TestValid(t *testing.T) {
	require.False(t, Valid([]byte("HYLL")))
	require.False(t, Valid([]byte("HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	require.False(t, Valid([]byte("HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	require.False(t, Valid([]byte("HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00")))
	d := make([]byte, DenseSize)
	copy(d, "HYLL")
	require.True(t, Valid(d))
}

// Sparse and dense forms of the same registers agree on every register
// and on the estimate, whichever way they were built.
func TestSparseDenseAgree(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1000, 3000} {
		sp := New()
		dn, ok := ToDense(New())
		require.True(t, ok)
		for i := 0; i < n; i++ {
			e := "k" + strconv.Itoa(i*7)
			sp = add(t, sp, 1<<30, e)
			dn = add(t, dn, 1<<30, e)
		}
		require.True(t, IsSparse(sp))
		conv, ok := ToDense(sp)
		require.True(t, ok)
		require.Equal(t, DenseRegisters(dn), DenseRegisters(conv), "n=%d", n)
		c1, ok1 := Count(sp)
		c2, ok2 := Count(dn)
		require.True(t, ok1 && ok2)
		require.Equal(t, c1, c2)
		var m Max
		require.True(t, m.Merge(sp))
		require.Equal(t, c1, m.Count())
	}
}

func TestPromotionBySize(t *testing.T) {
	b := New()
	for i := 0; i < 5000 && IsSparse(b); i++ {
		b = add(t, b, 300, strconv.Itoa(i))
		if IsSparse(b) {
			require.LessOrEqual(t, len(b), 300)
		}
	}
	require.False(t, IsSparse(b))
}

func TestCorrupt(t *testing.T) {
	b := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe")
	_, ok := Count(b)
	require.False(t, ok)
	_, ok = ToDense(b)
	require.False(t, ok)
	var m Max
	require.False(t, m.Merge(b))
	// Index 16383 is past the code: Set reports corruption.
	_, r := Set(b, Registers-1, 3, 3000)
	require.Equal(t, -1, r)
}

func TestMurmur(t *testing.T) {
	// The empty input hashes to a function of the seed alone.
	require.Equal(t, Murmur64A(nil, seed), Murmur64A([]byte{}, seed))
	require.NotEqual(t, Murmur64A([]byte("a"), seed), Murmur64A([]byte("b"), seed))
	idx, cnt := patLen([]byte("hello"))
	require.Equal(t, 9216, idx)
	require.Equal(t, uint8(1), cnt)
}

func BenchmarkAddSparse(b *testing.B) {
	h := New()
	for i := 0; i < b.N; i++ {
		h, _ = Add(h, []byte(strconv.Itoa(i%500)), 3000)
	}
}

func BenchmarkCountDense(b *testing.B) {
	h, _ := ToDense(New())
	for i := 0; i < 10000; i++ {
		h, _ = Add(h, []byte(strconv.Itoa(i)), 3000)
	}
	for i := 0; i < b.N; i++ {
		Count(h)
	}
}

// TestMergeDense checks the grouped dense merge against register-by-
// register reads, on random registers and a random starting maximum.
func TestMergeDense(t *testing.T) {
	b, ok := ToDense(New())
	require.True(t, ok)
	r := b[HdrSize:]
	var m, want Max
	for i := 0; i < Registers; i++ {
		setReg(r, i, uint8(rand.Intn(regMax+1)))
		m[i] = uint8(rand.Intn(regMax + 1))
	}
	for i := range want {
		want[i] = max(m[i], getReg(r, i))
	}
	require.True(t, m.Merge(b))
	require.Equal(t, want, m)
}
