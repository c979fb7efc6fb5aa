package js

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// Memory limits (the core's script-max-memory, Host.MemoryLimit). goja
// checks for an interrupt between instructions, never inside a built-in:
// 'x'.repeat(2 ** 31), new Array(2 ** 32 - 1).fill(0) or
// JSON.stringify(new Array(2 ** 32 - 1)) would allocate gigabytes in one
// step, which the core's heap watchdog cannot stop and Go cannot survive.
// So, before any user code runs, guardJS replaces the built-ins that
// build a value whose size the script chooses with wrappers that estimate
// the size first (16 bytes per array element, 2 per character, 1 per
// buffer byte) and refuse what is over the limit:
//
//   - String.prototype: repeat, padStart, padEnd, and its iterator;
//   - Array.prototype: the methods that walk or build `length` elements
//     in one step (fill, join, map, sort, indexOf...), and its iterators
//     (spread, Array.from, for...of of a huge sparse array);
//   - Array.from, Function.prototype.apply, Reflect.apply and
//     Reflect.construct (argument lists);
//   - ArrayBuffer, SharedArrayBuffer and the typed array constructors,
//     and the typed arrays' iterators;
//   - JSON.stringify, whose output is counted as it is produced, and
//     JSON.parse, whose input's nesting is bounded.
//
// Refusing is stopping the run, as the core's watchdog does (Host
// OutOfMemory, and an interrupt no catch can swallow); while a library
// loads, it fails the load. What grows a little at a time (a push loop)
// is the watchdog's business.
//
// Residual: an array-like whose length getter (or a Proxy) lies, saying
// one length to the check and another to the built-in, is not caught.

// errMemory is the interrupt value of a library load stopped by the limit.
var errMemory = errors.New("memory limit")

// maxJSONDepth bounds the nesting of JSON.parse's input and
// JSON.stringify's output: goja recurses on the Go stack for each level.
const maxJSONDepth = 10000

