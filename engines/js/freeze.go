package js

import (
	"fmt"

	"github.com/dop251/goja"
)

// Freezing a realm. The EVAL realm is shared by all scripts, so before
// the first one runs everything reachable from globalThis and from the
// intrinsics that no global names (the generator, async-function and
// iterator prototypes) is Object.freeze'd: no new globals, no replaced
// built-ins, no prototype pollution, nothing one run can leave for the
// next. That costs about 7 ms and 330 KB per realm (goja builds its
// built-in methods lazily, freezing builds them all), paid once per
// SCRIPT FLUSH; a fresh runtime per EVAL run would cost about 0.4 ms and
// 280 KB of garbage per run instead of microseconds.
//
// A library's realm is its own: its top-level code may define helpers
// and extend built-ins; once it has run, only globalThis is frozen (no
// globals created or reassigned at run time, as Lua's read-only library
// globals). Deep-freezing every library would cost those 7 ms and 330 KB
// per library and protect the library only from itself.
//
// Freezing prototypes brings JavaScript's "override mistake": assigning
// obj.toString = f, or this.name = 'MyError' in an Error subclass, fails
// when the prototype's property is read-only. For the properties code
// commonly overrides that way, the data property is replaced by an
// accessor whose setter defines the property on the object assigned to,
// as SES does.

// freezeJS returns the freezing function. It is compiled when the realm
// is made, so it closes over the original Object.freeze & co., which
// library code could otherwise replace before the realm is frozen.
const freezeJS = `(function () {
  'use strict';
  const freeze = Object.freeze, getProto = Object.getPrototypeOf,
    ownKeys = Reflect.ownKeys, getDesc = Object.getOwnPropertyDescriptor,
    define = Object.defineProperty, TE = TypeError;
  const tamed = [
    [Object.prototype, ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty']],
    [Function.prototype, ['toString']],
  ];
  for (const E of [Error, TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError]) {
    tamed.push([E.prototype, ['constructor', 'name', 'message', 'toString']]);
  }
  function tame(obj, key) {
    const d = getDesc(obj, key);
    if (!d || !('value' in d) || !d.configurable) return;
    const value = d.value;
    define(obj, key, {
      get() { return value; },
      set(v) {
        if (this === obj) throw new TE("Cannot assign to read only property '" + String(key) + "' of a frozen built-in");
        define(this, key, {value: v, writable: true, enumerable: true, configurable: true});
      },
      enumerable: d.enumerable, configurable: false,
    });
  }
  const hidden = [
    getProto(function* () {}), getProto(async function () {}), getProto((function* () {})()),
    getProto([][Symbol.iterator]()), getProto(new Map().entries()), getProto(new Set().values()),
    getProto(''[Symbol.iterator]()), getProto('a'.matchAll(/a/g)),
  ];
  return function freezeAll(deep) {
    if (!deep) { freeze(globalThis); return; }
    for (const [obj, keys] of tamed) for (const k of keys) tame(obj, k);
    const seen = new Set(), stack = [globalThis, ...hidden];
    while (stack.length > 0) {
      const o = stack.pop();
      if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
      seen.add(o);
      try { freeze(o); } catch (e) { /* typed arrays with elements cannot be frozen */ }
      for (const k of ownKeys(o)) {
        const d = getDesc(o, k);
        if (!d) continue;
        if ('value' in d) stack.push(d.value); else stack.push(d.get, d.set);
      }
      stack.push(getProto(o));
    }
  };
})()`

// freeze freezes the realm, deep or only globalThis (see above). It does
// so once.
func (r *realm) freeze(deep bool) error {
	if r.freezer == nil {
		return nil
	}
	f := r.freezer
	r.freezer = nil
	if _, err := f(goja.Undefined(), r.rt.ToValue(deep)); err != nil {
		return fmt.Errorf("ERR javascript engine: freezing the realm: %v", err)
	}
	return nil
}

// newFreezer compiles freezeJS in the realm.
func (r *realm) newFreezer() error {
	v, err := r.rt.RunString(freezeJS)
	if err != nil {
		return fmt.Errorf("ERR javascript engine setup: %v", err)
	}
	r.freezer, _ = goja.AssertFunction(v)
	return nil
}
