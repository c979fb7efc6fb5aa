package js

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// The redis object: Redis's scripting API with JavaScript (camelCase)
// names. README.md documents it.

// Error texts of the API that are not Redis's own.
const (
	errArgType     = "ERR redis.call arguments must be strings, numbers, BigInts, Uint8Arrays or ArrayBuffers"
	errNotAtLoad   = "ERR %s can only be called inside a function, not while the library loads"
	errRegisterRun = "ERR redis.registerFunction can only be called on FUNCTION LOAD command"
)

func (r *realm) newRedisObject() *goja.Object {
	o := r.rt.NewObject()
	fns := map[string]func(goja.FunctionCall) goja.Value{
		"call":             func(c goja.FunctionCall) goja.Value { return r.redisCall(c, true) },
		"pcall":            func(c goja.FunctionCall) goja.Value { return r.redisCall(c, false) },
		"errorReply":       r.errorReplyFn,
		"statusReply":      r.statusReplyFn,
		"sha1hex":          r.sha1hex,
		"log":              r.log,
		"setResp":          r.setResp,
		"setRepl":          r.setRepl,
		"aclCheckCmd":      r.aclCheckCmd,
		"registerFunction": r.registerFunction,
	}
	for name, fn := range fns {
		o.Set(name, fn)
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": core.LogDebug, "LOG_VERBOSE": core.LogVerbose, "LOG_NOTICE": core.LogNotice, "LOG_WARNING": core.LogWarning,
		"REPL_NONE": core.ReplNone, "REPL_AOF": core.ReplAOF, "REPL_SLAVE": core.ReplReplica, "REPL_REPLICA": core.ReplReplica, "REPL_ALL": core.ReplAll,
		"REDIS_VERSION_NUM": core.RedisVersionNum,
	} {
		o.Set(name, v)
	}
	o.Set("REDIS_VERSION", core.RedisVersion)
	return o
}

// throw raises a ReplyError with msg (which carries its error code) in
// the script.
func (r *realm) throw(msg string) {
	panic(r.newReplyError(msg))
}

// needHost throws when the API function what is used outside a run
// (at library load time).
func (r *realm) needHost(what string) {
	if r.host == nil {
		r.throw(strings.Replace(errNotAtLoad, "%s", what, 1))
	}
}

// redisCall is redis.call (raise true) and redis.pcall.
func (r *realm) redisCall(c goja.FunctionCall, raise bool) goja.Value {
	name := "redis.pcall"
	if raise {
		name = "redis.call"
	}
	r.needHost(name)
	fail := func(msg string) goja.Value {
		if raise {
			r.throw(msg)
		}
		return r.newReplyError(msg)
	}
	if len(c.Arguments) == 0 {
		return fail(core.ErrScriptNoArgs)
	}
	// The arguments are built in buffers reused from call to call: the
	// host does not keep them.
	args, buf := r.argv[:0], r.argBuf[:0]
	ends := make([]int, 0, 8)
	for _, a := range c.Arguments {
		var ok bool
		if buf, ok = argBytes(buf, a); !ok {
			return fail(errArgType)
		}
		ends = append(ends, len(buf))
	}
	off := 0
	for _, end := range ends {
		args = append(args, buf[off:end:end])
		off = end
	}
	r.argv, r.argBuf = args, buf
	v := r.host.Call(args)
	if v.Kind == core.VError {
		return fail(string(v.Str))
	}
	return r.toJS(v, r.host.Resp(), 0)
}

// argBytes appends a redis.call argument to buf: strings as UTF-8,
// numbers and BigInts as JavaScript prints them, Uint8Array and
// ArrayBuffer as their bytes. Anything else is refused.
func argBytes(buf []byte, v goja.Value) ([]byte, bool) {
	switch {
	case goja.IsString(v), goja.IsNumber(v), goja.IsBigInt(v):
		return append(buf, v.String()...), true
	}
	if b, ok := exportBytes(v); ok {
		return append(buf, b...), true
	}
	return buf, false
}