const guardJS = `(function (check, limit, jsonDepth, maxDepth, codeDepth, counter, joinSize) {
  'use strict';
  const apply = Reflect.apply, construct = Reflect.construct, define = Object.defineProperty,
    getDesc = Object.getOwnPropertyDescriptor, isArray = Array.isArray, getProto = Object.getPrototypeOf,
    ELEM = 16, CHAR = 2, iter = Symbol.iterator;
  function toLen(o) {
    if (o === null || o === undefined) return 0;
    const n = +o.length;
    return n > 0 ? Math.min(Math.floor(n), 2 ** 53 - 1) : 0;
  }
  function wrap(obj, key, before) {
    const d = getDesc(obj, key);
    if (!d || typeof d.value !== 'function') return;
    const orig = d.value;
    const f = {[key]: function (...args) { before(this, args); return apply(orig, this, args); }}[key];
    define(f, 'name', {value: orig.name});
    define(f, 'length', {value: orig.length});
    define(obj, key, {value: f, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable});
  }
  // wrapCtor replaces a constructor with a plain function that checks its
  // arguments first (a Proxy would fail goja's instanceof); instances,
  // prototype, statics and subclassing stay as they were.
  function wrapCtor(orig, before, needNew) {
    const F = {[orig.name]: function (...args) {
      if (needNew && new.target === undefined) throw new TypeError("Constructor " + orig.name + " requires 'new'");
      before(args);
      return construct(orig, args, new.target === undefined || new.target === F ? orig : new.target);
    }}[orig.name];
    for (const k of Reflect.ownKeys(orig)) {
      if (k !== 'prototype' && k !== 'caller' && k !== 'arguments') define(F, k, getDesc(orig, k));
    }
    define(F, 'prototype', {value: orig.prototype, writable: false, enumerable: false, configurable: false});
    Object.setPrototypeOf(F, getProto(orig));
    define(orig.prototype, 'constructor', {value: F, writable: true, enumerable: false, configurable: true});
    return F;
  }
  function replaceGlobal(key, before) {
    if (typeof globalThis[key] !== 'function') return;
    define(globalThis, key, {value: wrapCtor(globalThis[key], before, true), writable: true, enumerable: false, configurable: true});
  }
  const elems = (self) => { check(toLen(self) * ELEM); };
  // String.prototype
  const S = String.prototype;
  wrap(S, 'repeat', (s, a) => { check(String(s).length * Math.max(0, +a[0] || 0) * CHAR); });
  const pad = (s, a) => { check(Math.max(String(s).length, +a[0] || 0) * CHAR); };
  wrap(S, 'padStart', pad);
  wrap(S, 'padEnd', pad);
  wrap(S, iter, (s) => { check(String(s).length * ELEM); });
  // Array.prototype
  const A = Array.prototype;
  for (const k of ['fill', 'map', 'filter', 'forEach', 'some', 'every', 'reduce', 'reduceRight',
    'indexOf', 'lastIndexOf', 'includes', 'find', 'findIndex', 'findLast', 'findLastIndex',
    'reverse', 'copyWithin', 'splice', 'slice', 'flat', 'flatMap', 'sort', 'unshift', 'shift',
    'toReversed', 'toSorted', 'toSpliced', 'with', 'keys', 'values', 'entries', iter]) {
    wrap(A, k, elems);
  }
  wrap(A, 'concat', (self, a) => {
    let n = toLen(self);
    for (const x of a) n += isArray(x) ? toLen(x) : 1;
    check(n * ELEM);
  });
  const join = (self, a) => {
    const max = limit();
    if (max <= 0) return;
    const n = toLen(self);
    check(n * ELEM);
    check(joinSize(self, n, a[0] === undefined ? 1 : String(a[0]).length) * CHAR);
  };
  wrap(A, 'join', join);
  wrap(A, 'toLocaleString', (self) => join(self, []));
  wrap(Array, 'from', (self, a) => { if (a[0] !== null && a[0] !== undefined && typeof a[0][iter] !== 'function') check(toLen(a[0]) * ELEM); });
  const argList = (i) => (self, a) => { if (a[i] !== null && typeof a[i] === 'object') check(toLen(a[i]) * ELEM); };
  wrap(Function.prototype, 'apply', argList(1));
  wrap(Reflect, 'apply', argList(2));
  wrap(Reflect, 'construct', argList(1));
  // Buffers and typed arrays.
  const bytes = (size) => (a) => {
    const x = a[0];
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'bigint') check(Math.max(0, Number(x)) * size);
    else if (x !== null && typeof x === 'object' && !(x instanceof ArrayBuffer)) check(toLen(x) * Math.max(size, ELEM));
  };
  replaceGlobal('ArrayBuffer', bytes(1));
  replaceGlobal('SharedArrayBuffer', bytes(1));
  for (const [k, size] of [['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1], ['Int16Array', 2],
    ['Uint16Array', 2], ['Int32Array', 4], ['Uint32Array', 4], ['Float32Array', 4], ['Float64Array', 8],
    ['BigInt64Array', 8], ['BigUint64Array', 8]]) {
    replaceGlobal(k, bytes(size));
  }
  const TA = getProto(Int8Array.prototype);
  for (const k of ['keys', 'values', 'entries', iter]) wrap(TA, k, (self) => { check(self.length * ELEM); });
  // JSON
  const stringify0 = JSON.stringify, parse0 = JSON.parse;
  define(JSON, 'stringify', {value: function stringify(value, replacer, space) {
    if (limit() <= 0 && typeof replacer !== 'function') return apply(stringify0, JSON, [value, replacer, space]);
    const pad = typeof space === 'number' ? Math.min(10, Math.max(0, space)) : typeof space === 'string' ? Math.min(10, space.length) : 0;
    if (isArray(replacer)) {
      // The allowed keys decide the output's order: count first, then
      // let the built-in produce it.
      const allowed = [];
      for (const k of replacer) if (typeof k === 'string' || typeof k === 'number') allowed.push(String(k));
      apply(stringify0, JSON, [value, counter(undefined, allowed, pad), space]);
      return apply(stringify0, JSON, [value, replacer, space]);
    }
    return apply(stringify0, JSON, [value, counter(typeof replacer === 'function' ? replacer : undefined, undefined, pad), space]);
  }, writable: true, enumerable: false, configurable: true});
  define(JSON, 'parse', {value: function parse(text, reviver) {
    const s = String(text);
    if (jsonDepth(s) > maxDepth) throw new SyntaxError('JSON nested too deeply');
    return apply(parse0, JSON, [s, reviver]);
  }, writable: true, enumerable: false, configurable: true});
  // Code compiled at run time: goja's parser recurses for each level.
  const deepCode = (args) => {
    for (const a of args) if (codeDepth(String(a))) throw new SyntaxError('code nested too deeply');
  };
  const eval0 = globalThis.eval;
  // An indirect eval (global scope): goja's direct eval cannot be wrapped.
  define(globalThis, 'eval', {value: ({eval(x) {
    if (typeof x === 'string') deepCode([x]);
    return apply(eval0, undefined, [x]);
  }}).eval, writable: true, enumerable: false, configurable: true});
  const fnCtors = [Function, getProto(async function () {}).constructor, getProto(function* () {}).constructor];
  for (const F of fnCtors) {
    const w = wrapCtor(F, deepCode, false);
    if (F === Function) define(globalThis, 'Function', {value: w, writable: true, enumerable: false, configurable: true});
  }
})`

