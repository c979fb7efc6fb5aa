package js

import (
	"math"
	"math/big"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/dop251/goja"
	"github.com/polyfn/polyfn/core"
)

// Conversions between core reply values and JavaScript values (README.md
// has the table).
//
// Bytes: Redis values are bytes, JavaScript strings are UTF-16. A value
// whose bytes are valid UTF-8 becomes a string (which converts back to
// the same bytes); any other value becomes a Uint8Array, so no byte is
// ever lost or replaced. Scripts may pass strings, Uint8Arrays and
// ArrayBuffers wherever Redis takes bytes.

// maxReplyDepth bounds the nesting of a reply converted either way (and
// so catches cyclic structures).
const maxReplyDepth = 1000

var (
	typeBytes       = reflect.TypeOf([]byte(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
	typeBool        = reflect.TypeOf(true)
	// goja's Map and Set objects are of class Object; their export types
	// tell them apart (a Set exports as an array does).
	typeMap     = reflect.TypeOf([][2]any{})
	typeSetLike = reflect.TypeOf([]any{})
	typePromise = reflect.TypeOf((*goja.Promise)(nil))
)

// maxSafeInteger is Number.MAX_SAFE_INTEGER: integers up to it convert
// to numbers exactly; larger ones become BigInts.
const maxSafeInteger = 1<<53 - 1

// bytesValue converts bytes for the script: a string when they are
// valid UTF-8, a Uint8Array (of a copy) otherwise.
func (r *realm) bytesValue(b []byte) goja.Value {
	if r.ascii.ok && isASCII(unsafe.String(unsafe.SliceData(b), len(b))) {
		return r.ascii.copyValue(b)
	}
	if utf8.Valid(b) {
		return r.rt.ToValue(string(b))
	}
	return r.binaryValue(b)
}

// binaryValue is a Uint8Array of a copy of b.
func (r *realm) binaryValue(b []byte) goja.Value {
	buf := r.rt.NewArrayBuffer(append([]byte(nil), b...))
	o, err := r.uint8Array(nil, r.rt.ToValue(buf))
	if err != nil {
		panic(err)
	}
	return o
}

// callArgs returns the arguments of a call of jf, in r.args: the arrays
// of keys and args it can see, the same ones as last time when its shape
// allows (params.go). Their strings are cut from one string
// (core.JoinArgs), and the headers of their ASCII ones are in one slice.
func (r *realm) callArgs(jf *jsFunction, keys, args [][]byte) []goja.Value {
	sh := &jf.shape
	if sh.arity == 0 {
		return nil
	}
	lists := [argsAll][][]byte{keys, args}
	var needed [argsAll][][]byte
	k, items, size := 0, 0, 0
	for i := 0; i < sh.arity; i++ {
		if sh.need[i] {
			needed[k] = lists[i]
			k++
			items += len(lists[i])
			for _, b := range lists[i] {
				size += len(b)
			}
		}
	}
	var strs string
	var hdrs []string
	switch {
	case items == 0:
	case r.ascii.ok && items <= 2 && size <= 32:
		// One allocation for the bytes and the headers.
		blk := new(struct {
			hdrs [2]string
			buf  [32]byte
		})
		strs, hdrs = joinInto(blk.buf[:], needed[:k]), blk.hdrs[:items]
	case r.ascii.ok && items <= 4 && size <= 64:
		blk := new(struct {
			hdrs [4]string
			buf  [64]byte
		})
		strs, hdrs = joinInto(blk.buf[:], needed[:k]), blk.hdrs[:items]
	case r.ascii.ok:
		strs, hdrs = core.JoinArgs(needed[:k]...), make([]string, items)
	default:
		strs = core.JoinArgs(needed[:k]...)
	}
	for i := 0; i < sh.arity; i++ {
		if !sh.need[i] {
			r.args[i] = goja.Undefined()
			continue
		}
		l := lists[i]
		h := hdrs[:min(len(l), len(hdrs))]
		hdrs = hdrs[len(h):]
		if sh.reuse[i] && len(l) > sh.maxIndex[i] && size <= reuseMax {
			r.args[i] = r.refill(jf, i, l, &strs, h)
		} else {
			r.args[i] = r.byteArray(l, &strs, h)
		}
	}
	return r.args[:sh.arity]
}

// joinInto copies the bytes of lists into buf, which has room for them,
// and returns them as a string.
func joinInto(buf []byte, lists [][][]byte) string {
	n := 0
	for _, l := range lists {
		for _, b := range l {
			n += copy(buf[n:], b)
		}
	}
	return unsafe.String(&buf[0], n)
}

// reuseMax bounds the bytes of a call's keys and arguments for its
// arrays to be reused: a reused array keeps its strings until the next
// call.
const reuseMax = 4096

// refill puts items into jf's reused array i, made on first use and
// whenever the number of items changes. The script never writes the
// array (params.go), so every element is there to be replaced.
func (r *realm) refill(jf *jsFunction, i int, items [][]byte, strs *string, hdrs []string) goja.Value {
	a := jf.arrays[i]
	if a == nil || jf.lens[i] != len(items) {
		v := r.byteArray(items, strs, hdrs)
		jf.arrays[i], jf.lens[i] = v.(*goja.Object), len(items)
		return v
	}
	for j, b := range items {
		if err := a.Set(indexName(j), r.itemValue(b, strs, hdrs, j)); err != nil {
			// Cannot happen (nothing changes the array); a fresh one is
			// always right. strs was cut part way: no more cuts.
			jf.arrays[i], *strs = nil, ""
			return r.byteArray(items, strs, nil)
		}
	}
	return a
}

// indexNames are the names of the first array indexes.
var indexNames = func() (names [64]string) {
	for i := range names {
		names[i] = strconv.Itoa(i)
	}
	return names
}()

func indexName(i int) string {
	if i < len(indexNames) {
		return indexNames[i]
	}
	return strconv.Itoa(i)
}

// byteArray is keys or args as a new JavaScript array. Their strings are
// cut from the front of strs (core.JoinArgs) when it is there; hdrs, when
// not nil, has room for the headers of the items' strings.
func (r *realm) byteArray(items [][]byte, strs *string, hdrs []string) goja.Value {
	vals := r.items[:0] // NewArray copies them
	for j, b := range items {
		vals = append(vals, r.itemValue(b, strs, hdrs, j))
	}
	a := r.rt.NewArray(vals...)
	clear(vals)
	r.items = vals[:0]
	return a
}

// itemValue is item j of keys or args, b, for the script (byteArray).
func (r *realm) itemValue(b []byte, strs *string, hdrs []string, j int) goja.Value {
	// view is s, or b's bytes (copied into s only when kept).
	s, cut := core.CutArg(strs, len(b))
	view := s
	if !cut {
		view = unsafe.String(unsafe.SliceData(b), len(b))
	}
	switch {
	case hdrs != nil && isASCII(view):
		if !cut {
			s = string(b)
		}
		hdrs[j] = s
		return r.ascii.value(&hdrs[j])
	case utf8.ValidString(view):
		if !cut {
			s = string(b)
		}
		return r.rt.ToValue(s)
	}
	return r.binaryValue(b)
}

// newReplyError returns a ReplyError (an Error) whose message is msg.
func (r *realm) newReplyError(msg string) *goja.Object {
	o, err := r.replyError(nil, r.rt.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return o
}

// newStatus returns a status reply object {ok: s}. ok is defined, as an
// object literal's properties are: a setter for "ok" that a library put
// on Object.prototype is not called (nor would it leave the status
// without its own ok).
func (r *realm) newStatus(s goja.Value) *goja.Object {
	o := r.rt.CreateObject(r.statusProto)
	// (It cannot fail: the object is new and extensible.)
	_ = o.DefineDataProperty("ok", s, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	return o
}

// toJS converts a command's reply for the script. resp is the script's
// protocol (redis.setResp): in RESP2 the reply is seen as a RESP2 client
// would see it.
func (r *realm) toJS(v core.Value, resp, depth int) goja.Value {
	rt := r.rt
	if depth > maxReplyDepth {
		r.throw("ERR reply nested too deeply")
	}
	switch v.Kind {
	case core.VInt:
		if v.Int > maxSafeInteger || v.Int < -maxSafeInteger {
			return rt.ToValue(big.NewInt(v.Int))
		}
		return rt.ToValue(v.Int)
	case core.VBulk:
		return r.bytesValue(v.Str)
	case core.VStatus:
		if string(v.Str) == "OK" {
			if r.okValue == nil {
				r.okValue = rt.ToValue("OK")
			}
			return r.newStatus(r.okValue)
		}
		return r.newStatus(r.bytesValue(v.Str))
	case core.VError:
		return r.newReplyError(string(v.Str))
	case core.VNull, core.VNullArray:
		return goja.Null()
	case core.VArray, core.VPush:
		return r.jsArray(v.Elems, resp, depth)
	case core.VSet:
		if resp == 2 {
			return r.jsArray(v.Elems, resp, depth)
		}
		set, _ := goja.AssertConstructor(rt.Get("Set"))
		o, err := set(nil, r.jsArray(v.Elems, resp, depth))
		if err != nil {
			panic(err)
		}
		return o
	case core.VMap:
		if resp == 2 {
			return r.jsArray(v.Elems, resp, depth)
		}
		pairs := make([]any, 0, len(v.Elems)/2)
		for i := 0; i+1 < len(v.Elems); i += 2 {
			pairs = append(pairs, rt.NewArray(r.toJS(v.Elems[i], resp, depth+1), r.toJS(v.Elems[i+1], resp, depth+1)))
		}
		m, _ := goja.AssertConstructor(rt.Get("Map"))
		o, err := m(nil, rt.NewArray(pairs...))
		if err != nil {
			panic(err)
		}
		return o
	case core.VDouble:
		if resp == 2 {
			return rt.ToValue(string(core.AppendDouble(nil, v.Float)))
		}
		return rt.ToValue(v.Float)
	case core.VBool:
		if resp == 2 {
			return rt.ToValue(v.Int)
		}
		return rt.ToValue(v.Int != 0)
	case core.VBigNumber:
		if resp == 3 {
			if n, ok := new(big.Int).SetString(string(v.Str), 10); ok {
				return rt.ToValue(n)
			}
		}
		return r.bytesValue(v.Str)
	case core.VVerbatim:
		return r.bytesValue(v.Str)
	}
	return goja.Null()
}

func (r *realm) jsArray(elems []core.Value, resp, depth int) *goja.Object {
	vals := make([]any, len(elems))
	for i, e := range elems {
		vals[i] = r.toJS(e, resp, depth+1)
	}
	return r.rt.NewArray(vals...)
}

// reply converts a function's return value into its reply, for the
// script's protocol (which decides how booleans are answered). Objects
// are converted inside a call into the runtime, because reading them may
// run script code (getters, a replaced Map forEach) that may throw or
// loop until killed; err is then that exception or interruption.
func (r *realm) reply(v goja.Value) (core.Value, error) {
	resp := r.host.Resp()
	r.replyLeft = math.MaxInt64
	if r.limit > 0 {
		r.replyLeft = r.limit
	}
	if _, isObj := v.(*goja.Object); !isObj {
		return r.value(v, resp, 0), nil
	}
	if r.converter == nil {
		fn, _ := goja.AssertFunction(r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
			r.converted = r.value(c.Argument(0), int(c.Argument(1).ToInteger()), 0)
			return goja.Undefined()
		}))
		r.converter = fn
	}
	r.converted = core.Value{}
	_, err := r.converter(goja.Undefined(), v, r.rt.ToValue(resp))
	out := r.converted
	r.converted = core.Value{}
	return out, err
}

func (r *realm) value(v goja.Value, resp, depth int) core.Value {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return core.Value{Kind: core.VNull}
	}
	if depth >= maxReplyDepth {
		r.throw("ERR reply nested too deeply") // (or cyclic)
	}
	r.charge(valueSize)
	switch {
	case goja.IsString(v):
		s := v.String()
		r.charge(int64(len(s)))
		// The reply is written before the string can go away, and
		// Values' bytes are read-only: no copy.
		return core.Value{Kind: core.VBulk, Str: unsafe.Slice(unsafe.StringData(s), len(s))}
	case goja.IsNumber(v):
		f := v.ToFloat()
		if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
			return core.Int(v.ToInteger())
		}
		return core.Value{Kind: core.VDouble, Float: f}
	case goja.IsBigInt(v):
		return core.Value{Kind: core.VBigNumber, Str: []byte(v.String())}
	}
	if v.ExportType() == typeBool {
		b := v.ToBoolean()
		if resp == 2 {
			if b {
				return core.Int(1)
			}
			return core.Value{Kind: core.VNull}
		}
		return core.Value{Kind: core.VBool, Int: b2i(b)}
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return core.ErrorValue("ERR cannot convert a " + v.ExportType().String() + " to a reply")
	}
	if b, ok := exportBytes(o); ok {
		r.charge(int64(len(b)))
		return core.Value{Kind: core.VBulk, Str: append([]byte{}, b...)}
	}
	switch proto := o.Prototype(); {
	case proto == r.statusProto:
		ok := o.Get("ok")
		if b, isBytes := exportBytes(ok); isBytes {
			return core.Value{Kind: core.VStatus, Str: append([]byte{}, b...)}
		}
		return core.Status(ok.String())
	case proto == r.replyProto:
		return core.ErrorValue(o.Get("message").String())
	}
	class := o.ClassName()
	if t := o.ExportType(); t == typeMap || t == typeSetLike && class != "Array" {
		return r.collection(o, t == typeMap, resp, depth)
	}
	switch class {
	case "Error":
		return core.ErrorValue(withCode(errorText(o)))
	case "Array":
		n := int(o.Get("length").ToInteger())
		if int64(n) > r.replyLeft/valueSize {
			r.outOfMemory()
		}
		out := core.Value{Kind: core.VArray, Elems: make([]core.Value, 0, n)}
		for i := 0; i < n; i++ {
			out.Elems = append(out.Elems, r.value(o.Get(strconv.Itoa(i)), resp, depth+1))
		}
		return out
	case "Function", "AsyncFunction", "GeneratorFunction":
		return core.ErrorValue("ERR cannot convert a function to a reply")
	}
	// Any other object is a map of its own enumerable string keys.
	keys := o.Keys()
	r.charge(int64(len(keys)) * valueSize)
	out := core.Value{Kind: core.VMap, Elems: make([]core.Value, 0, 2*len(keys))}
	for _, k := range keys {
		out.Elems = append(out.Elems, core.Value{Kind: core.VBulk, Str: []byte(k)}, r.value(o.Get(k), resp, depth+1))
	}
	return out
}

// collection converts a Map (to a map reply) or a Set (to a set reply),
// in insertion order, through its forEach.
func (r *realm) collection(o *goja.Object, isMap bool, resp, depth int) core.Value {
	out := core.Value{Kind: core.VSet, Elems: []core.Value{}}
	if isMap {
		out.Kind = core.VMap
	}
	forEach, ok := goja.AssertFunction(o.Get("forEach"))
	if !ok {
		return core.ErrorValue("ERR cannot convert a Map or Set without forEach to a reply")
	}
	cb := r.rt.ToValue(func(c goja.FunctionCall) goja.Value {
		if isMap {
			out.Elems = append(out.Elems, r.value(c.Argument(1), resp, depth+1))
		}
		out.Elems = append(out.Elems, r.value(c.Argument(0), resp, depth+1))
		return goja.Undefined()
	})
	if _, err := forEach(o, cb); err != nil {
		panic(err)
	}
	return out
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
