package lualib

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	lua "github.com/yuin/gopher-lua"
)

// structPrelude defines helpers for snippets: hex(s) renders bytes in hex,
// J(...) joins all values with tostring. It stays on the snippet's first
// line so error positions agree.
const structPrelude = `local function hex(s) return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end)) end ` +
	`local function J(...) local t = {} for i = 1, select('#', ...) do t[#t+1] = tostring((select(i, ...))) end return table.concat(t, ',') end `

// structOpenAll opens every library of this package plus the compat layer.
func structOpenAll(L *lua.LState) *lua.LTable {
	InstallCompat(L)
	OpenBit(L)
	return OpenStruct(L)
}

// structRunDiff runs each snippet (after structPrelude) in gopher-lua with
// this package's libraries and in redis-server, and requires equal results
// or equal error messages.
func structRunDiff(t *testing.T, snippets []string) {
	t.Helper()
	for i, s := range snippets {
		script := structPrelude + s
		t.Run(fmt.Sprintf("%03d", i), func(t *testing.T) {
			want, werr := runRedisEval(t, script)
			got, gerr := runGopherLua(t, script, structOpenAll)
			if werr != nil {
				require.Error(t, gerr, "snippet %q: redis failed with %q, we returned %q", s, werr, got)
				require.Equal(t, werr.Error(), gerr.Error(), "snippet %q", s)
				return
			}
			require.NoError(t, gerr, "snippet %q (redis returned %q)", s, want)
			require.Equal(t, want, got, "snippet %q", s)
		})
	}
}

