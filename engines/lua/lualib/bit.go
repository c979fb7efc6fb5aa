package lualib

// LuaBitOp 1.0.2 ("bit") as bundled in Redis 7.0, reimplemented from its
// documented behaviour and checked against redis-server in bit_test.go.
//
// Arguments are converted like LuaBitOp does on Lua 5.1 with double
// numbers: lua_tonumber (numeric strings accepted), then 2^52+2^51 is added
// and the low 32 bits of the double's representation are taken, i.e. the
// number is rounded to the nearest integer (ties to even) and reduced
// modulo 2^32; inf and NaN give 0. A non-number that converts to 0 raises
// "bad argument #n to 'f' (number expected, got <type>)". Results are
// signed 32-bit numbers.

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// OpenBit creates the bit library table, sets it as the global "bit" and
// returns it.
func OpenBit(L *lua.LState) *lua.LTable {
	fns := map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return bitRet(L, bitArg(L, 1, "tobit")) },
		"bnot":    func(L *lua.LState) int { return bitRet(L, ^bitArg(L, 1, "bnot")) },
		"bswap":   func(L *lua.LState) int { return bitRet(L, bits.ReverseBytes32(bitArg(L, 1, "bswap"))) },
		"band":    bitVariadic("band", func(a, b uint32) uint32 { return a & b }),
		"bor":     bitVariadic("bor", func(a, b uint32) uint32 { return a | b }),
		"bxor":    bitVariadic("bxor", func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  bitShift("lshift", func(b uint32, n uint) uint32 { return b << n }),
		"rshift":  bitShift("rshift", func(b uint32, n uint) uint32 { return b >> n }),
		"arshift": bitShift("arshift", func(b uint32, n uint) uint32 { return uint32(int32(b) >> n) }),
		"rol":     bitShift("rol", func(b uint32, n uint) uint32 { return bits.RotateLeft32(b, int(n)) }),
		"ror":     bitShift("ror", func(b uint32, n uint) uint32 { return bits.RotateLeft32(b, -int(n)) }),
		"tohex":   bitToHex,
	}
	t := L.NewTable()
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	L.SetGlobal("bit", t)
	return t
}

// bitNorm is LuaBitOp's conversion of a double to 32 bits.
func bitNorm(f float64) uint32 {
	return uint32(math.Float64bits(f + 6755399441055744.0))
}

func bitArg(L *lua.LState, n int, fname string) uint32 {
	f, ok := compatToNumber(L.Get(n))
	b := bitNorm(f)
	if b == 0 && !ok {
		compatTypeError(L, n, fname, "number")
	}
	return b
}

func bitRet(L *lua.LState, b uint32) int {
	L.Push(lua.LNumber(float64(int32(b))))
	return 1
}

// bitVariadic folds the arguments from the last to the second into the
// first, in LuaBitOp's order (which decides which bad argument is reported).
func bitVariadic(fname string, op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, fname)
		for i := L.GetTop(); i > 1; i-- {
			b = op(b, bitArg(L, i, fname))
		}
		return bitRet(L, b)
	}
}

func bitShift(fname string, op func(b uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		b := bitArg(L, 1, fname)
		n := bitArg(L, 2, fname) & 31
		return bitRet(L, op(b, uint(n)))
	}
}

func bitToHex(L *lua.LState) int {
	b := bitArg(L, 1, "tohex")
	n := int32(8)
	if L.GetTop() >= 2 {
		n = int32(bitArg(L, 2, "tohex"))
	}
	digits := "0123456789abcdef"
	if n < 0 {
		n = -n
		digits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	if n < 0 { // -2^31 stays negative; LuaBitOp's behaviour is undefined there
		n = 0
	}
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = digits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
