package js

import (
	"strconv"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// registerFunction is redis.registerFunction, positional (name, callback)
// or named ({name, callback, flags, description}). Its errors are Lua's
// register_function's, with the JavaScript names.
func (r *realm) registerFunction(c goja.FunctionCall) goja.Value {
	if !r.loading {
		r.throw(errRegisterRun)
	}
	f := &core.Function{}
	var cb goja.Callable
	var cbValue goja.Value
	switch len(c.Arguments) {
	case 1:
		o, ok := c.Arguments[0].(*goja.Object)
		if !ok || o.ClassName() != "Object" {
			r.throw("ERR calling redis.registerFunction with a single argument is only applicable to an object (representing named arguments).")
		}
		cb, cbValue = r.namedRegistration(o, f)
	case 2:
		if !goja.IsString(c.Arguments[0]) {
			r.throw("ERR first argument to redis.registerFunction must be a string")
		}
		f.Name = c.Arguments[0].String()
		var ok bool
		cbValue = c.Arguments[1]
		if cb, ok = goja.AssertFunction(cbValue); !ok {
			r.throw("ERR second argument to redis.registerFunction must be a function")
		}
	default:
		r.throw("ERR wrong number of arguments to redis.registerFunction")
	}
	if !core.ValidName(f.Name) {
		r.throw(core.ErrLibNameInvalid)
	}
	for _, other := range r.registered {
		if other.Name == f.Name {
			r.throw(core.ErrFunctionInLibExists)
		}
	}
	f.Handle = &jsFunction{realm: r, fn: cb, shape: callbackShape(r.fnToString, cbValue)}
	r.registered = append(r.registered, f)
	return goja.Undefined()
}

func (r *realm) namedRegistration(o *goja.Object, f *core.Function) (goja.Callable, goja.Value) {
	var cb goja.Callable
	var cbValue goja.Value
	named := false
	for _, k := range o.Keys() {
		v := o.Get(k)
		switch k {
		case "name":
			if !goja.IsString(v) {
				r.throw("ERR name argument given to redis.registerFunction must be a string")
			}
			f.Name, named = v.String(), true
		case "description":
			if !goja.IsString(v) {
				r.throw("ERR description argument given to redis.registerFunction must be a string")
			}
			f.Description = v.String()
		case "callback":
			fn, ok := goja.AssertFunction(v)
			if !ok {
				r.throw("ERR callback argument given to redis.registerFunction must be a function")
			}
			cb, cbValue = fn, v
		case "flags":
			fo, ok := v.(*goja.Object)
			if !ok || fo.ClassName() != "Array" {
				r.throw("ERR flags argument to redis.registerFunction must be an array representing function flags")
			}
			n := fo.Get("length").ToInteger()
			for i := int64(0); i < n; i++ {
				e := fo.Get(strconv.FormatInt(i, 10))
				if !goja.IsString(e) {
					r.throw("ERR " + core.ErrUnknownFlag.Error())
				}
				flag, err := core.ParseScriptFlag(e.String())
				if err != nil {
					r.throw("ERR " + err.Error())
				}
				f.Flags |= flag
			}
		default:
			r.throw("ERR unknown argument given to redis.registerFunction")
		}
	}
	if !named {
		r.throw("ERR redis.registerFunction must get a function name argument")
	}
	if cb == nil {
		r.throw("ERR redis.registerFunction must get a callback argument")
	}
	return cb, cbValue
}
