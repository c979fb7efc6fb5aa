package wasm

import (
	"context"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The host module a guest imports from (ABI.md lists each function).
const hostModule = "polyfn"

var hostImportNames = map[string]bool{
	"register_function": true, "call": true, "pcall": true, "reply_read": true,
	"log": true, "setresp": true, "set_repl": true, "acl_check": true,
}

// Error texts of the host imports.
const (
	errRegisterRun = "ERR polyfn.register_function can only be called from polyfn_init"
	errNotAtLoad   = "ERR polyfn.%s can only be called inside a function, not while the library loads"
	errOutOfBounds = "ERR wasm guest passed memory out of bounds"
	errNoArgs      = "ERR Please specify at least one argument for this redis lib call"
	errLogLevel    = "ERR Invalid log level"
)

var i32 = api.ValueTypeI32

func types(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = i32
	}
	return t
}

// instantiateHost adds the "polyfn" host module to rt. Its functions find
// the run in progress in e.run (the core calls one engine method at a
// time).
func (e *Engine) instantiateHost(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(hostModule)
	fn := func(name string, f api.GoModuleFunc, params, results int) {
		b.NewFunctionBuilder().WithGoModuleFunction(f, types(params), types(results)).Export(name)
	}
	fn("register_function", e.registerFunction, 7, 0)
	fn("call", e.callCommand(true), 4, 1)
	fn("pcall", e.callCommand(false), 4, 1)
	fn("reply_read", e.replyRead, 2, 1)
	fn("log", e.log, 3, 0)
	fn("setresp", e.setResp, 1, 0)
	fn("set_repl", e.setRepl, 1, 0)
	fn("acl_check", e.aclCheck, 2, 1)
	_, err := b.Instantiate(ctx)
	return err
}

// An i32 parameter arrives in the low 32 bits of its uint64 stack slot;
// the high bits are whatever the guest left there (Go's wasm compiler
// leaves garbage), so every parameter is read through uint32 or int32.

// trap aborts the guest's current export call with msg as its error.
func (e *Engine) trap(msg string) {
	e.run.abort = msg
	panic(errTrap)
}

// read returns guest memory [ptr, ptr+n), trapping when out of bounds.
// The bytes alias guest memory.
func (e *Engine) read(m api.Module, ptr, n uint64) []byte {
	b, ok := m.Memory().Read(uint32(ptr), uint32(n))
	if !ok {
		e.trap(errOutOfBounds)
	}
	return b
}

// running traps when no function is running (the library is loading).
func (e *Engine) running(name string) core.Host {
	if e.run.host == nil {
		e.trap(fmt.Sprintf(errNotAtLoad, name))
	}
	return e.run.host
}

// registerFunction is polyfn.register_function(name_ptr, name_len,
// flags_ptr, flags_len, desc_ptr, desc_len, handle).
func (e *Engine) registerFunction(_ context.Context, m api.Module, s []uint64) {
	if !e.run.registering {
		e.trap(errRegisterRun)
	}
	f := &core.Function{
		Name:        string(e.read(m, s[0], s[1])),
		Description: string(e.read(m, s[4], s[5])),
		Handle:      &wasmFunction{lib: e.run.lib, handle: uint32(s[6])},
	}
	if !core.ValidName(f.Name) {
		e.trap(core.ErrLibNameInvalid)
	}
	for _, other := range e.run.registered {
		if other.Name == f.Name {
			e.trap(core.ErrFunctionInLibExists)
		}
	}
	for _, name := range strings.FieldsFunc(string(e.read(m, s[2], s[3])), func(r rune) bool { return r == ',' || r == ' ' }) {
		flag, err := core.ParseScriptFlag(name)
		if err != nil {
			e.trap("ERR " + err.Error())
		}
		f.Flags |= flag
	}
	e.run.registered = append(e.run.registered, f)
}

// callCommand is polyfn.call (raise) and polyfn.pcall(args_ptr, args_len,
// buf_ptr, buf_cap) -> reply_len.
func (e *Engine) callCommand(raise bool) api.GoModuleFunc {
	name := "pcall"
	if raise {
		name = "call"
	}
	return func(_ context.Context, m api.Module, s []uint64) {
		h := e.running(name)
		args, rest, err := readList(e.run.argv, e.read(m, s[0], s[1]))
		if err != nil || len(rest) != 0 {
			e.trap(errBadList.Error())
		}
		e.run.argv = args
		var v core.Value
		if len(args) == 0 {
			v = core.ErrorValue(errNoArgs)
		} else {
			v = h.Call(args)
		}
		if raise && v.Kind == core.VError {
			e.trap(string(v.Str))
		}
		e.run.pending = appendReply(e.run.pending[:0], v, h.Resp())
		s[0] = uint64(uint32(len(e.run.pending)))
		if uint64(len(e.run.pending)) <= uint64(uint32(s[3])) {
			if !m.Memory().Write(uint32(s[2]), e.run.pending) {
				e.trap(errOutOfBounds)
			}
			e.run.pending = e.run.pending[:0]
		}
	}
}

// replyRead is polyfn.reply_read(ptr, cap) -> len: it copies the last
// call's reply that did not fit the guest's buffer, when cap allows.
func (e *Engine) replyRead(_ context.Context, m api.Module, s []uint64) {
	n := uint64(len(e.run.pending))
	if n <= uint64(uint32(s[1])) {
		if !m.Memory().Write(uint32(s[0]), e.run.pending) {
			e.trap(errOutOfBounds)
		}
		e.run.pending = e.run.pending[:0]
	}
	s[0] = n
}

// log is polyfn.log(level, msg_ptr, msg_len). At load time the message
// goes nowhere, as Lua's.
func (e *Engine) log(_ context.Context, m api.Module, s []uint64) {
	level := int(int32(s[0]))
	if level < core.LogDebug || level > core.LogWarning {
		e.trap(errLogLevel)
	}
	msg := e.read(m, s[1], s[2])
	if e.run.host != nil {
		e.run.host.Log(level, string(msg))
	}
}

// setResp is polyfn.setresp(version).
func (e *Engine) setResp(_ context.Context, _ api.Module, s []uint64) {
	if err := e.running("setresp").SetResp(int(int32(s[0]))); err != nil {
		e.trap(err.Error())
	}
}

// setRepl is polyfn.set_repl(flags).
func (e *Engine) setRepl(_ context.Context, _ api.Module, s []uint64) {
	if err := e.running("set_repl").SetRepl(int(int32(s[0]))); err != nil {
		e.trap(err.Error())
	}
}

// aclCheck is polyfn.acl_check(args_ptr, args_len) -> 1 (allowed) or 0.
func (e *Engine) aclCheck(_ context.Context, m api.Module, s []uint64) {
	h := e.running("acl_check")
	args, rest, err := readList(e.run.argv, e.read(m, s[0], s[1]))
	if err != nil || len(rest) != 0 {
		e.trap(errBadList.Error())
	}
	e.run.argv = args
	if len(args) == 0 {
		e.trap(errNoArgs)
	}
	ok, err := h.ACLCheck(args)
	if err != nil {
		e.trap(err.Error())
	}
	s[0] = 0
	if ok {
		s[0] = 1
	}
}
