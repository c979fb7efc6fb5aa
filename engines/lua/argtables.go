package lua

import (
	"reflect"
	"unsafe"

	"github.com/polyfn/polyfn/core"
	lua "github.com/yuin/gopher-lua"
)

// argTables returns the KEYS and ARGV tables of a call. Built one by one,
// each table costs gopher-lua two allocations (the table and its array
// part), a third of a short call's allocations. Here both tables share
// one allocation and their array parts another. Each array is capped at
// its own length, so a script that appends to KEYS gets a fresh array
// and never writes into ARGV's.
//
// gopher-lua does not export a table's array part. Its offset in LTable
// is found once by reflection; if a later version of the library lays
// the table out differently, the tables are built one by one as before.
// TestArgTables pins the behaviour.
func (st *state) argTables(keys, args [][]byte) (keyT, argT *lua.LTable) {
	strs := core.JoinArgs(keys, args)
	if !arrayLayout.ok {
		return st.byteTable(keys, &strs), st.byteTable(args, &strs)
	}
	n := len(keys) + len(args)
	var vals []lua.LValue
	if n > 0 {
		vals = make([]lua.LValue, n)
	}
	i := 0
	for _, items := range [2][][]byte{keys, args} {
		for _, b := range items {
			vals[i] = lua.LString(cutString(&strs, b))
			i++
		}
	}
	pair := new([2]lua.LTable)
	keyT, argT = &pair[0], &pair[1]
	keyT.Metatable, argT.Metatable = lua.LNil, lua.LNil
	if n > 0 {
		setArray(keyT, vals[:len(keys):len(keys)])
		setArray(argT, vals[len(keys):n:n])
	}
	return keyT, argT
}

// setArray sets t's array part.
func setArray(t *lua.LTable, vals []lua.LValue) {
	*(*[]lua.LValue)(unsafe.Add(unsafe.Pointer(t), arrayLayout.offset)) = vals
}

var arrayLayout = findArrayLayout()

type arrayOffset struct {
	offset uintptr
	ok     bool
}

func findArrayLayout() arrayOffset {
	f, ok := reflect.TypeFor[lua.LTable]().FieldByName("array")
	if !ok || f.Type != reflect.TypeFor[[]lua.LValue]() {
		return arrayOffset{}
	}
	return arrayOffset{offset: f.Offset, ok: true}
}
