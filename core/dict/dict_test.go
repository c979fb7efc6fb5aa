package dict

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetGetDelete(t *testing.T) {
	d := New[int]()
	for i := 0; i < 1000; i++ {
		require.True(t, d.Set(strconv.Itoa(i), i))
	}
	require.False(t, d.Set("5", 55))
	require.Equal(t, 1000, d.Len())
	require.Equal(t, 55, *d.Get("5"))
	require.Nil(t, d.Get("nope"))
	for i := 0; i < 990; i++ {
		require.True(t, d.Delete(strconv.Itoa(i)))
	}
	require.False(t, d.Delete("1"))
	require.Equal(t, 10, d.Len())
	require.LessOrEqual(t, d.Buckets(), 128, "table shrinks")
}

// Every element present for the whole scan is returned, even when the table
// grows and shrinks between cursor calls.
func TestScanSurvivesResize(t *testing.T) {
	d := New[struct{}]()
	for i := 0; i < 500; i++ {
		d.Set("k"+strconv.Itoa(i), struct{}{})
	}
	seen := map[string]bool{}
	var cursor uint64
	step := 0
	for {
		cursor = d.Scan(cursor, func(k string, _ *struct{}) { seen[k] = true })
		step++
		switch step {
		case 10: // grow
			for i := 0; i < 3000; i++ {
				d.Set("x"+strconv.Itoa(i), struct{}{})
			}
		case 400: // shrink
			for i := 0; i < 3000; i++ {
				d.Delete("x" + strconv.Itoa(i))
			}
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 500; i++ {
		require.True(t, seen["k"+strconv.Itoa(i)], "k%d missed", i)
	}
}

func TestRandom(t *testing.T) {
	d := New[int]()
	_, _, ok := d.Random()
	require.False(t, ok)
	d.Set("a", 1)
	d.Set("b", 2)
	got := map[string]bool{}
	for i := 0; i < 200; i++ {
		k, v, ok := d.Random()
		require.True(t, ok)
		require.Equal(t, map[string]int{"a": 1, "b": 2}[k], *v)
		got[k] = true
	}
	require.Len(t, got, 2)
}

func TestSample(t *testing.T) {
	d := New[int]()
	d.Sample(5, func(string, *int) { t.Fatal("sampled an empty dict") })
	for i := 0; i < 1000; i++ {
		d.Set(strconv.Itoa(i), i)
	}
	seen := map[string]int{}
	for round := 0; round < 2000; round++ {
		n := 0
		d.Sample(5, func(k string, v *int) {
			if strconv.Itoa(*v) != k {
				t.Fatalf("key %q holds %d", k, *v)
			}
			seen[k]++
			n++
		})
		if n == 0 || n > 5 {
			t.Fatalf("sampled %d elements, want 1..5", n)
		}
	}
	// 2,000 rounds of up to 5 from 1,000 keys: nearly all are reached.
	if len(seen) < 900 {
		t.Fatalf("only %d distinct keys sampled", len(seen))
	}
}
