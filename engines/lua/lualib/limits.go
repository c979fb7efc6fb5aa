package lualib

import (
	lua "github.com/yuin/gopher-lua"
)

// Limits bound what one call of a library function may build, so that a
// script cannot make the server attempt an allocation it cannot survive
// (Go has no recovery from running out of memory). Every function here
// that builds a value whose size the script chooses (string.rep,
// table.concat, string.format, cjson.encode, cmsgpack.pack, struct.pack)
// checks the size before or while building it.
//
// Two bounds apply: compatMaxString (512 MB), past which a function
// raises Lua's "not enough memory" as a failed allocation does in Lua
// 5.1 (pcall can catch it: nothing was allocated), and Limits.MaxBytes,
// past which Exceeded is called (the engine stops the script).
type Limits struct {
	// MaxBytes is the largest value a call may build; 0 means only
	// compatMaxString applies.
	MaxBytes int64
	// Exceeded is called with the size a call was about to build when
	// it is over MaxBytes. It must not return (it raises a Lua error).
	Exceeded func(L *lua.LState, n int64)
}

// limitsKey is where SetLimits keeps the Limits in the registry.
const limitsKey = "polyfn.lualib.limits"

// SetLimits makes lim the limits of L's library functions (and of its
// coroutines). The caller may change *lim between calls.
func SetLimits(L *lua.LState, lim *Limits) {
	ud := L.NewUserData()
	ud.Value = lim
	L.G.Registry.RawSetString(limitsKey, ud)
}

func limitsOf(L *lua.LState) *Limits {
	if ud, ok := L.G.Registry.RawGetString(limitsKey).(*lua.LUserData); ok {
		if lim, ok := ud.Value.(*Limits); ok {
			return lim
		}
	}
	return nil
}

// checkAlloc raises an error when a value of n bytes is over the limits.
func checkAlloc(L *lua.LState, n int64) {
	if lim := limitsOf(L); lim != nil && lim.MaxBytes > 0 && n > lim.MaxBytes && lim.Exceeded != nil {
		lim.Exceeded(L, n)
	}
	if n > compatMaxString {
		compatRaise(L, "not enough memory")
	}
}
