package js

import (
	"runtime"
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// Strings made by asciiMaker are goja's own ASCII strings: the same to
// every operation as those ToValue makes, and safe across collections.
func TestASCIIMakerValues(t *testing.T) {
	r, err := newRealm(core.KindLibrary)
	require.NoError(t, err)
	require.True(t, r.ascii.ok, "the probe must recognise this goja's ASCII strings")
	check, err := r.rt.RunString(`(a, b) => [
		a === b, typeof a, a.length === b.length, a + '|' + a === b + '|' + b, ({[a]: 1})[b] === 1,
		new Set([a]).has(b), a.split('').join('') === b, JSON.stringify(a) === JSON.stringify(b),
		a.toUpperCase() === b.toUpperCase(), a.localeCompare(b), [a].includes(b), a.slice(1) === b.slice(1)]`)
	require.NoError(t, err)
	fn, ok := goja.AssertFunction(check)
	require.True(t, ok)
	var cases []string
	for _, n := range []int{0, 1, 15, 16, 17, 47, 48, 49, 5000} {
		cases = append(cases, strings.Repeat("abcdefghij", n/10+1)[:n])
	}
	cases = append(cases, "bench:key", "a\x00b\x7f")
	for i, s := range append(cases, cases...) {
		var made goja.Value
		if i < len(cases) {
			h := new(string)
			*h = s
			made = r.ascii.value(h)
		} else {
			buf := []byte(s)
			made = r.ascii.copyValue(buf)
			clear(buf) // a copy: the value does not change
		}
		ref := r.rt.ToValue(s)
		require.Equal(t, s, made.String())
		require.Equal(t, s, made.Export())
		require.True(t, made.StrictEquals(ref))
		require.True(t, ref.StrictEquals(made))
		res, err := fn(goja.Undefined(), made, ref)
		require.NoError(t, err)
		require.Equal(t, []any{true, "string", true, true, true, true, true, true, true, int64(0), true, true}, res.Export(), "%q", s)
	}
}

func TestASCIIMakerSurvivesGC(t *testing.T) {
	r, err := newRealm(core.KindLibrary)
	require.NoError(t, err)
	vals := make([]goja.Value, 0, 3000)
	for i := 0; i < 1000; i++ {
		hdrs := make([]string, 2)
		hdrs[0], hdrs[1] = strings.Repeat("x", i%40), "key:"+strings.Repeat("y", i%7)
		vals = append(vals, r.ascii.value(&hdrs[0]), r.ascii.value(&hdrs[1]), r.ascii.copyValue([]byte(strings.Repeat("z", i%70))))
	}
	runtime.GC()
	runtime.GC()
	for i := 0; i < 1000; i++ {
		require.Equal(t, strings.Repeat("x", i%40), vals[3*i].String())
		require.Equal(t, "key:"+strings.Repeat("y", i%7), vals[3*i+1].String())
		require.Equal(t, strings.Repeat("z", i%70), vals[3*i+2].String())
	}
}

func TestIsASCII(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"", true}, {"abc", true}, {"12345678", true}, {"123456789abcdefgh", true},
		{"\x80", false}, {"1234567\x80", false}, {"12345678\xff", false}, {"é", false}, {"\x7f\x00", true},
	} {
		require.Equal(t, c.want, isASCII(c.s), "%q", c.s)
	}
}
