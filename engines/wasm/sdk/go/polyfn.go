// Package polyfn is the Go guest SDK for polyfn's WebAssembly engine: it
// implements the guest side of polyfn ABI 1 (engines/wasm/ABI.md) so that
// a library is ordinary Go.
//
//	package main
//
//	import polyfn "github.com/polyfn/polyfn/engines/wasm/sdk/go"
//
//	func init() {
//		polyfn.RegisterFunction("hello", func(keys, args [][]byte) polyfn.Reply {
//			return polyfn.Call("GET", keys[0])
//		})
//	}
//
//	func main() {}
//
// Build it as a WASI reactor (its exports are called after _initialize,
// which runs the package init functions; main is not run):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o lib.wasm .
//
// and load it with FUNCTION LOAD "#!wasm name=mylib\n" + the bytes.
// Register functions from init functions. Outside a wasip1 build the
// package compiles (for tests and vet) but its host calls panic.
package polyfn

import (
	"encoding/binary"
	"slices"
	"strconv"
)

// Func is a library function: it gets the FCALL keys and arguments and
// returns the reply. keys and args are valid until it returns (the SDK
// reuses their memory for the next call): copy what you keep.
type Func func(keys, args [][]byte) Reply

// Flags of a function, as Redis names them.
const (
	NoWrites           = "no-writes"
	AllowOOM           = "allow-oom"
	AllowStale         = "allow-stale"
	NoCluster          = "no-cluster"
	AllowCrossSlotKeys = "allow-cross-slot-keys"
)

// Options are a function's optional registration details.
type Options struct {
	Flags       []string // e.g. polyfn.NoWrites
	Description string
}

type registration struct {
	name string
	fn   Func
	opts Options
}

var registry []registration

// RegisterFunction registers fn as the library function name. Call it
// from an init function; the host validates names and flags when the
// library loads (FUNCTION LOAD fails with Redis's error otherwise).
func RegisterFunction(name string, fn Func, opts ...Options) {
	r := registration{name: name, fn: fn}
	if len(opts) > 0 {
		r.opts = opts[0]
	}
	registry = append(registry, r)
}

// Arg is something Call takes as a command argument: string, []byte, or
// an integer or float (sent in decimal).
type Arg = any

// Call runs a Redis command and returns its reply. If the command fails
// (an error reply: unknown command, wrong type, a write from a no-writes
// function...), the function is aborted and the error is its reply, as
// redis.call in Lua: no recover catches it. Use PCall to handle errors.
// The reply is valid until the function returns, like its keys and args;
// Clone it to keep it longer.
func Call(args ...Arg) Reply { return command(true, args) }

// PCall runs a Redis command and returns its reply, errors included (an
// error reply is returned, as redis.pcall in Lua), valid until the function
// returns.
func PCall(args ...Arg) Reply { return command(false, args) }

// keepBuf is the largest buffer the SDK keeps for the next call.
const keepBuf = 64 << 10

// cmdArgs is the encoded command of the call in progress, reused.
var cmdArgs []byte

func command(raise bool, args []Arg) Reply { return hostCommand(raise, encodeCommand(args)) }

// encodeCommand encodes args as a list (ABI.md) in cmdArgs's memory: the
// count, then each item's length and bytes.
func encodeCommand(args []Arg) []byte {
	buf := binary.LittleEndian.AppendUint32(cmdArgs[:0], uint32(len(args)))
	for _, a := range args {
		// Strings and byte slices (most arguments) without a call.
		switch v := a.(type) {
		case string:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
			buf = append(buf, v...)
		case []byte:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
			buf = append(buf, v...)
		default:
			buf = appendNumber(buf, a)
		}
	}
	if cap(buf) <= keepBuf {
		cmdArgs = buf
	} else {
		cmdArgs = nil
	}
	return buf
}

// appendNumber appends the number a to buf as one list item: its length,
// then its decimal digits.
func appendNumber(buf []byte, a Arg) []byte {
	at := len(buf)
	buf = append(buf, 0, 0, 0, 0)
	switch v := a.(type) {
	case int:
		buf = appendDecimal(buf, int64(v))
	case int64:
		buf = appendDecimal(buf, v)
	case int32:
		buf = appendDecimal(buf, int64(v))
	case uint64:
		buf = strconv.AppendUint(buf, v, 10)
	case float64:
		buf = append(buf, formatDouble(v)...)
	default:
		panic("polyfn: command arguments must be strings, byte slices or numbers")
	}
	binary.LittleEndian.PutUint32(buf[at:], uint32(len(buf)-at-4))
	return buf
}

// Log levels for Log.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Log writes msg to the server log at level (LogDebug...LogWarning).
func Log(level int, msg string) { hostLog(level, msg) }

// SetResp chooses the RESP version (2 or 3) of the replies Call returns;
// any other version aborts the function with Redis's error.
func SetResp(version int) { hostSetResp(version) }

// Replication targets for SetRepl, as redis.REPL_*.
const (
	ReplNone    = 0
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = 3
)

// SetRepl sets where the function's effects are propagated.
func SetRepl(flags int) { hostSetRepl(flags) }

// ACLCheck reports whether the calling user may run the command args
// describe; an unknown command aborts the function.
func ACLCheck(args ...Arg) bool { return hostACLCheck(encodeCommand(args)) }

// keys and args of the call in progress, reused.
var keysScratch, argsScratch [][]byte

// dispatch runs the function with handle h on the encoded keys and args
// and appends its encoded reply to out. A panic in the function becomes
// an error reply ("ERR panic: ..."), unless it panicked with an error
// Reply.
func dispatch(out []byte, h uint32, in []byte) (reply []byte) {
	defer func() {
		if p := recover(); p != nil {
			if r, ok := p.(Reply); ok && r.IsError() {
				reply = appendRESP(out[:0], r)
				return
			}
			reply = appendRESP(out[:0], Error("ERR panic: "+panicText(p)))
		}
	}()
	if int(h) >= len(registry) {
		return appendRESP(out, Error("ERR polyfn SDK: no function with this handle"))
	}
	keys, rest := readList(keysScratch[:0], in)
	args, _ := readList(argsScratch[:0], rest)
	keysScratch, argsScratch = keys, args
	r := registry[h].fn(keys, args)
	// A large reply is encoded into one allocation (respLen is a walk of
	// an aggregate, so only a string that does not fit skips it).
	if r.Elems() != nil || r.n > cap(out)-len(out)-24 {
		out = slices.Grow(out, respLen(r))
	}
	return appendRESP(out, r)
}

func panicText(p any) string {
	switch v := p.(type) {
	case error:
		return v.Error()
	case string:
		return v
	}
	return "non-string panic value"
}
