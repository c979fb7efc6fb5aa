package js

import (
	"fmt"

	"github.com/dop251/goja"
)

// Freezing a realm. Once frozen, everything reachable from globalThis and
// from the intrinsics that no global names (the generator, async-function
// and iterator prototypes) is Object.freeze'd: no new globals, no
// replaced built-ins, no prototype pollution. The EVAL realm is frozen
// before the first script runs; a library's realm once its top-level code
// has run (which may still define helpers and extend built-ins for
// itself).
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
  return function freezeAll() {
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

// freeze freezes the realm (see above).
func (r *realm) freeze() error {
	if r.freezer == nil {
		return nil
	}
	f := r.freezer
	r.freezer = nil
	if _, err := f(goja.Undefined()); err != nil {
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
