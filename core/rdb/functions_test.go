package rdb

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

const libF1 = "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)"

// FUNCTION DUMP of libF1 from redis-server 7.0.15 (71 bytes, not
// compressible by 4 bytes, so stored raw even with rdbcompression yes).
const dumpF1 = "f5404723216c7561206e616d653d6d796c69620a72656469732e72656769737465725f66756e6374696f6e28276631272c2066756e6374696f6e28292072657475726e203120656e64290a0007500404cd92d1b3"

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// body seals b with a valid footer.
func body(b ...byte) []byte { return AppendFooter(b) }

func str(s string) []byte { return AppendString(nil, []byte(s), false) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestDumpFunctionsMatchesRedis(t *testing.T) {
	want := unhex(t, dumpF1)
	require.Equal(t, want, DumpFunctions([][]byte{[]byte(libF1)}, true))
	require.Equal(t, want, DumpFunctions([][]byte{[]byte(libF1)}, false))
	codes, err := LoadFunctions(want)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte(libF1)}, codes)

	codes, err = LoadFunctions(DumpFunctions(nil, true))
	require.NoError(t, err)
	require.Empty(t, codes)
}

func TestLoadFunctionsRoundTrip(t *testing.T) {
	in := [][]byte{
		[]byte(libF1),
		[]byte("#!lua name=big\n" + string(make([]byte, 500))),
		[]byte("#!lua name=utf\nreturn 'héllo wörld ✓ \x00\xff'"),
		[]byte("123"),
	}
	for _, compress := range []bool{false, true} {
		codes, err := LoadFunctions(DumpFunctions(in, compress))
		require.NoError(t, err)
		require.Equal(t, in, codes)
	}
}

func TestVerifyPayload(t *testing.T) {
	good := unhex(t, dumpF1)
	for _, p := range [][]byte{
		nil, []byte("x"), good[:len(good)-1], good[:9], good[len(good)-10:],
		cat(good[:len(good)-8], make([]byte, 8)), // zero CRC is not special
		body()[:9],
	} {
		_, err := VerifyPayload(p, false)
		require.Equal(t, ErrPayloadVersionOrChecksum, err, "%x", p)
	}
	newer := cat([]byte{11, 0}, AppendFooter(nil)[2:])
	_, err := VerifyPayload(newer, true)
	require.Equal(t, ErrPayloadVersionOrChecksum, err, "version 11 even without checksum")

	bad := cat(good[:len(good)-8], make([]byte, 8))
	v, err := VerifyPayload(bad, true)
	require.NoError(t, err)
	require.Equal(t, uint16(10), v)
	older := []byte{9, 0}
	older = append(older, make([]byte, 8)...)
	_, err = VerifyPayload(older, true)
	require.NoError(t, err)
	_, err = VerifyPayload(make([]byte, 10), false)
	require.NoError(t, err, "version 0 with the CRC of two zero bytes (0)")
}

// The error texts and cases below were observed with FUNCTION RESTORE on
// redis-server 7.0.15.
func TestWalkFunctionsErrors(t *testing.T) {
	lib := str(libF1)
	cases := []struct {
		name string
		p    []byte
		err  error
	}{
		{"empty", nil, ErrPayloadVersionOrChecksum},
		{"opcode 0", body(0), ErrNotAFunction},
		{"opcode 247", body(247), ErrNotAFunction},
		{"lib then opcode 0", body(cat([]byte{OpFunction2}, lib, []byte{0})...), ErrNotAFunction},
		{"opcode only", body(OpFunction2), ErrLibraryPayload},
		{"truncated len", body(OpFunction2, 0x40), ErrLibraryPayload},
		{"bad len", body(OpFunction2, 0x82), ErrLibraryPayload},
		{"enc 4", body(OpFunction2, 0xc4), ErrLibraryPayload},
		{"bad lzf", body(OpFunction2, 0xc3, 0x05, 0x0a, 0x1f, 'a', 'b', 'c', 'd'), ErrLibraryPayload},
		{"lzf clen 0", body(OpFunction2, 0xc3, 0x00, 0x0a), ErrLibraryPayload},
		{"pre-GA nothing", body(OpFunctionPreGA), ErrLibraryName},
		{"pre-GA name", body(cat([]byte{OpFunctionPreGA}, str("oldlib"))...), ErrEngineName},
		{"pre-GA engine", body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"))...), ErrLibraryBlob},
		{"pre-GA indicator", body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"), []byte{0x82})...), ErrDescriptionIndicator},
		{"pre-GA description", body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"), []byte{1})...), ErrDescription},
		{"pre-GA no blob", body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"), []byte{0})...), ErrLibraryBlob},
	}
	for _, c := range cases {
		err := WalkFunctions(c.p, false, func([]byte) error { return nil })
		require.Equal(t, c.err, err, c.name)
		_, err = LoadFunctions(c.p)
		require.Equal(t, c.err, err, c.name)
	}
}

func TestWalkFunctionsAccepts(t *testing.T) {
	load := func(p []byte) [][]byte {
		t.Helper()
		codes, err := LoadFunctions(p)
		require.NoError(t, err)
		return codes
	}
	// A string reaching into the footer is read from it and ends the walk
	// (Redis then fails to compile "ab" + 3 footer bytes, not to load).
	p := body(OpFunction2, 5, 'a', 'b')
	require.Equal(t, [][]byte{cat([]byte("ab"), p[4:7])}, load(p))
	require.Equal(t, [][]byte{{}}, load(body(OpFunction2, 0)))
	require.Equal(t, [][]byte{[]byte("5")}, load(body(OpFunction2, 0xc0, 5)))
	require.Equal(t, [][]byte{{}}, load(body(OpFunction2, 0xc3, 0x02, 0x00, 0x00, 'a')))

	code := "redis.register_function('f2', function() return 2 end)"
	want := "#!LUA name=oldlib\n" + code
	require.Equal(t, [][]byte{[]byte(want)},
		load(body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"), []byte{0}, str(code))...)))
	require.Equal(t, [][]byte{[]byte("#!lua name=oldlib\n" + code)},
		load(body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("lua"), []byte{1}, str("a description"), str(code))...)))
	require.Equal(t, [][]byte{[]byte(want)},
		load(body(cat([]byte{OpFunctionPreGA}, str("oldlib"), str("LUA"), []byte{0x40, 0x00}, str(code))...)))

	// fn's error stops the walk and is returned as is.
	stop := errors.New("stop")
	n := 0
	err := WalkFunctions(DumpFunctions([][]byte{[]byte("a"), []byte("b")}, false), false, func([]byte) error {
		n++
		return stop
	})
	require.Equal(t, stop, err)
	require.Equal(t, 1, n)

	// skipChecksum accepts a wrong CRC.
	bad := DumpFunctions([][]byte{[]byte(libF1)}, false)
	bad[len(bad)-1] ^= 1
	_, err = LoadFunctions(bad)
	require.Equal(t, ErrPayloadVersionOrChecksum, err)
	require.NoError(t, WalkFunctions(bad, true, func([]byte) error { return nil }))
}