func TestStructOracle(t *testing.T) {
	structRunDiff(t, []string{
		// pack: integer types, endianness, sizes
		`return hex(struct.pack('b', -1))`,
		`return hex(struct.pack('B', 255))`,
		`return hex(struct.pack('B', 256))`,
		`return hex(struct.pack('>h', 1))`,
		`return hex(struct.pack('<h', -2))`,
		`return hex(struct.pack('>H', 65535))`,
		`return hex(struct.pack('i', 1))`,
		`return hex(struct.pack('>i', -1))`,
		`return hex(struct.pack('>I3', 0x010203))`,
		`return hex(struct.pack('<i1i2i3i5i7', 1, 2, 3, 5, 7))`,
		`return hex(struct.pack('>l', -2))`,
		`return hex(struct.pack('<L', 2^63))`,
		`return hex(struct.pack('>L', 2^64))`,
		`return hex(struct.pack('>l', -2^63))`,
		`return hex(struct.pack('>l', -2^64))`,
		`return hex(struct.pack('T', 12345))`,
		`return hex(struct.pack('>i16', -1))`,
		`return hex(struct.pack('<I32', 2^60))`,
		`return hex(struct.pack('>i', 1.7))`,
		`return hex(struct.pack('>i', -1.7))`,
		`return hex(struct.pack('>i', 0/0))`,
		`return hex(struct.pack('>i', 1/0))`,
		`return hex(struct.pack('>i', '0x10'))`,
		`return hex(struct.pack('>i0', 5))`,
		// floats
		`return hex(struct.pack('>f', 1.5))`,
		`return hex(struct.pack('<d', -0.1))`,
		`return hex(struct.pack('>d', 1/0))`,
		`return hex(struct.pack('f', 1e300))`,
		// strings
		`return hex(struct.pack('s', 'ab'))`,
		`return hex(struct.pack('s', 'a\0b'))`,
		`return hex(struct.pack('c', 'xyz'))`,
		`return hex(struct.pack('c3', 'xyz'))`,
		`return hex(struct.pack('c0', 'hello'))`,
		`return hex(struct.pack('c2s', 12.5, 3))`,
		`return hex(struct.pack('c5', 'ab'))`,
		`return hex(struct.pack('Bc0', 3, 'abc'))`,
		// alignment and padding
		`return hex(struct.pack('!bi', 1, 2))`,
		`return hex(struct.pack('!4bd', 1, 2))`,
		`return hex(struct.pack('!2bhbi', 1, 2, 3, 4))`,
		`return hex(struct.pack('!bxh', 1, 2))`,
		`return hex(struct.pack('! b c3 i', 1, 'abc', 2))`,
		`return hex(struct.pack('!8bi3', 1, 2))`,
		`return hex(struct.pack('x x'))`,
		`return hex(struct.pack(''))`,
		// pack errors
		`return struct.pack('!3i', 1)`,
		`return struct.pack('y', 1)`,
		`return struct.pack('i33', 1)`,
		`return struct.pack('i99999999999', 1)`,
		`return struct.pack('i')`,
		`return struct.pack('iii', 1)`,
		`return struct.pack('is', 1)`,
		`return struct.pack('c')`,
		`return struct.pack('i', 'x')`,
		`return struct.pack('i', {})`,
		`return struct.pack('s', {})`,
		`return struct.pack('d', nil)`,
		`return struct.pack()`,
		`return struct.pack({})`,
		`return hex(struct.pack('b\0b', 1, 2))`,
		// unpack
		`return J(struct.unpack('b', '\255'))`,
		`return J(struct.unpack('B', '\255'))`,
		`return J(struct.unpack('>h', '\255\254'))`,
		`return J(struct.unpack('<H', '\255\254'))`,
		`return J(struct.unpack('>i', '\0\0\1\0'))`,
		`return J(struct.unpack('<i3', '\255\255\255'))`,
		`return J(struct.unpack('>I3', '\255\255\255'))`,
		`return J(struct.unpack('>l', '\255\255\255\255\255\255\255\254'))`,
		`return J(struct.unpack('<L', string.rep('\255', 8)))`,
		`return J(struct.unpack('>i9', string.rep('\255', 9)))`,
		`return J(struct.unpack('>i12', '\0\0\0\0\128\0\0\0\0\0\0\1'))`,
		`return J(struct.unpack('<I16', string.rep('\1', 16)))`,
		`return J(struct.unpack('>f', struct.pack('>f', 0.1)))`,
		`return J(struct.unpack('<d', struct.pack('<d', -1/3)))`,
		`return J(struct.unpack('d', struct.pack('d', 0/0)))`,
		`return J(struct.unpack('z', 'abc'))`,
		`return J(struct.unpack('s', 'ab\0cd\0'))`,
		`return J(struct.unpack('ss', 'ab\0cd\0'))`,
		`return J(struct.unpack('s', 'abc'))`,
		`return J(struct.unpack('c2', 'abc'))`,
		`return J(struct.unpack('c', 'abc'))`,
		`return J(struct.unpack('Bc0', '\3abcd'))`,
		`return J(struct.unpack('c1c0', '2abcd'))`,
		`return J(struct.unpack('c0', 'abc'))`,
		`return J(struct.unpack('s c0', 'x\0abc'))`,
		`return J(struct.unpack('Bc0', '\9abcd'))`,
		`return J(struct.unpack('!bi', struct.pack('!bi', 1, 2)))`,
		`return J(struct.unpack('!4bd', struct.pack('!4bd', 7, 2.5)))`,
		`return J(struct.unpack('bxb', '\1\2\3'))`,
		`return J(struct.unpack('b', 'abc', 2))`,
		`return J(struct.unpack('b', 'abc', 3))`,
		`return J(struct.unpack('b', 'abc', 4))`,
		`return J(struct.unpack('', 'abc', 4))`,
		`return J(struct.unpack('b', 'abc', 5))`,
		`return J(struct.unpack('b', 'abc', 0))`,
		`return J(struct.unpack('b', 'abc', -1))`,
		`return J(struct.unpack('b', 'abc', 2.9))`,
		`return J(struct.unpack('', 'abc', 10))`,
		`return J(struct.unpack('', 'abc', -1))`,
		`return J(struct.unpack('b', 'abc', -5))`,
		`return J(struct.unpack('ii', '1234'))`,
		`return J(struct.unpack('b', 'abc', '2'))`,
		`return J(struct.unpack('b', 'abc', 'x'))`,
		`return J(struct.unpack('i', 'abc'))`,
		`return J(struct.unpack('d', ''))`,
		`return J(struct.unpack('b'))`,
		`return J(struct.unpack('b', {}))`,
		`return J(struct.unpack('<i', 123456))`,
		`return J(struct.unpack('!3i', 'abcd'))`,
		`return J(struct.unpack('i40', string.rep('a', 40)))`,
		`return J(struct.unpack('>!4 b i h', '\1\0\0\0\0\0\0\2\0\3'))`,
		`return J(select('#', struct.unpack(string.rep('b', 4000), string.rep('a', 4000))))`,
		`return J(select('#', struct.unpack(string.rep('b', 8000), string.rep('a', 8000))))`,
		// size
		`return J(struct.size('bhilTfdxB'))`,
		`return J(struct.size('!bhilTfdxB'))`,
		`return J(struct.size('!4bd'))`,
		`return J(struct.size('i7c9'))`,
		`return J(struct.size(''))`,
		`return J(struct.size('<>! '))`,
		`return J(struct.size('y'))`,
		`return J(struct.size('z'))`,
		`return J(struct.size('$'))`,
		`return J(struct.size('s'))`,
		`return J(struct.size('c0'))`,
		`return J(struct.size('!3'))`,
		`return J(struct.size('i33'))`,
		`return J(struct.size('c99999999999'))`,
		`return J(struct.size('c2147483647c2147483647'))`,
		`return J(struct.size())`,
		`return J(struct.size(12))`,
	})
}
