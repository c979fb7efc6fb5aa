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

import "strconv"

// Func is a library function: it gets the FCALL keys and arguments and
// returns the reply. keys and args stay valid after it returns.
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
func Call(args ...Arg) Reply { return command(true, args) }

// PCall runs a Redis command and returns its reply, errors included (an
// error reply is returned, as redis.pcall in Lua).
func PCall(args ...Arg) Reply { return command(false, args) }

var argScratch [][]byte

func command(raise bool, args []Arg) Reply {
	items := argScratch[:0]
	for _, a := range args {
		items = append(items, argBytes(a))
	}
	argScratch = items[:0]
	return hostCommand(raise, appendList(nil, items))
}

func argBytes(a Arg) []byte {
	switch v := a.(type) {
	case string:
		return []byte(v)
	case []byte:
		return v
	case int:
		return strconv.AppendInt(nil, int64(v), 10)
	case int64:
		return strconv.AppendInt(nil, v, 10)
	case int32:
		return strconv.AppendInt(nil, int64(v), 10)
	case uint64:
		return strconv.AppendUint(nil, v, 10)
	case float64:
		return []byte(formatDouble(v))
	}
	panic("polyfn: command arguments must be strings, byte slices or numbers")
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
func ACLCheck(args ...Arg) bool {
	items := make([][]byte, 0, len(args))
	for _, a := range args {
		items = append(items, argBytes(a))
	}
	return hostACLCheck(appendList(nil, items))
}

// dispatch runs the function with handle h on the encoded keys and args
// and returns its encoded reply. A panic in the function becomes an error
// reply ("ERR panic: ..."), unless it panicked with an error Reply.
func dispatch(h uint32, in []byte) (out []byte) {
	defer func() {
		if p := recover(); p != nil {
			if r, ok := p.(Reply); ok && r.IsError() {
				out = appendRESP(nil, r)
				return
			}
			out = appendRESP(nil, Error("ERR panic: "+panicText(p)))
		}
	}()
	if int(h) >= len(registry) {
		return appendRESP(nil, Error("ERR polyfn SDK: no function with this handle"))
	}
	keys, rest := readList(in)
	args, _ := readList(rest)
	return appendRESP(nil, registry[h].fn(keys, args))
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
