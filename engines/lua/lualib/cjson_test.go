package lualib

import (
	"context"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// cjsonPrelude defines helpers for snippets: num formats a number the same
// way in both Luas (inf/nan included), canon writes any value with table
// keys sorted, so that results do not depend on table iteration order
// (PUC Lua and gopher-lua iterate hash keys in different orders, so cjson
// writes object members in different orders), and hex hex-encodes a string.
const cjsonPrelude = `
local function num(x)
  if x ~= x then return 'nan' elseif x == 1/0 then return 'inf'
  elseif x == -1/0 then return '-inf' else return string.format('%.17g', x) end
end
local function str(s)
  local o = {}
  for i = 1, #s do
    local b = s:byte(i)
    if b >= 32 and b < 127 and b ~= 92 then o[#o+1] = string.char(b) else o[#o+1] = '\\' .. b end
  end
  return '"' .. table.concat(o) .. '"'
end
local function canon(v)
  local t = type(v)
  if t == 'table' then
    local keys, out = {}, {}
    for k in pairs(v) do keys[#keys+1] = k end
    table.sort(keys, function(a, b) return type(a) .. canon(a) < type(b) .. canon(b) end)
    for _, k in ipairs(keys) do out[#out+1] = canon(k) .. '=' .. canon(v[k]) end
    return '{' .. table.concat(out, ',') .. '}'
  elseif t == 'number' then return num(v)
  elseif t == 'string' then return str(v)
  elseif v == cjson.null then return 'NULL'
  else return tostring(v) end
end
local function hex(s)
  local o = {}
  for i = 1, #s do o[#o+1] = string.format('%02x', s:byte(i)) end
  return table.concat(o)
end
local function unhex(h)
  local o = {}
  for i = 1, #h, 2 do o[#o+1] = string.char(tonumber(h:sub(i, i+1), 16)) end
  return table.concat(o)
end
local function show(...)
  local o = {}
  for i = 1, select('#', ...) do o[#o+1] = canon((select(i, ...))) end
  return select('#', ...) .. ':' .. table.concat(o, ',')
end
local function perr(f, ...)
  local ok, e = pcall(f, ...)
  if ok then return 'ok' end
  return 'error: ' .. tostring(e)
end
`

// cjsonCase is one differential snippet: it must return a string or raise.
type cjsonCase struct {
	name   string
	script string
}

// cjsonRunDiff runs each snippet (with cjsonPrelude prepended) in Redis and
// in gopher-lua with cjson and cmsgpack opened, and requires the same
// result or the same error text. Redis's Lua state is reset (SCRIPT FLUSH)
// before each snippet, since configuration changes persist there.
func cjsonRunDiff(t *testing.T, cases []cjsonCase) {
	requireOracle(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			script := cjsonPrelude + c.script
			require.NoError(t, oracleClient.ScriptFlush(context.Background()).Err())
			want, wantErr := runRedisEval(t, script)
			got, gotErr := runGopherLua(t, script, OpenCJSON, OpenCMsgpack)
			if wantErr != nil {
				require.Error(t, gotErr, "redis failed with %q, gopher-lua returned %q", wantErr, cjsonShort(got))
				require.Equal(t, wantErr.Error(), gotErr.Error())
				return
			}
			require.NoError(t, gotErr, "redis returned %q", cjsonShort(want))
			require.Equal(t, want, got)
		})
	}
}