// installGuards runs guardJS in r.
func (r *realm) installGuards() error {
	v, err := r.rt.RunString(guardJS)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(v)
	check := r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		r.checkAlloc(c.Argument(0).ToFloat())
		return goja.Undefined()
	})
	limit := r.rt.ToValue(func(goja.FunctionCall) goja.Value { return r.rt.ToValue(r.limit) })
	depth := r.rt.ToValue(func(c goja.FunctionCall) goja.Value { return r.rt.ToValue(jsonDepth(c.Argument(0).String())) })
	deep := r.rt.ToValue(func(c goja.FunctionCall) goja.Value { return r.rt.ToValue(codeTooDeep(c.Argument(0).String())) })
	counter := r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		return r.jsonCounter(c.Argument(0), c.Argument(1), c.Argument(2))
	})
	join := r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		return r.rt.ToValue(joinSize(c.Argument(0), c.Argument(1).ToInteger(), c.Argument(2).ToInteger()))
	})
	rangeError, ok := goja.AssertConstructor(r.rt.Get("RangeError"))
	if !ok {
		return errors.New("no RangeError")
	}
	r.rangeError = rangeError
	_, err = fn(goja.Undefined(), check, limit, depth, r.rt.ToValue(maxJSONDepth), deep, counter, join)
	return err
}

// checkAlloc stops the run (or fails the load) when a value of n bytes
// would be over the limit.
func (r *realm) checkAlloc(n float64) {
	if r.limit <= 0 || n <= float64(r.limit) && !math.IsNaN(n) {
		return
	}
	r.outOfMemory()
}

// charge takes n bytes off what the reply being converted may still
// take (replyLeft), stopping the run when it is over.
func (r *realm) charge(n int64) {
	if r.replyLeft -= n; r.replyLeft < 0 {
		r.outOfMemory()
	}
}

// valueSize is what one reply value costs: a core.Value, twice over for
// the slack of the slices that grow to hold them.
const valueSize = 2 * int64(unsafe.Sizeof(core.Value{}))

// outOfMemory stops the run for exceeding the memory limit: the host is
// told, and the interrupt (which no catch block can swallow) arrives at
// the next instruction; the exception thrown here only keeps the built-in
// from running.
func (r *realm) outOfMemory() {
	msg := core.ScriptMemoryError(r.limit)
	r.oom = true
	if r.host != nil {
		r.host.OutOfMemory()
		msg = r.host.KillReason()
		r.rt.Interrupt(errKilled)
	} else {
		r.rt.Interrupt(errMemory)
	}
	panic(r.rt.NewGoError(errors.New(msg)))
}

