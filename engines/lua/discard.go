package lua

import (
	"reflect"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// resultDiscarded tells a Go function whether its caller throws its
// results away, as a Lua statement `redis.call('SET', k, v)` does: Lua
// compiles such a call with no wanted results. redis.call then skips
// converting the reply (a status reply costs a fresh {ok=...} table,
// most of a SET's allocations), which nothing could observe.
//
// gopher-lua keeps the wanted count in its call frame (callFrame.NRet,
// 0 for a statement, -1 for "all of them") but does not export it. The
// offsets of LState.currentFrame and callFrame.NRet are found once by
// reflection; if the library's layout ever changes so that they are not
// found, resultDiscarded always says false and every reply is converted,
// as before. TestResultDiscarded pins the behaviour.
func resultDiscarded(L *lua.LState) bool {
	if !frameLayout.ok {
		return false
	}
	frame := *(*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(L), frameLayout.current))
	if frame == nil {
		return false
	}
	return *(*int)(unsafe.Add(frame, frameLayout.nret)) == 0
}

var frameLayout = findFrameLayout()

type frameOffsets struct {
	current, nret uintptr
	ok            bool
}

func findFrameLayout() frameOffsets {
	cur, ok := reflect.TypeFor[lua.LState]().FieldByName("currentFrame")
	if !ok || cur.Type.Kind() != reflect.Pointer || cur.Type.Elem().Kind() != reflect.Struct {
		return frameOffsets{}
	}
	nret, ok := cur.Type.Elem().FieldByName("NRet")
	if !ok || nret.Type.Kind() != reflect.Int {
		return frameOffsets{}
	}
	return frameOffsets{current: cur.Offset, nret: nret.Offset, ok: true}
}