func cjsonShort(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// cjsonNest returns Lua code building a table t nested n levels deep
// through key k (an expression such as 1 or "'a'").
func cjsonNest(n, k string) string {
	return "local t = {} local c = t for i = 1, " + n + " - 1 do c[" + k + "] = {} c = c[" + k + "] end "
}

func TestCJSONAgainstRedis(t *testing.T) {
	cases := []cjsonCase{
		// encode: scalars
		{"enc nil", `return cjson.encode(nil)`},
		{"enc true", `return cjson.encode(true)`},
		{"enc false", `return cjson.encode(false)`},
		{"enc int", `return cjson.encode(42)`},
		{"enc neg", `return cjson.encode(-17)`},
		{"enc zero", `return cjson.encode(0)`},
		{"enc negzero", `return cjson.encode(-0)`},
		{"enc fraction", `return cjson.encode(0.1)`},
		{"enc third", `return cjson.encode(1/3)`},
		{"enc big", `return cjson.encode(1e20)`},
		{"enc 15 digits", `return cjson.encode(123456789012345678)`},
		{"enc 2^53", `return cjson.encode(2^53)`},
		{"enc tiny", `return cjson.encode(1.5e-300)`},
		{"enc small exp", `return cjson.encode(0.0001) .. cjson.encode(0.00001)`},
		{"enc 1e14 1e15", `return cjson.encode({1e14, 1e15, 123456789012345, 99999999999999.9})`},
		{"enc denormal", `return cjson.encode(4.9e-324)`},
		{"enc max", `return cjson.encode(1.7976931348623157e308)`},
		{"enc inf", `return cjson.encode(1/0)`},
		{"enc -inf", `return cjson.encode(-1/0)`},
		{"enc nan", `return cjson.encode(0/0)`},
		{"enc nan in table", `return cjson.encode({1, 0/0})`},
		{"enc string", `return cjson.encode("hello world")`},
		{"enc escapes", `return cjson.encode('a/b"c\\d\1\31\127\128\255')`},
		{"enc control", `return cjson.encode(string.char(0,1,2,7,8,9,10,11,12,13,14,26,27,31,32,126,127))`},
		{"enc utf8", `return cjson.encode('\226\130\172 \240\159\152\128 é')`},
		{"enc binary", `local s = {} for i = 0, 255 do s[#s+1] = string.char(i) end return cjson.encode(table.concat(s))`},
		{"enc empty string", `return cjson.encode('')`},
		{"enc null", `return cjson.encode(cjson.null)`},
		{"enc function", `return cjson.encode(function() end)`},
		{"enc thread", `return cjson.encode(coroutine.create(function() end))`},
		{"enc nested function", `return cjson.encode({1, {2, function() end}})`},
		{"enc no args", `return cjson.encode()`},
		{"enc two args", `return cjson.encode(1, 2)`},
		{"enc pcall no args", `return perr(cjson.encode)`},
		{"enc local name", `local f = cjson.encode return f()`},
		// encode: tables
		{"enc empty table", `return cjson.encode({})`},
		{"enc array", `return cjson.encode({1, 2, 3, "x", true, false})`},
		{"enc holes", `return cjson.encode({1, 2, nil, 4})`},
		{"enc null elems", `return cjson.encode({cjson.null, 1, cjson.null})`},
		{"enc nested arrays", `return cjson.encode({{}, {{}}, {1, {2, {3}}}})`},
		{"enc one key object", `return cjson.encode({a = 1})`},
		{"enc object", `return canon(cjson.decode(cjson.encode({a = 1, b = "x", c = {1, 2}, d = {e = false}})))`},
		{"enc mixed keys", `return canon(cjson.decode(cjson.encode({1, 2, x = 3})))`},
		{"enc zero key", `return cjson.encode({[0] = 1})`},
		{"enc neg key", `return cjson.encode({[-1] = 'x'})`},
		{"enc fraction key", `return cjson.encode({[1.5] = 1})`},
		{"enc big key", `return cjson.encode({[1e300] = 'x'})`},
		{"enc 2^53 key", `return cjson.encode({[2^53] = 1})`},
		{"enc 2^31 key", `return cjson.encode({[2^31] = 1})`},
		{"enc 2^31-1 key", `return cjson.encode({[2^31 - 1] = 1})`},
		{"enc 2^32+1 key", `return cjson.encode({[2^32 + 1] = 1})`},
		{"enc float key 2.0", `return cjson.encode({[2.0] = 'x', [1] = 'y'})`},
		{"enc bool key", `return cjson.encode({[true] = 1})`},
		{"enc table key", `return cjson.encode({[{}] = 1})`},
		{"enc inf key", `return cjson.encode({[1/0] = 1})`},
		{"enc string number key", `return cjson.encode({["1"] = 1})`},
		{"enc key escapes", `return cjson.encode({["a\"/\n"] = 1})`},
		{"enc sparse ok", `return cjson.encode({[1] = 1, [10] = 3})`},
		{"enc sparse 3", `return cjson.encode({[3] = 1})`},
		{"enc sparse err", `return cjson.encode({[1] = 1, [2] = 2, [20] = 3})`},
		{"enc sparse err 11", `return cjson.encode({[11] = 1})`},
		{"enc sparse half", `return cjson.encode({[1] = 1, [3] = 3, [5] = 5, [7] = 7})`},
		{"enc sparse nested err", `return cjson.encode({a = {[100] = 1}})`},
		{"enc sparse table scan", `local out = {} for k = 1, 25 do local ok, r = pcall(cjson.encode, {[k] = 1}) out[#out+1] = k .. ':' .. (ok and #r or r) end return table.concat(out, ' ')`},
		{"enc sparse pairs scan", `local out = {} for k = 2, 30 do local ok, r = pcall(cjson.encode, {1, 1, [k + 1] = 1}) out[#out+1] = (ok and r:sub(1, 1) or 'E') end return table.concat(out)`},
		{"enc metatable ignored", `return cjson.encode(setmetatable({}, {__index = function() return 1 end}))`},
		{"enc __len ignored", `return cjson.encode(setmetatable({1}, {__len = function() return 5 end}))`},
		{"enc large array", `local t = {} for i = 1, 10000 do t[i] = i * 1.5 end local s = cjson.encode(t) return #s .. s:sub(1, 40) .. s:sub(-40)`},
		{"enc large string", `local s = cjson.encode(string.rep('a"\0', 100000)) return #s .. s:sub(1, 30)`},
		{"enc recursive", `local t = {} t[1] = t return cjson.encode(t)`},
		{"enc depth 1000 ok", cjsonNest("1000", "1") + `return #cjson.encode(t)`},
		{"enc depth 1001", cjsonNest("1001", "1") + `return cjson.encode(t)`},
		{"enc depth obj 1001", cjsonNest("1001", "'a'") + `return cjson.encode(t)`},
		{"enc depth custom", `cjson.encode_max_depth(2) return cjson.encode({{1}}) .. perr(cjson.encode, {{{1}}}) .. perr(cjson.encode, {a = {b = {}}})`},
		{"enc stack limit arrays", `cjson.encode_max_depth(100000) ` + cjsonNest("7997", "1") + `local a = #cjson.encode(t) c[1] = {} return a .. perr(cjson.encode, t)`},
		{"enc stack limit objects", `cjson.encode_max_depth(100000) ` + cjsonNest("3999", "'a'") + `local a = #cjson.encode(t) c.a = {} return a .. perr(cjson.encode, t)`},
		// configuration
		{"cfg defaults", `local a, b, c = cjson.encode_sparse_array() return table.concat({tostring(a), b, c, cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), tostring(cjson.encode_keep_buffer()), tostring(cjson.encode_invalid_numbers()), tostring(cjson.decode_invalid_numbers())}, ',')`},
		{"cfg names", `local t = {} for k, v in pairs(cjson) do t[#t+1] = k .. '=' .. type(v) end table.sort(t) return table.concat(t, ' ') .. cjson._NAME .. cjson._VERSION`},
		{"cfg max depth set", `return cjson.encode_max_depth(3) .. cjson.encode_max_depth() .. cjson.encode_max_depth(nil) .. cjson.encode_max_depth(2.7) .. cjson.encode_max_depth('7') .. cjson.encode_max_depth(' 0x10 ')`},
		{"cfg max depth 0", `return cjson.encode_max_depth(0)`},
		{"cfg max depth neg frac", `return cjson.encode_max_depth(-2.5)`},
		{"cfg max depth huge", `return cjson.encode_max_depth(2^31)`},
		{"cfg max depth intmax", `return cjson.encode_max_depth(2^31 - 1)`},
		{"cfg max depth nan", `return cjson.encode_max_depth(0/0)`},
		{"cfg max depth str", `return cjson.encode_max_depth('x')`},
		{"cfg max depth bool", `return cjson.encode_max_depth(true)`},
		{"cfg max depth 2 args", `return cjson.encode_max_depth(1, 2)`},
		{"cfg pcall name", `return perr(cjson.encode_max_depth, 0)`},
		{"cfg local name", `local f = cjson.decode_max_depth return f(0)`},
		{"cfg keep buffer", `return tostring(cjson.encode_keep_buffer(false)) .. tostring(cjson.encode_keep_buffer('on')) .. tostring(cjson.encode_keep_buffer('off')) .. tostring(cjson.encode_keep_buffer(nil))`},
		{"cfg keep buffer bad", `return cjson.encode_keep_buffer('x')`},
		{"cfg keep buffer num", `return cjson.encode_keep_buffer(1.5)`},
		{"cfg keep buffer table", `return cjson.encode_keep_buffer({})`},
		{"cfg invalid numbers", `return tostring(cjson.encode_invalid_numbers('null')) .. tostring(cjson.encode_invalid_numbers()) .. tostring(cjson.encode_invalid_numbers(true)) .. tostring(cjson.encode_invalid_numbers('off'))`},
		{"cfg invalid bogus", `return cjson.encode_invalid_numbers('bogus')`},
		{"cfg invalid null encode", `cjson.encode_invalid_numbers('null') return cjson.encode({1/0, -1/0, 0/0, 1})`},
		{"cfg invalid on encode", `cjson.encode_invalid_numbers(true) return cjson.encode({1/0, -1/0, 0/0, -(0/0)})`},
		{"cfg invalid on key", `cjson.encode_invalid_numbers('on') return cjson.encode({[1/0] = 1})`},
		{"cfg invalid null key", `cjson.encode_invalid_numbers('null') return cjson.encode({[-1/0] = 1})`},
		{"cfg sparse set", `local a, b, c = cjson.encode_sparse_array(true, 3, 5) return tostring(a) .. b .. c`},
		{"cfg sparse nil keep", `cjson.encode_sparse_array(nil, nil, 3) local a, b, c = cjson.encode_sparse_array() return tostring(a) .. b .. c`},
		{"cfg sparse convert", `cjson.encode_sparse_array(true) return canon(cjson.decode(cjson.encode({[1] = 1, [20] = 2})))`},
		{"cfg sparse ratio 0", `cjson.encode_sparse_array(false, 0) return #cjson.encode({[1] = 1, [200] = 2})`},
		{"cfg sparse safe", `cjson.encode_sparse_array(false, 1, 3) return cjson.encode({[1] = 1, [3] = 3}) .. perr(cjson.encode, {[1] = 1, [5] = 3})`},
		{"cfg sparse ratio 1", `cjson.encode_sparse_array(false, 1, 0) return cjson.encode({1, 2, 3}) .. perr(cjson.encode, {[1] = 1, [3] = 3})`},
		{"cfg sparse bad ratio", `return cjson.encode_sparse_array(false, -1)`},
		{"cfg sparse bad safe", `return cjson.encode_sparse_array(false, 2, -1)`},
		{"cfg sparse ratio type", `return cjson.encode_sparse_array(false, 'x')`},
		{"cfg sparse convert num", `return cjson.encode_sparse_array(1)`},
		{"cfg sparse too many", `return cjson.encode_sparse_array(false, 1, 2, 3)`},
		{"cfg precision", `return cjson.encode_number_precision() .. cjson.encode_number_precision(3) .. cjson.encode({math.pi, 1234567, 0.5, -1e-10, 100})`},
		{"cfg precision 1", `cjson.encode_number_precision(1) return cjson.encode({[0.25] = 15.5, 2})`},
		{"cfg precision 0", `return cjson.encode_number_precision(0)`},
		{"cfg precision 15", `return cjson.encode_number_precision(15)`},
		{"cfg new", `local c2 = cjson.new() c2.encode_max_depth(1) return cjson.encode({{}}) .. tostring(c2.null == cjson.null) .. tostring(c2 == cjson) .. perr(c2.encode, {{}}) .. c2._NAME .. cjson.new(1)._VERSION`},
		// decode: values
		{"dec int", `return num(cjson.decode('42'))`},
		{"dec neg frac exp", `return num(cjson.decode('-1.25e-3'))`},
		{"dec exp forms", `local t = cjson.decode('[1E5, 1e+5, 1.5E-2, 0.0, -0, 1.]') return canon(t) .. num(1/t[5])`},
		{"dec long number", `return num(cjson.decode('123456789012345678901234567890'))`},
		{"dec precise", `return num(cjson.decode('0.1')) .. num(cjson.decode('2.2250738585072011e-308'))`},
		{"dec overflow", `return num(cjson.decode('1e400')) .. num(cjson.decode('-1e400')) .. num(cjson.decode('1e-400'))`},
		{"dec hex", `return num(cjson.decode('0x10')) .. num(cjson.decode('-0x10')) .. num(cjson.decode('0x1p4')) .. num(cjson.decode('0xA.8'))`},
		{"dec leading zero", `return num(cjson.decode('012'))`},
		{"dec plus", `return num(cjson.decode('+1'))`},
		{"dec inf nan", `return canon(cjson.decode('[inf, -inf, Infinity, -Infinity, infinity, nan, NaN, -nan, nan(123), +inf]'))`},
		{"dec infinit", `return cjson.decode('infinit')`},
		{"dec 1e", `return cjson.decode('1e')`},
		{"dec 0x", `return cjson.decode('0x')`},
		{"dec minus", `return cjson.decode('-')`},
		{"dec minus space", `return cjson.decode('- 1')`},
		{"dec minus dot", `return num(cjson.decode('-.5'))`},
		{"dec dot", `return cjson.decode('.5')`},
		{"dec double dot", `return cjson.decode('1.5.5')`},
		{"dec strict hex", `cjson.decode_invalid_numbers(false) return cjson.decode('0x10')`},
		{"dec strict zero", `cjson.decode_invalid_numbers(false) return cjson.decode('012')`},
		{"dec strict inf", `cjson.decode_invalid_numbers(false) return cjson.decode('inf')`},
		{"dec strict -inf", `cjson.decode_invalid_numbers(false) return cjson.decode('-inf')`},
		{"dec strict plus", `cjson.decode_invalid_numbers(false) return cjson.decode('+1')`},
		{"dec strict nan", `cjson.decode_invalid_numbers(false) return cjson.decode('[nan]')`},
		{"dec strict ok", `cjson.decode_invalid_numbers(false) return canon(cjson.decode('[0, -0.5, 10, 1e2, null]'))`},
		{"dec true false null", `local t = cjson.decode('[true,false,null]') return canon(t) .. tostring(t[3] == cjson.null) .. type(t[3])`},
		{"dec bad literals", `return perr(cjson.decode, 'nul') .. perr(cjson.decode, 'tru') .. perr(cjson.decode, 'truex') .. perr(cjson.decode, 'True') .. perr(cjson.decode, 'fals')`},
		{"dec string", `return cjson.decode('"hello"')`},
		{"dec escapes", `return str(cjson.decode('"\\b\\f\\n\\r\\t\\"\\\\\\/x"'))`},
		{"dec unicode", `return str(cjson.decode('"\\u00e9\\u0000z\\u20ac\\u0041\\u07FF\\uFFFF"'))`},
		{"dec surrogates", `return str(cjson.decode('"\\ud83d\\ude00\\uD834\\uDD1E"'))`},
		{"dec lone high", `return cjson.decode('"\\ud800"')`},
		{"dec lone low", `return cjson.decode('"\\udc00"')`},
		{"dec high then char", `return cjson.decode('"\\ud83dx"')`},
		{"dec high then bmp", `return cjson.decode('"\\ud83d\\u0041"')`},
		{"dec bad hex", `return cjson.decode('"\\uzzzz"')`},
		{"dec short unicode", `return cjson.decode('["\\u00"]')`},
		{"dec bad escape", `return cjson.decode('"\\x"')`},
		{"dec escape at end", `return cjson.decode('"abc\\')`},
		{"dec unterminated", `return cjson.decode('"abc')`},
		{"dec raw controls", `return str(cjson.decode('"a' .. string.char(1, 9, 10, 127, 200, 255) .. 'b"'))`},
		{"dec nul in string", `return cjson.decode('"a\0b"')`},
		{"dec nul after", `return cjson.decode('"a"\0')`},
		{"dec nul in array", `return cjson.decode('[1\0,2]')`},
		{"dec utf16", `return cjson.decode('\0a')`},
		{"dec utf16 second", `return cjson.decode('a\0')`},
		{"dec number arg", `return num(cjson.decode(123))`},
		{"dec table arg", `return cjson.decode({})`},
		{"dec nil arg", `return cjson.decode(nil)`},
		{"dec no args", `return cjson.decode()`},
		{"dec two args", `return cjson.decode('1', 2)`},
		// decode: structure and errors
		{"dec empty", `return cjson.decode('')`},
		{"dec space", `return cjson.decode(' ')`},
		{"dec invalid", `return cjson.decode('x')`},
		{"dec vt", `return cjson.decode('\v5')`},
		{"dec whitespace", `return num(cjson.decode('\t\r\n 5 \n'))`},
		{"dec array", `return canon(cjson.decode('[1, "a", [true], {"b": null}, []]'))`},
		{"dec object", `return canon(cjson.decode(' { "a" : [ 1 , { "b" : null } ] , "c":{}, "": 0} '))`},
		{"dec dup keys", `return num(cjson.decode('{"a":1,"a":2}').a)`},
		{"dec numeric key", `local t = cjson.decode('{"1":5}') return tostring(t[1]) .. t['1']`},
		{"dec empty round trip", `return cjson.encode(cjson.decode('[]')) .. cjson.encode(cjson.decode('{}'))`},
		{"dec nulls length", `return #cjson.decode('[1,null,3]') .. canon(cjson.decode('[null,null]'))`},
		{"dec trailing comma", `return cjson.decode('[1,]')`},
		{"dec missing comma", `return cjson.decode('[1 2]')`},
		{"dec missing colon", `return cjson.decode('{"a" 1}')`},
		{"dec number key", `return cjson.decode('{1:1}')`},
		{"dec obj trailing comma", `return cjson.decode('{"a":1,}')`},
		{"dec obj missing comma", `return cjson.decode('{"a":1 "b"}')`},
		{"dec obj colon end", `return cjson.decode('{"a":')`},
		{"dec two values", `return cjson.decode('1 2')`},
		{"dec open array", `return cjson.decode('[')`},
		{"dec open object", `return cjson.decode('{')`},
		{"dec open deep", `return cjson.decode('[[[[')`},
		{"dec close only", `return cjson.decode(']')`},
		{"dec colon", `return cjson.decode(':')`},
		{"dec array then garbage", `return cjson.decode('[1]x')`},
		{"dec error in key", `return cjson.decode('{"a\\q":1}')`},
		{"dec depth 1000", `return #cjson.encode(cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000)))`},
		{"dec depth 1001", `return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))`},
		{"dec depth obj 1001", `return cjson.decode(string.rep('{"a":', 1001) .. '1' .. string.rep('}', 1001))`},
		{"dec depth spaced", `return cjson.decode(string.rep(' [', 1001))`},
		{"dec depth custom", `cjson.decode_max_depth(2) return num(cjson.decode('[[1]]')[1][1]) .. perr(cjson.decode, '[[[1]]]') .. perr(cjson.decode, '[{"a":{}}]')`},
		{"dec stack arrays", `cjson.decode_max_depth(100000) return perr(cjson.decode, string.rep('[', 7998) .. string.rep(']', 7998)) .. perr(cjson.decode, string.rep('[', 7999) .. string.rep(']', 7999))`},
		{"dec stack objects", `cjson.decode_max_depth(100000) return perr(cjson.decode, string.rep('{"a":', 3999) .. '1' .. string.rep('}', 3999)) .. perr(cjson.decode, string.rep('{"a":', 4000) .. '1' .. string.rep('}', 4000))`},
		{"dec stack mixed", `cjson.decode_max_depth(100000) return perr(cjson.decode, '{"a":' .. string.rep('[', 7996) .. string.rep(']', 7996) .. '}') .. perr(cjson.decode, '{"a":' .. string.rep('[', 7997) .. string.rep(']', 7997) .. '}')`},
		{"dec big document", `local t = {} for i = 1, 5000 do t[i] = {id = i, name = 'n' .. i, tags = {'a', 'b'}, v = i / 7} end local s = cjson.encode(t) local d = cjson.decode(s) return #d .. canon(d[4321]) .. num(d[5000].v)`},
		{"round trip binary", `local s = {} for i = 1, 255 do s[#s+1] = string.char(i) end s = table.concat(s) return tostring(cjson.decode(cjson.encode(s)) == s)`},
		{"round trip nested", `local v = {a = {1, 2, {b = 'c'}}, d = cjson.null, e = -0.5} return canon(cjson.decode(cjson.encode(v)))`},
	}
	cjsonRunDiff(t, cases)
}

// TestCJSONFormatG checks the "%.*g" formatting against values whose C
// output is known.
func TestCJSONFormatG(t *testing.T) {
	for _, c := range []struct {
		f    float64
		prec int
		want string
	}{
		{100000, 14, "100000"}, {1e14, 14, "1e+14"}, {123456789012345678, 14, "1.2345678901235e+17"},
		{0.0001, 14, "0.0001"}, {0.00001, 14, "1e-05"}, {1.5, 1, "2"}, {2.5, 1, "2"}, {0.1, 14, "0.1"},
		{math.Copysign(0, -1), 14, "-0"}, {1234567, 3, "1.23e+06"}, {99999999999999.9, 14, "1e+14"},
	} {
		require.Equal(t, c.want, cjsonFormatG(c.f, c.prec), "%v %d", c.f, c.prec)
	}
}

// TestCJSONStandalone checks behaviour that needs no oracle.
func TestCJSONStandalone(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	mod := OpenCJSON(L)
	require.Equal(t, mod, L.GetGlobal("cjson"))
	require.NoError(t, L.DoString(`assert(cjson.encode({1,2}) == '[1,2]')`))
	err := L.DoString(`cjson.decode('[')`)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "Expected value but found T_END at character 2"))
}

