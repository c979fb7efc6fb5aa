package lualib

import (
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// Maps with more than one entry are compared after unpacking (canon),
// since pack writes them in table iteration order, which differs between
// PUC Lua and gopher-lua.
func TestCMsgpackAgainstRedis(t *testing.T) {
	cases := []cjsonCase{
		// pack: scalars
		{"pack nil bool", `return hex(cmsgpack.pack(nil, true, false))`},
		{"pack pos ints", `return hex(cmsgpack.pack(0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53))`},
		{"pack neg ints", `return hex(cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53))`},
		{"pack int64 edges", `return hex(cmsgpack.pack(2^63, -2^63, 2^64, 2^62, -2^62 - 1024))`},
		{"pack floats", `return hex(cmsgpack.pack(1.5, 0.1, -0.0, 0.5, -2.25, 1e-45, 3.4e38, 3.4028234663852886e38, 1e300, 5e-324))`},
		{"pack inf nan", `return hex(cmsgpack.pack(1/0, -1/0, 0/0))`},
		{"pack strings", `return hex(cmsgpack.pack('', 'a', string.rep('x', 31)))`},
		{"pack str8", `return hex(cmsgpack.pack(string.rep('x', 32))):sub(1, 8) .. hex(cmsgpack.pack(string.rep('x', 255))):sub(1, 8)`},
		{"pack str16", `return hex(cmsgpack.pack(string.rep('x', 256))):sub(1, 10) .. #cmsgpack.pack(string.rep('x', 65535))`},
		{"pack str32", `local s = cmsgpack.pack(string.rep('x', 65536)) return hex(s:sub(1, 6)) .. #s`},
		{"pack binary", `local s = {} for i = 0, 255 do s[#s+1] = string.char(i) end return hex(cmsgpack.pack(table.concat(s)))`},
		{"pack other types", `return hex(cmsgpack.pack(function() end, coroutine.create(function() end), cjson.null))`},
		{"pack no args", `return cmsgpack.pack()`},
		{"pack pcall no args", `return perr(cmsgpack.pack)`},
		{"pack many args", `return hex(cmsgpack.pack(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23))`},
		// pack: tables
		{"pack tables", `return hex(cmsgpack.pack({}, {1, 2}, {a = 1}, {1, nil, 3}, {[2] = 1}, {[1.5] = 1}, {[0] = 1}, {[-1] = 1}))`},
		{"pack fixarray 15", `local t = {} for i = 1, 15 do t[i] = i end return hex(cmsgpack.pack(t))`},
		{"pack array16", `local t = {} for i = 1, 16 do t[i] = i end return hex(cmsgpack.pack(t))`},
		{"pack array32", `local t = {} for i = 1, 65536 do t[i] = i % 3 end local s = cmsgpack.pack(t) return hex(s:sub(1, 10)) .. #s`},
		{"pack map16", `local t = {} for i = 1, 16 do t['k' .. i] = i end local s = cmsgpack.pack(t) return hex(s):sub(1, 6) .. #s .. canon(cmsgpack.unpack(s))`},
		{"pack map32", `local t = {} for i = 1, 65536 do t['k' .. i] = true end local s = cmsgpack.pack(t) return hex(s:sub(1, 5)) .. #s`},
		{"pack map round trip", `return canon(cmsgpack.unpack(cmsgpack.pack({a = 1, b = {c = 'd', e = {1, 2}}, [10] = false, [2.5] = 'x'})))`},
		{"pack nested", `return hex(cmsgpack.pack({a = {b = {}}}, {{{{1}}}}))`},
		{"pack nesting limit", `local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return hex(cmsgpack.pack(t))`},
		{"pack nesting 16", `local t = {} local c = t for i = 1, 15 do c[1] = {} c = c[1] end c[1] = 5 return hex(cmsgpack.pack(t))`},
		{"pack self reference", `local t = {} t[1] = t return hex(cmsgpack.pack(t))`},
		{"pack map key nesting", `local t = {} local c = t for i = 1, 15 do c[1] = {} c = c[1] end c[{}] = 1 return hex(cmsgpack.pack(t))`},
		{"pack big int key", `return hex(cmsgpack.pack({[2^31] = 1})) .. hex(cmsgpack.pack({1, [2^40] = 2}):sub(1, 1))`},
		{"pack inf key", `return hex(cmsgpack.pack({[1/0] = 1}))`},
		{"pack metatable ignored", `return hex(cmsgpack.pack(setmetatable({}, {__index = function() return 1 end})))`},
		// unpack
		{"unpack ints", `return show(cmsgpack.unpack(unhex('01027fcc80cd0102ce01020304ceffffffffcf0102030405060708cfffffffffffffffff')))`},
		{"unpack signed", `return show(cmsgpack.unpack(unhex('ffe0d080d1fffed2fffffffed3fffffffffffffffed38000000000000000')))`},
		{"unpack floats", `return show(cmsgpack.unpack(unhex('ca3fc00000cb3fb999999999999acbfff8000000000000ca7fc00000ca7f800000')))`},
		{"unpack nil bool", `return show(cmsgpack.unpack(unhex('c0c2c3')))`},
		{"unpack strings", `return show(cmsgpack.unpack(unhex('a0a161d90162da000163db0000000164')))`},
		{"unpack empty", `return show(cmsgpack.unpack(''))`},
		{"unpack arrays", `return show(cmsgpack.unpack(unhex('90dc0002a161a162dd00000001c0')))`},
		{"unpack maps", `return show(cmsgpack.unpack(unhex('80de000101c0df0000000102c381a16192010281900101')))`},
		{"unpack array holes", `local t = cmsgpack.unpack(unhex('93c0c001')) return canon(t)`},
		{"unpack map nil value", `return show(cmsgpack.unpack(unhex('8101c0')))`},
		{"unpack map dup key removed", `return show(cmsgpack.unpack(unhex('82a16101a161c0')))`},
		{"unpack map nil key", `return cmsgpack.unpack(unhex('81c001'))`},
		{"unpack map nan key", `return cmsgpack.unpack(unhex('81cb7ff800000000000001'))`},
		{"unpack map nil key pcall", `return perr(cmsgpack.unpack, unhex('81c001'))`},
		{"unpack round trip", `local v = {1, -1, 'x', {a = {b = {true, false}}}, 2^40, -0.25} return canon(cmsgpack.unpack(cmsgpack.pack(v))) .. show(cmsgpack.unpack(cmsgpack.pack(1, 'a', nil, 3)))`},
		{"unpack number arg", `return show(cmsgpack.unpack(123))`},
		{"unpack no arg", `return cmsgpack.unpack()`},
		{"unpack table arg", `return cmsgpack.unpack({})`},
		{"unpack missing fixed", `return cmsgpack.unpack(unhex('cd01'))`},
		{"unpack missing array", `return cmsgpack.unpack(unhex('92'))`},
		{"unpack missing str", `return cmsgpack.unpack(unhex('a3'))`},
		{"unpack missing str32", `return cmsgpack.unpack(unhex('dbffffffff'))`},
		{"unpack missing array32", `return cmsgpack.unpack(unhex('dd7fffffff'))`},
		{"unpack missing map", `return cmsgpack.unpack(unhex('8201'))`},
		{"unpack missing map32", `return cmsgpack.unpack(unhex('df7fffffff'))`},
		{"unpack missing header", `return perr(cmsgpack.unpack, unhex('d9')) .. perr(cmsgpack.unpack, unhex('da00')) .. perr(cmsgpack.unpack, unhex('dc00')) .. perr(cmsgpack.unpack, unhex('cb0000'))`},
		{"unpack bad c1", `return cmsgpack.unpack(unhex('c1'))`},
		{"unpack bad after good", `return cmsgpack.unpack(unhex('01c1'))`},
		{"unpack bad bin", `return perr(cmsgpack.unpack, unhex('c40164')) .. perr(cmsgpack.unpack, unhex('c5000165')) .. perr(cmsgpack.unpack, unhex('c60000000166'))`},
		{"unpack bad ext", `return perr(cmsgpack.unpack, unhex('d40100')) .. perr(cmsgpack.unpack, unhex('c7010100')) .. perr(cmsgpack.unpack, unhex('d8' .. string.rep('00', 17)))`},
		{"unpack bad nested", `return cmsgpack.unpack(unhex('9201c1'))`},
		{"unpack all types scan", `local o = {} for b = 0, 255 do local ok, e = pcall(cmsgpack.unpack, string.char(b) .. string.rep('\0', 8)) o[#o+1] = ok and 'k' or e:sub(1, 1) end return table.concat(o)`},
		// unpack_one / unpack_limit
		{"unpack_one", `local s = unhex('010203') return show(cmsgpack.unpack_one(s)) .. show(cmsgpack.unpack_one(s, 1)) .. show(cmsgpack.unpack_one(s, 2)) .. show(cmsgpack.unpack_one(s, 3))`},
		{"unpack_one empty", `return show(cmsgpack.unpack_one(''))`},
		{"unpack_one table", `return show(cmsgpack.unpack_one(cmsgpack.pack({1, 2}, 'x'), 0))`},
		{"unpack_one walk", `local s = cmsgpack.pack(1, {2}, 'three', nil, true) local o, off = {}, 0 while off ~= -1 do local v off, v = cmsgpack.unpack_one(s, off) o[#o+1] = canon(v) .. '@' .. off end return table.concat(o, ' ')`},
		{"unpack_one frac offset", `return show(cmsgpack.unpack_one(unhex('010203'), 1.9))`},
		{"unpack_one neg offset", `return cmsgpack.unpack_one(unhex('010203'), -1)`},
		{"unpack_one big offset", `return cmsgpack.unpack_one(unhex('01'), 5)`},
		{"unpack_one 2^32 offset", `return cmsgpack.unpack_one(unhex('010203'), 2^32 + 1)`},
		{"unpack_one str offset", `return show(cmsgpack.unpack_one(unhex('010203'), '2'))`},
		{"unpack_one bad offset", `return cmsgpack.unpack_one(unhex('01'), 'x')`},
		{"unpack_one no arg", `return cmsgpack.unpack_one()`},
		{"unpack_one bad later", `return show(cmsgpack.unpack_one(unhex('01c1'), 0)) .. perr(cmsgpack.unpack_one, unhex('01c1'), 1)`},
		{"unpack_limit", `local s = unhex('010203') return show(cmsgpack.unpack_limit(s, 2)) .. show(cmsgpack.unpack_limit(s, 2, 2)) .. show(cmsgpack.unpack_limit(s, 5, 1)) .. show(cmsgpack.unpack_limit(s, 3))`},
		{"unpack_limit zero", `local s = unhex('010203') return show(cmsgpack.unpack_limit(s, 0)) .. show(cmsgpack.unpack_limit(s, 0, 1)) .. show(cmsgpack.unpack_limit(s, 0, 3))`},
		{"unpack_limit neg", `return cmsgpack.unpack_limit(unhex('010203'), -1)`},
		{"unpack_limit frac", `return show(cmsgpack.unpack_limit(unhex('010203'), 1.9, 1.9))`},
		{"unpack_limit no limit", `return cmsgpack.unpack_limit(unhex('01'))`},
		{"unpack_limit extra args", `return show(cmsgpack.unpack_limit(unhex('0102'), 1, 0, 'x', 'y'))`},
		// Lua stack limits
		{"stack nested arrays", `return perr(cmsgpack.unpack, string.rep('\145', 3999) .. '\0') .. perr(cmsgpack.unpack, string.rep('\145', 4000) .. '\0')`},
		{"stack nested maps", `return perr(cmsgpack.unpack, string.rep('\129\0', 3999) .. '\0') .. perr(cmsgpack.unpack, string.rep('\129\0', 4000) .. '\0')`},
		{"stack arrays after values", `return perr(cmsgpack.unpack, '\0' .. string.rep('\145', 3998) .. '\0') .. perr(cmsgpack.unpack, '\0' .. string.rep('\145', 3999) .. '\0') .. perr(cmsgpack.unpack, '\0\0' .. string.rep('\145', 3999) .. '\0')`},
		{"stack extra args", `return perr(cmsgpack.unpack, string.rep('\145', 3998) .. '\0', 1, 2, 3)`},
		{"stack unpack_one", `return perr(cmsgpack.unpack_one, string.rep('\145', 3999) .. '\0', 0) .. perr(cmsgpack.unpack_one, string.rep('\145', 4000) .. '\0', 0)`},
		{"stack truncated deep", `return perr(cmsgpack.unpack, '\0' .. string.rep('\145', 3999))`},
		{"names", `local t = {} for k, v in pairs(cmsgpack) do t[#t+1] = k .. '=' .. type(v) end table.sort(t) return table.concat(t, ' ') .. cmsgpack._NAME .. cmsgpack._VERSION .. cmsgpack._COPYRIGHT .. cmsgpack._DESCRIPTION`},
	}
	cjsonRunDiff(t, cases)
}

// TestCMsgpackManyResults covers Redis's limit of about 8000 results; the
// gopher-lua state needs a registry larger than the default for them.
func TestCMsgpackManyResults(t *testing.T) {
	requireOracle(t)
	for _, c := range []cjsonCase{
		{"stack too many values", `return perr(cmsgpack.unpack, string.rep('\0', 7999)) .. perr(cmsgpack.unpack, string.rep('\0', 8000))`},
		{"pack too many args", `local t = {} for i = 1, 4001 do t[i] = 1 end return #cmsgpack.pack(unpack(t, 1, 4000)) .. perr(cmsgpack.pack, unpack(t))`},
		{"pack stack last arg", `local o = {} for _, x in ipairs({{}, {1}, {a = 1}, {{}}, {a = {}}, {[{}] = 1}, {{{}}}}) do for n = 3996, 4000 do local t = {} for i = 1, n - 1 do t[i] = 1 end t[n] = x o[#o+1] = perr(cmsgpack.pack, unpack(t)) end end return table.concat(o, ' ')`},
		{"pack stack inner arg", `local o = {} for _, x in ipairs({{a = 1}, {[{}] = 1}, {a = {}}, {a = {b = 1}}}) do for i = 3990, 3999 do local t = {} for j = 1, 4000 do t[j] = 1 end t[i] = x o[#o+1] = perr(cmsgpack.pack, unpack(t)) end end return table.concat(o, ' ')`},
		{"stack unpack_limit", `local s = string.rep('\0', 8000) return perr(cmsgpack.unpack_limit, s, 7998) .. perr(cmsgpack.unpack_limit, s, 7999) .. perr(cmsgpack.unpack_limit, s, 8000)`},
	} {
		script := cjsonPrelude + c.script
		want, err := runRedisEval(t, script)
		require.NoError(t, err)
		L := lua.NewState(lua.Options{RegistrySize: 1 << 15, CallStackSize: 1 << 10})
		OpenCJSON(L)
		OpenCMsgpack(L)
		require.NoError(t, L.DoString("return (function() "+script+" end)()"))
		require.Equal(t, want, L.Get(-1).String(), c.name)
		L.Close()
	}
}

// TestCMsgpackStandalone checks behaviour that needs no oracle.
func TestCMsgpackStandalone(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	mod := OpenCMsgpack(L)
	require.Equal(t, mod, L.GetGlobal("cmsgpack"))
	require.NoError(t, L.DoString(`
		local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))
		assert(a == 1 and b == 'two' and c[1] == 3)`))
}

// TestCMsgpackSparseKeyLimit: a map key of 20,000,000 would make
// gopher-lua fill an array part of 20 M slots (320 MB); the decoder checks
// it against the limits first (found by FuzzCMsgpackUnpack, where each such
// input took seconds and stalled the fuzzer).
func TestCMsgpackSparseKeyLimit(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	OpenCMsgpack(L)
	SetLimits(L, &Limits{MaxBytes: 64 << 20, Exceeded: func(L *lua.LState, n int64) { L.RaiseError("over the limit: %d", n) }})
	L.SetGlobal("s", lua.LString("\x81\xce\x01\x31\x2d\x00\x01"))
	err := L.DoString(`return cmsgpack.unpack(s)`)
	require.ErrorContains(t, err, "over the limit: 320000000")
	L.SetGlobal("s", lua.LString("\x81\xcd\x01\x00\x01"))
	require.NoError(t, L.DoString(`local t = cmsgpack.unpack(s) assert(t[256] == 1)`))
}
