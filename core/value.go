package core

import "strconv"

// ValueKind names the type of a reply Value.
type ValueKind uint8

const (
	VStatus ValueKind = iota + 1
	VError
	VInt
	VBulk
	VNull      // RESP3 null; RESP2 $-1
	VNullArray // RESP2 *-1; RESP3 null
	VArray
	VMap // Elems holds keys and values alternately
	VSet
	VDouble
	VBool
	VBigNumber
	VVerbatim // Str holds the text, Format the three-letter format
	VPush
)

// Value is the core's reply value: what a command answers, independent of
// the RESP version it will be written in. Engines convert their languages'
// values to and from it.
type Value struct {
	Kind   ValueKind
	Str    []byte // status, error, bulk, big number, verbatim text
	Int    int64  // integer; boolean (0 / 1)
	Float  float64
	Format string // verbatim format ("txt", "mkd")
	Elems  []Value
}

// Constructors for the common cases.
func Status(s string) Value     { return Value{Kind: VStatus, Str: []byte(s)} }
func ErrorValue(s string) Value { return Value{Kind: VError, Str: []byte(s)} }
func Int(n int64) Value         { return Value{Kind: VInt, Int: n} }
func Bulk(s string) Value       { return Value{Kind: VBulk, Str: []byte(s)} }
func Array(e ...Value) Value    { return Value{Kind: VArray, Elems: e} }
func Map(kv ...Value) Value     { return Value{Kind: VMap, Elems: kv} }

// WriteTo writes v through w.
func (v Value) WriteTo(w ReplyWriter) {
	switch v.Kind {
	case VStatus:
		w.WriteStatus(string(v.Str))
	case VError:
		w.WriteError(string(v.Str))
	case VInt:
		w.WriteInt(v.Int)
	case VBulk:
		w.WriteBulk(v.Str)
	case VNull:
		w.WriteNull()
	case VNullArray:
		w.WriteNullArray()
	case VArray, VSet, VPush:
		switch v.Kind {
		case VArray:
			w.WriteArray(len(v.Elems))
		case VSet:
			w.WriteSet(len(v.Elems))
		default:
			w.WritePush(len(v.Elems))
		}
		for _, e := range v.Elems {
			e.WriteTo(w)
		}
	case VMap:
		w.WriteMap(len(v.Elems) / 2)
		for _, e := range v.Elems {
			e.WriteTo(w)
		}
	case VDouble:
		w.WriteDouble(v.Float)
	case VBool:
		w.WriteBool(v.Int != 0)
	case VBigNumber:
		w.WriteBigNumber(string(v.Str))
	case VVerbatim:
		w.WriteVerbatim(v.Format, string(v.Str))
	}
}

// String renders v for debugging and test failure messages.
func (v Value) String() string {
	switch v.Kind {
	case VStatus, VBulk, VBigNumber, VVerbatim:
		return strconv.Quote(string(v.Str))
	case VError:
		return "(error) " + string(v.Str)
	case VInt:
		return strconv.FormatInt(v.Int, 10)
	case VNull, VNullArray:
		return "(nil)"
	case VDouble:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case VBool:
		return strconv.FormatBool(v.Int != 0)
	}
	s := "["
	for i, e := range v.Elems {
		if i > 0 {
			s += " "
		}
		s += e.String()
	}
	return s + "]"
}

// okBytes is the text of +OK, shared by every Value the Builder makes
// for it: Values' bytes are read-only.
var okBytes = []byte("OK")

// Builder is a ReplyWriter that assembles a Value instead of bytes, for
// callers that need the reply as data (scripts, tests).
type Builder struct {
	resp  int
	root  []Value
	stack []frame
}

type frame struct {
	v    Value
	want int
}

// NewBuilder returns a Builder that encodes for the given RESP version.
func NewBuilder(resp int) *Builder { return &Builder{resp: resp} }

// Values returns the complete top-level values written so far.
func (b *Builder) Values() []Value { return b.root }

// Reset discards everything written.
func (b *Builder) Reset() { b.root, b.stack = b.root[:0], b.stack[:0] }

func (b *Builder) Resp() int { return b.resp }

func (b *Builder) add(v Value) {
	for {
		if len(b.stack) == 0 {
			b.root = append(b.root, v)
			return
		}
		top := &b.stack[len(b.stack)-1]
		top.v.Elems = append(top.v.Elems, v)
		if len(top.v.Elems) < top.want {
			return
		}
		v = top.v
		b.stack = b.stack[:len(b.stack)-1]
	}
}

func (b *Builder) open(kind ValueKind, n, elems int) {
	if elems == 0 {
		b.add(Value{Kind: kind, Elems: []Value{}})
		return
	}
	b.stack = append(b.stack, frame{v: Value{Kind: kind, Elems: make([]Value, 0, elems)}, want: elems})
}

func (b *Builder) WriteStatus(s string) {
	if s == "OK" {
		b.add(Value{Kind: VStatus, Str: okBytes}) // the commonest reply, shared
		return
	}
	b.add(Status(s))
}
func (b *Builder) WriteError(s string) { b.add(ErrorValue(s)) }
func (b *Builder) WriteInt(n int64)    { b.add(Int(n)) }
func (b *Builder) WriteBulk(p []byte) {
	// Copied: handlers hand over the keyspace's bytes, which a write may
	// reuse once it has replied (GETSET), or a scratch buffer they format
	// the next element into (an intset's members).
	p = append([]byte{}, p...)
	b.add(Value{Kind: VBulk, Str: p})
}
func (b *Builder) WriteBulkString(s string) { b.add(Bulk(s)) }
func (b *Builder) WriteNull()               { b.add(Value{Kind: VNull}) }
func (b *Builder) WriteNullArray()          { b.add(Value{Kind: VNullArray}) }
func (b *Builder) WriteArray(n int)         { b.open(VArray, n, n) }
func (b *Builder) WriteMap(n int)           { b.open(VMap, n, 2*n) }
func (b *Builder) WriteSet(n int)           { b.open(VSet, n, n) }
func (b *Builder) WritePush(n int)          { b.open(VPush, n, n) }
func (b *Builder) WriteDouble(f float64)    { b.add(Value{Kind: VDouble, Float: f}) }
func (b *Builder) WriteBigNumber(s string)  { b.add(Value{Kind: VBigNumber, Str: []byte(s)}) }
func (b *Builder) WriteVerbatim(format, s string) {
	b.add(Value{Kind: VVerbatim, Format: format, Str: []byte(s)})
}
func (b *Builder) WriteBool(v bool) {
	n := int64(0)
	if v {
		n = 1
	}
	b.add(Value{Kind: VBool, Int: n})
}