// cjsonRandomNumbers returns n varied finite numbers (fixed seed): random
// bit patterns, integers of all sizes, short decimals, powers of two.
func cjsonRandomNumbers(n int) []float64 {
	r := rand.New(rand.NewSource(1))
	out := make([]float64, 0, n)
	for len(out) < n {
		var f float64
		switch r.Intn(5) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = float64(r.Int63() >> uint(r.Intn(63)))
		case 2:
			f = float64(r.Intn(20000)-10000) * math.Pow(10, float64(r.Intn(60)-30))
		case 3:
			f = math.Ldexp(1, r.Intn(2000)-1000)
		default:
			f = float64(float32(r.NormFloat64() * 1000))
		}
		if r.Intn(2) == 0 {
			f = -f
		}
		if !math.IsInf(f, 0) && !math.IsNaN(f) {
			out = append(out, f)
		}
	}
	return out
}

// TestCJSONRandomAgainstRedis compares number formatting (at every
// precision), cmsgpack number encodings, and strtod-style number parsing
// on generated inputs.
func TestCJSONRandomAgainstRedis(t *testing.T) {
	nums := cjsonRandomNumbers(600)
	var lits []string
	for _, f := range nums {
		lits = append(lits, strconv.FormatFloat(f, 'g', -1, 64))
	}
	var cases []cjsonCase
	for i := 0; i < len(lits); i += 100 {
		table := "local t = {" + strings.Join(lits[i:i+100], ", ") + "} "
		cases = append(cases,
			cjsonCase{"encode numbers " + strconv.Itoa(i), table + `return cjson.encode(t)`},
			cjsonCase{"pack numbers " + strconv.Itoa(i), table + `return hex(cmsgpack.pack(t))`},
			cjsonCase{"unpack numbers " + strconv.Itoa(i), table + `return canon(cmsgpack.unpack(cmsgpack.pack(t)))`},
			cjsonCase{"precisions " + strconv.Itoa(i), table + `local o = {} for p = 1, 14 do cjson.encode_number_precision(p) o[#o+1] = cjson.encode(t) end return table.concat(o, '\n')`},
		)
	}
	r := rand.New(rand.NewSource(2))
	const alphabet = "0123456789.eE+-xXpPabcfinINtyAN() ,[]"
	for c := 0; c < 6; c++ {
		var strs []string
		for i := 0; i < 150; i++ {
			b := make([]byte, 1+r.Intn(9))
			for j := range b {
				if r.Intn(3) == 0 {
					b[j] = alphabet[r.Intn(len(alphabet))]
				} else {
					b[j] = alphabet[r.Intn(13)]
				}
			}
			strs = append(strs, "'"+string(b)+"'")
		}
		cases = append(cases, cjsonCase{"decode fuzz " + strconv.Itoa(c), `
local o = {}
for _, s in ipairs({` + strings.Join(strs, ", ") + `}) do
  for _, strict in ipairs({true, false}) do
    cjson.decode_invalid_numbers(strict)
    local ok, v = pcall(cjson.decode, s)
    o[#o+1] = s .. ' -> ' .. (ok and canon(v) or tostring(v))
  end
end
return table.concat(o, '\n')`})
	}
	cjsonRunDiff(t, cases)
}
