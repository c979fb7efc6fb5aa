package lualib

import (
	"errors"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// Fuzz targets for the decoders scripts feed with bytes from anywhere
// (keys, arguments): cjson.decode, cmsgpack.unpack and struct.unpack.
// Each must answer every input with a value or a Lua error; a Go panic
// (which gopher-lua's pcall would report as an error too) or an attempt
// to build a value over the limits fails the target.

// fuzzState is one interpreter per fuzzing process, with the libraries
// and a 64 MB limit on the values a call may build.
type fuzzState struct {
	L  *lua.LState
	fn map[string]*lua.LFunction
}

var errFuzzLimit = errors.New("over the limit")

func newFuzzState(tb testing.TB) *fuzzState {
	L := lua.NewState(lua.Options{RegistrySize: 1024, RegistryMaxSize: 1024 * 1024, CallStackSize: 20000})
	tb.Cleanup(L.Close)
	SetLimits(L, &Limits{MaxBytes: 64 << 20, Exceeded: func(L *lua.LState, n int64) { L.RaiseError("%v", errFuzzLimit) }})
	OpenCJSON(L)
	OpenCMsgpack(L)
	OpenStruct(L)
	st := &fuzzState{L: L, fn: map[string]*lua.LFunction{}}
	for name, code := range map[string]string{
		// Decode, then encode what came out and decode that again: the
		// round trip must not fail where the first decode succeeded.
		"cjson": `local s = ... local v = cjson.decode(s)
			local ok, e = pcall(cjson.encode, v)
			if ok then cjson.decode(e) end`,
		"cmsgpack": `local s = ... local r = {cmsgpack.unpack(s)}
			if #r > 0 then cmsgpack.unpack(cmsgpack.pack(unpack(r))) end
			cmsgpack.unpack_one(s) cmsgpack.unpack_limit(s, 2, 1)`,
		"struct": `local f, s = ... local r = {struct.unpack(f, s)}
			pcall(struct.size, f)
			pcall(struct.pack, f, unpack(r, 1, #r - 1))`,
	} {
		fn, err := L.LoadString(code)
		if err != nil {
			tb.Fatal(err)
		}
		st.fn[name] = fn
	}
	return st
}

// run calls the named snippet; Lua errors are fine, Go panics are not.
func (st *fuzzState) run(t *testing.T, name string, args ...string) {
	L := st.L
	L.Push(st.fn[name])
	for _, a := range args {
		L.Push(lua.LString(a))
	}
	err := L.PCall(len(args), 0, nil)
	L.SetTop(0)
	var ae *lua.ApiError
	if errors.As(err, &ae) && ae.Type == lua.ApiErrorPanic {
		t.Fatalf("%s %q: Go panic: %v", name, args, err)
	}
}

func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2.5,"x",true,false,null],"b":{"c":{}}}`, `[]`, `"\u00e9\ud83d\ude00"`, `-1e308`, `1E+2`,
		`[1,2`, `{"a":`, `"\u12`, `"\ud800"`, `[[[[[[[[[[`, `{"a":1,}`, ` [ 1 , 2 ] `, `0x10`, `nan`, `"\/\b\f\n\r\t"`,
	} {
		f.Add(s)
	}
	st := newFuzzState(f)
	f.Fuzz(func(t *testing.T, s string) { st.run(t, "cjson", s) })
}

func FuzzCMsgpackUnpack(f *testing.F) {
	for _, s := range []string{
		"\x93\x01\xa1a\xc3", "\x82\xa1a\x01\xa1b\x92\xc0\xc2", "\xcb\x40\x09\x21\xfb\x54\x44\x2d\x18", "\xd3\x80\x00\x00\x00\x00\x00\x00\x00",
		"\xdc\xff\xff", "\xdd\xff\xff\xff\xff", "\xdf\xff\xff\xff\xff", "\xdb\xff\xff\xff\xffabc", "\xc6\x7f\xff\xff\xff",
		"\x91\x91\x91\x91\x91\x01", "\xd9\x03abc\x01\x02", "\xc7\x01\x01a", "\xca\x7f\x80\x00\x00",
	} {
		f.Add(s)
	}
	st := newFuzzState(f)
	f.Fuzz(func(t *testing.T, s string) { st.run(t, "cmsgpack", s) })
}

func FuzzStructUnpack(f *testing.F) {
	for _, s := range [][2]string{
		{">i4", "\x00\x00\x00\x01"}, {"<hHbBlL", "0123456789abcdefghijklmnop"}, {"!4 i2 c3 s", "abcdefghi\x00jk"},
		{"c0", "abc"}, {"i17", "x"}, {"c2147483647", "x"}, {"c4294967296", "x"}, {"!17i", "abcd"}, {"dfx", "12345678901234"},
		{"Bc0", "\x03abc"}, {"T", "12345678"}, {"=<>!", ""},
	} {
		f.Add(s[0], s[1])
	}
	st := newFuzzState(f)
	f.Fuzz(func(t *testing.T, format, data string) {
		if len(format) > 64 { // formats are code, not data: keep the run short
			format = format[:64]
		}
		st.run(t, "struct", format, data)
	})
}
