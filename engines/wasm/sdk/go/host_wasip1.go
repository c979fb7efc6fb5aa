//go:build wasip1

package polyfn

import "unsafe"

// The host imports and guest exports of polyfn ABI 1 (ABI.md). Pointers
// are offsets in the module's memory: on wasm32 a Go pointer is one.

//go:wasmimport polyfn register_function
func register(namePtr, nameLen, flagsPtr, flagsLen, descPtr, descLen, handle uint32)

//go:wasmimport polyfn call
func call(argsPtr, argsLen, bufPtr, bufCap uint32) uint32

//go:wasmimport polyfn pcall
func pcall(argsPtr, argsLen, bufPtr, bufCap uint32) uint32

//go:wasmimport polyfn reply_read
func replyRead(ptr, bufCap uint32) uint32

//go:wasmimport polyfn log
func logMsg(level, ptr, n uint32)

//go:wasmimport polyfn setresp
func setresp(v uint32)

//go:wasmimport polyfn set_repl
func setRepl(v uint32)

//go:wasmimport polyfn acl_check
func aclCheck(argsPtr, argsLen uint32) uint32

func ptr(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

func strPtr(s string) uint32 {
	if s == "" {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// The memory the host writes into and reads from, kept reachable (Go's
// collector does not move objects) and reused from call to call.
var (
	argsBuf  []byte // polyfn_alloc: the next function call's keys and args
	replyBuf []byte // polyfn_call's reply
	// arena holds the replies of the commands the running function
	// called (Call's contract: valid until the function returns); it is
	// emptied when the next function call starts.
	arena = make([]byte, 0, arenaSize)
)

const arenaSize = 16 << 10

//go:wasmexport polyfn_abi_version
func abiVersion() int32 { return 1 }

// alloc reuses the arguments buffer when it is large enough: the keys and
// args of the previous call are no longer in use (Func's contract). A
// buffer that grew for one very large call is not kept past the next.
//
//go:wasmexport polyfn_alloc
func alloc(n uint32) uint32 {
	if int(n) > cap(argsBuf) || cap(argsBuf) > keepBuf && int(n) <= keepBuf {
		argsBuf = nil // the old one may be collected while making the new
		argsBuf = make([]byte, max(int(n), 256))
	}
	argsBuf = argsBuf[:cap(argsBuf)]
	return ptr(argsBuf)
}

// allocKeep declares (ABI.md) that polyfn_alloc's memory stays valid
// until the next polyfn_alloc: the host writes the arguments of later
// calls there while they fit, without asking again.
//
//go:wasmexport polyfn_alloc_keep
func allocKeep() {}

//go:wasmexport polyfn_init
func initLibrary() {
	for i, r := range registry {
		flags := ""
		for j, f := range r.opts.Flags {
			if j > 0 {
				flags += ","
			}
			flags += f
		}
		register(strPtr(r.name), uint32(len(r.name)), strPtr(flags), uint32(len(flags)),
			strPtr(r.opts.Description), uint32(len(r.opts.Description)), uint32(i))
	}
}

//go:wasmexport polyfn_call
func callFunction(h, p, n uint32) uint64 {
	if cap(replyBuf) > keepBuf {
		replyBuf = nil
	}
	// The host passes back what polyfn_alloc returned.
	if p != ptr(argsBuf) || int(n) > len(argsBuf) {
		replyBuf = appendRESP(replyBuf[:0], Error("ERR polyfn SDK: arguments not in polyfn_alloc's memory"))
	} else {
		arena = arena[:0]
		replyBuf = dispatch(replyBuf[:0], h, argsBuf[:n])
	}
	return uint64(ptr(replyBuf))<<32 | uint64(len(replyBuf))
}

// hostCommand runs the command encoded in args. Its reply is written to
// the free end of the arena and parsed there, without a copy; a reply
// larger than what is free gets memory of its own (and the arena is
// replaced when little of it is left; earlier replies keep the old one).
func hostCommand(raise bool, args []byte) Reply {
	free := arena[len(arena):cap(arena)]
	var n uint32
	if raise {
		n = call(ptr(args), uint32(len(args)), ptr(free), uint32(len(free)))
	} else {
		n = pcall(ptr(args), uint32(len(args)), ptr(free), uint32(len(free)))
	}
	var out []byte
	if int(n) <= len(free) {
		out = free[:n:n]
		arena = arena[:len(arena)+int(n)]
	} else {
		out = make([]byte, n)
		replyRead(ptr(out), n)
		if len(free) < arenaSize/4 {
			arena = make([]byte, 0, arenaSize)
		}
	}
	r, _, err := parseRESP(out)
	if err != nil {
		return Error(err.Error())
	}
	return r
}

func hostLog(level int, msg string) { logMsg(uint32(level), strPtr(msg), uint32(len(msg))) }
func hostSetResp(v int)             { setresp(uint32(v)) }
func hostSetRepl(v int)             { setRepl(uint32(v)) }
func hostACLCheck(args []byte) bool { return aclCheck(ptr(args), uint32(len(args))) == 1 }