// exportBytes returns the bytes of a Uint8Array or an ArrayBuffer (not a
// copy).
func exportBytes(v goja.Value) ([]byte, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch t := o.ExportType(); t {
	case typeBytes:
		b, ok := o.Export().([]byte)
		return b, ok
	case typeArrayBuffer:
		ab, ok := o.Export().(goja.ArrayBuffer)
		return ab.Bytes(), ok
	}
	return nil, false
}

// errorReplyFn is redis.errorReply(msg): an error reply object, answered
// as it is when returned (a leading "-" is dropped; no code is added).
func (r *realm) errorReplyFn(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) != 1 || !goja.IsString(c.Arguments[0]) {
		r.throw("ERR wrong number or type of arguments")
	}
	msg := strings.TrimPrefix(c.Arguments[0].String(), "-")
	return r.newReplyError(strings.Trim(msg, "\r\n"))
}

// statusReplyFn is redis.statusReply(msg): a status reply object.
func (r *realm) statusReplyFn(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) != 1 || !goja.IsString(c.Arguments[0]) {
		r.throw("ERR wrong number or type of arguments")
	}
	return r.newStatus(c.Arguments[0])
}

func (r *realm) sha1hex(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) != 1 {
		r.throw("ERR wrong number of arguments")
	}
	b, ok := argBytes(nil, c.Arguments[0])
	if !ok {
		b = []byte(c.Arguments[0].String())
	}
	return r.rt.ToValue(core.SHA1Hex(b))
}

func (r *realm) log(c goja.FunctionCall) goja.Value {
	if len(c.Arguments) < 2 {
		r.throw("ERR redis.log() requires two arguments or more.")
	}
	if !goja.IsNumber(c.Arguments[0]) {
		r.throw("ERR First argument must be a number (log level).")
	}
	level := c.Arguments[0].ToInteger()
	if level < core.LogDebug || level > core.LogWarning {
		r.throw("ERR Invalid debug level.")
	}
	parts := make([]string, 0, len(c.Arguments)-1)
	for _, a := range c.Arguments[1:] {
		if b, ok := exportBytes(a); ok {
			parts = append(parts, string(b))
		} else {
			parts = append(parts, a.String())
		}
	}
	if r.host != nil { // at load time the message goes nowhere, as Lua's
		r.host.Log(int(level), strings.Join(parts, " "))
	}
	return goja.Undefined()
}

func (r *realm) setResp(c goja.FunctionCall) goja.Value {
	r.needHost("redis.setResp")
	if len(c.Arguments) != 1 {
		r.throw("ERR redis.setResp() requires one argument.")
	}
	if err := r.host.SetResp(int(c.Arguments[0].ToInteger())); err != nil {
		r.throw(err.Error())
	}
	return goja.Undefined()
}

func (r *realm) setRepl(c goja.FunctionCall) goja.Value {
	r.needHost("redis.setRepl")
	if len(c.Arguments) != 1 {
		r.throw("ERR redis.setRepl() requires one argument.")
	}
	if err := r.host.SetRepl(int(c.Arguments[0].ToInteger())); err != nil {
		r.throw(err.Error())
	}
	return goja.Undefined()
}

func (r *realm) aclCheckCmd(c goja.FunctionCall) goja.Value {
	r.needHost("redis.aclCheckCmd")
	if len(c.Arguments) == 0 {
		r.throw(core.ErrScriptNoArgs)
	}
	args := make([][]byte, len(c.Arguments))
	for i, a := range c.Arguments {
		b, ok := argBytes(nil, a)
		if !ok {
			r.throw(errArgType)
		}
		args[i] = b
	}
	ok, err := r.host.ACLCheck(args)
	if err != nil {
		r.throw(err.Error())
	}
	return r.rt.ToValue(ok)
}
