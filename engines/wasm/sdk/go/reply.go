package polyfn

import (
	"errors"
	"math"
	"strconv"
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
type Reply struct {
	kind   Kind
	str    []byte
	num    int64
	float  float64
	format string
	elems  []Reply
}

// Status is a simple string reply (+OK).
func Status(s string) Reply { return Reply{kind: KindStatus, str: []byte(s)} }

// Error is an error reply; msg is its whole text, code first
// ("ERR something", "MYCODE something").
func Error(msg string) Reply { return Reply{kind: KindError, str: []byte(msg)} }

// Int is an integer reply.
func Int(n int64) Reply { return Reply{kind: KindInt, num: n} }

// Bulk is a bulk string reply of any bytes.
func Bulk(b []byte) Reply { return Reply{kind: KindBulk, str: b} }

// String is a bulk string reply.
func String(s string) Reply { return Reply{kind: KindBulk, str: []byte(s)} }

// Null is the null reply.
func Null() Reply { return Reply{} }

// Array is an array reply.
func Array(elems ...Reply) Reply { return Reply{kind: KindArray, elems: elems} }

// Map is a map reply of keys and values alternately (a flat array for
// RESP2 clients).
func Map(kv ...Reply) Reply { return Reply{kind: KindMap, elems: kv} }

// Set is a set reply (an array for RESP2 clients).
func Set(elems ...Reply) Reply { return Reply{kind: KindSet, elems: elems} }

// Double is a double reply (a bulk string for RESP2 clients).
func Double(f float64) Reply { return Reply{kind: KindDouble, float: f} }

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
func BigNumber(digits string) Reply { return Reply{kind: KindBigNumber, str: []byte(digits)} }

// Verbatim is a verbatim string reply; format is three letters ("txt",
// "mkd"). RESP2 clients get a bulk string.
func Verbatim(format, text string) Reply {
	return Reply{kind: KindVerbatim, format: format, str: []byte(text)}
}

// Clone returns a deep copy of r. A reply from Call or PCall is valid
// until the function returns (the SDK reuses its memory afterwards):
// clone one to keep it longer.
func (r Reply) Clone() Reply {
	if r.str != nil {
		r.str = append([]byte(nil), r.str...)
	}
	if r.elems != nil {
		elems := make([]Reply, len(r.elems))
		for i, e := range r.elems {
			elems[i] = e.Clone()
		}
		r.elems = elems
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
		return errors.New(string(r.str))
	}
	return nil
}

// Bytes is the text of a status, error, bulk, big number or verbatim
// reply (nil for the others).
func (r Reply) Bytes() []byte { return r.str }

// Text is Bytes as a string; for an integer, double or boolean reply it
// is the number's decimal form.
func (r Reply) Text() string {
	switch r.kind {
	case KindInt:
		return strconv.FormatInt(r.num, 10)
	case KindDouble:
		return formatDouble(r.float)
	case KindBool:
		return strconv.FormatBool(r.num != 0)
	}
	return string(r.str)
}

// Int is an integer or boolean reply's value; for a bulk string it is
// the number it holds (0 when none).
func (r Reply) Int() int64 {
	if r.kind == KindBulk || r.kind == KindStatus {
		n, _ := strconv.ParseInt(string(r.str), 10, 64)
		return n
	}
	return r.num
}

// Float is a double reply's value; for other kinds the number they hold.
func (r Reply) Float() float64 {
	switch r.kind {
	case KindDouble:
		return r.float
	case KindInt, KindBool:
		return float64(r.num)
	}
	f, _ := strconv.ParseFloat(string(r.str), 64)
	return f
}

// Bool is a boolean reply's value (or a non-zero integer).
func (r Reply) Bool() bool { return r.num != 0 }

// Elems are an array's or set's elements, or a map's keys and values
// alternately.
func (r Reply) Elems() []Reply { return r.elems }

// Format is a verbatim string's format.
func (r Reply) Format() string { return r.format }

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