// jsonDepth is the deepest nesting of arrays and objects in JSON text
// (brackets inside strings are not counted).
func jsonDepth(s string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > deepest {
				deepest = depth
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// maxCodeDepth bounds the nesting of brackets in code given to goja's
// parser (and esbuild's), which recurse on the Go stack for each level:
// code nested a few million deep would overflow it and end the process.
const maxCodeDepth = 1000

// errCodeTooDeep is the compile error of code nested deeper.
var errCodeTooDeep = errors.New("code nested too deeply (more than 1000 levels of brackets)")

// codeTooDeep reports whether JavaScript (or TypeScript) code nests
// brackets more than maxCodeDepth deep. Strings, template literals and
// comments are skipped; a bracket in a regular expression literal counts,
// which can only make the estimate higher.
func codeTooDeep(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', '[', '{':
			if depth++; depth > maxCodeDepth {
				return true
			}
		case ')', ']', '}':
			depth--
		case '"', '\'', '`':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(s) && s[i+1] == '/' {
				for i < len(s) && s[i] != '\n' {
					i++
				}
			} else if i+1 < len(s) && s[i+1] == '*' {
				end := strings.Index(s[i+2:], "*/")
				if end < 0 {
					return false
				}
				i += end + 3
			}
		}
	}
	return false
}

// joinSize estimates the length of the join of an array-like's n elements
// with a separator of sepLen characters: the string elements' lengths, 24
// for any other.
func joinSize(v goja.Value, n, sepLen int64) int64 {
	o, ok := v.(*goja.Object)
	if !ok {
		return 0
	}
	total := n * sepLen
	var buf [20]byte
	for i := int64(0); i < n; i++ {
		if s, ok := o.Get(string(strconv.AppendInt(buf[:0], i, 10))).(goja.String); ok {
			total += int64(s.Length())
		} else {
			total += 24
		}
	}
	return total
}

// jsonCounter returns the replacer JSON.stringify runs with: it calls the
// user's replacer (user, a function or undefined), drops the keys an
// array replacer does not allow (allowed, an array of strings or
// undefined), and counts the output as it is produced (pad: the
// indentation per level), stopping the run past the memory limit and
// throwing a RangeError past maxJSONDepth levels.
func (r *realm) jsonCounter(user, allowed, pad goja.Value) goja.Value {
	userFn, _ := goja.AssertFunction(user)
	var allow map[string]bool
	if o, ok := allowed.(*goja.Object); ok {
		var keys []string
		if err := r.rt.ExportTo(o, &keys); err == nil {
			allow = make(map[string]bool, len(keys))
			for _, k := range keys {
				allow[k] = true
			}
		}
	}
	indent := pad.ToInteger()
	depth := map[*goja.Object]int64{}
	var total int64
	return r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		key, val := c.Argument(0), c.Argument(1)
		holder, _ := c.This.(*goja.Object)
		if userFn != nil {
			v, err := userFn(c.This, key, val)
			if err != nil {
				panic(err)
			}
			val = v
		}
		k := key.String()
		if allow != nil && k != "" && holder != nil && holder.ClassName() != "Array" && !allow[k] {
			return goja.Undefined()
		}
		d := depth[holder] + 1
		switch v := val.(type) {
		case *goja.Object:
			if d > maxJSONDepth {
				panic(r.rt.ToValue(r.newRangeError("Maximum call stack size exceeded")))
			}
			depth[v] = d
			if v.ClassName() == "Array" {
				total += 2 * v.Get("length").ToInteger() // "0," at least, holes included
			}
			total += 8
		case goja.String:
			total += int64(v.Length()) + 2
		default:
			total += 8
		}
		total += int64(len(k)) + 4 + indent*d
		if r.limit > 0 && 2*total > r.limit {
			r.outOfMemory()
		}
		return val
	})
}

// newRangeError makes a RangeError of the realm (captured before user
// code could replace the global).
func (r *realm) newRangeError(msg string) *goja.Object {
	o, err := r.rangeError(nil, r.rt.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return o
}
