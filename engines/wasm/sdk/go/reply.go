package polyfn

import (
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// Kind is the type of a Reply: RESP3's types.
type Kind uint8

// The kinds of replies.
const (
	KindNull Kind = iota
	KindStatus
	KindError
	KindInt
	KindBulk
	KindArray
	KindMap
	KindSet
	KindDouble
	KindBool
	KindBigNumber
	KindVerbatim
)

// Reply is a Redis reply: what a function returns, and what a command
// called from one answers. The zero Reply is null. Build one with the
// constructors (Status, Error, Int, Bulk, String, Null, Array, Map, Set,
// Double, Bool, BigNumber, Verbatim); read one with its methods.
//
// A Reply is four words: the Go compiler keeps a struct that small in
// registers. A larger one is cleared and copied through memory, and on
// wasm each such clear or copy is a bulk-memory instruction that the
// host runs as a call to its own memmove: a function doing a SET and a
// GET paid for dozens of them.
type Reply struct {
	kind Kind
	// data is the bytes of a string reply ("fmt:" first for a verbatim
	// one) or the first element of an aggregate's []Reply; n is their
	// number.
	data unsafe.Pointer
	n    int
	num  uint64 // an integer's or boolean's value, a double's bits
}

// stringReply is a reply of kind k holding b (not copied).
func stringReply(k Kind, b []byte) Reply {
	return Reply{kind: k, data: unsafe.Pointer(unsafe.SliceData(b)), n: len(b)}
}

// aggregate is a reply of kind k holding elems (not copied).
func aggregate(k Kind, elems []Reply) Reply {
	return Reply{kind: k, data: unsafe.Pointer(unsafe.SliceData(elems)), n: len(elems)}
}

// raw is a string reply's bytes, a verbatim one's format included; nil
// for the other kinds.
func (r Reply) raw() []byte {
	switch r.kind {
	case KindStatus, KindError, KindBulk, KindBigNumber, KindVerbatim:
		return unsafe.Slice((*byte)(r.data), r.n)
	}
	return nil
}

// Status is a simple string reply (+OK).
func Status(s string) Reply { return stringReply(KindStatus, []byte(s)) }

// Error is an error reply; msg is its whole text, code first
// ("ERR something", "MYCODE something").
func Error(msg string) Reply { return stringReply(KindError, []byte(msg)) }

// Int is an integer reply.
func Int(n int64) Reply { return Reply{kind: KindInt, num: uint64(n)} }

// Bulk is a bulk string reply of any bytes.
func Bulk(b []byte) Reply { return stringReply(KindBulk, b) }

// String is a bulk string reply.
func String(s string) Reply { return stringReply(KindBulk, []byte(s)) }

// Null is the null reply.
func Null() Reply { return Reply{} }

// Array is an array reply.
func Array(elems ...Reply) Reply { return aggregate(KindArray, elems) }

// Map is a map reply of keys and values alternately (a flat array for
// RESP2 clients).
func Map(kv ...Reply) Reply { return aggregate(KindMap, kv) }

// Set is a set reply (an array for RESP2 clients).
func Set(elems ...Reply) Reply { return aggregate(KindSet, elems) }

// Double is a double reply (a bulk string for RESP2 clients).
func Double(f float64) Reply { return Reply{kind: KindDouble, num: math.Float64bits(f)} }

// Bool is a boolean reply (the integer 1 or 0 for RESP2 clients).
func Bool(b bool) Reply {
	r := Reply{kind: KindBool}
	if b {
		r.num = 1
	}
	return r
}

// BigNumber is a big number reply of decimal digits (a bulk string for
// RESP2 clients).
func BigNumber(digits string) Reply { return stringReply(KindBigNumber, []byte(digits)) }

// Verbatim is a verbatim string reply; format is three letters ("txt",
// "mkd": as in Redis, a longer one is cut and a shorter one padded with
// spaces). RESP2 clients get a bulk string.
func Verbatim(format, text string) Reply {
	b := append(make([]byte, 0, 4+len(text)), (format + "   ")[:3]...)
	b = append(b, ':')
	return stringReply(KindVerbatim, append(b, text...))
}

// Clone returns a deep copy of r. A reply from Call or PCall is valid
// until the function returns (the SDK reuses its memory afterwards):
// clone one to keep it longer.
func (r Reply) Clone() Reply {
	if b := r.raw(); b != nil {
		return stringReply(r.kind, append([]byte{}, b...))
	}
	if elems := r.Elems(); elems != nil {
		out := make([]Reply, len(elems))
		for i, e := range elems {
			out[i] = e.Clone()
		}
		return aggregate(r.kind, out)
	}
	return r
}

// Kind is the reply's type.
func (r Reply) Kind() Kind { return r.kind }

// IsNull reports whether r is null.
func (r Reply) IsNull() bool { return r.kind == KindNull }

// IsError reports whether r is an error reply.
func (r Reply) IsError() bool { return r.kind == KindError }

// Err is r as an error when it is an error reply, else nil.
func (r Reply) Err() error {
	if r.kind == KindError {
		return errors.New(string(r.raw()))
	}
	return nil
}

// Bytes is the text of a status, error, bulk, big number or verbatim
// reply (nil for the others).
func (r Reply) Bytes() []byte {
	if r.kind == KindVerbatim {
		return r.raw()[4:]
	}
	return r.raw()
}

// Text is Bytes as a string; for an integer, double or boolean reply it
// is the number's decimal form.
func (r Reply) Text() string {
	switch r.kind {
	case KindInt:
		return strconv.FormatInt(int64(r.num), 10)
	case KindDouble:
		return formatDouble(r.Float())
	case KindBool:
		return strconv.FormatBool(r.num != 0)
	}
	return string(r.Bytes())
}

// Int is an integer or boolean reply's value; for a bulk string it is
// the number it holds (0 when none).
func (r Reply) Int() int64 {
	switch r.kind {
	case KindBulk, KindStatus:
		n, _ := parseInt(r.raw())
		return n
	case KindInt, KindBool:
		return int64(r.num)
	}
	return 0
}

// Float is a double reply's value; for other kinds the number they hold.
func (r Reply) Float() float64 {
	switch r.kind {
	case KindDouble:
		return math.Float64frombits(r.num)
	case KindInt, KindBool:
		return float64(int64(r.num))
	}
	f, _ := strconv.ParseFloat(string(r.Bytes()), 64)
	return f
}

// Bool is a boolean reply's value (or a non-zero integer).
func (r Reply) Bool() bool { return (r.kind == KindInt || r.kind == KindBool) && r.num != 0 }

// Elems are an array's or set's elements, or a map's keys and values
// alternately.
func (r Reply) Elems() []Reply {
	switch r.kind {
	case KindArray, KindMap, KindSet:
		return unsafe.Slice((*Reply)(r.data), r.n)
	}
	return nil
}

// Format is a verbatim string's format.
func (r Reply) Format() string {
	if r.kind != KindVerbatim {
		return ""
	}
	return string(r.raw()[:3])
}

func formatDouble(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}
