package js

import (
	"reflect"
	"unsafe"

	"github.com/dop251/goja"
)

// ASCII strings made without goja's ToValue. ToValue(s) costs two
// allocations per string (s boxed into an interface{}, then goja's string
// value boxed into a goja.Value), and makes a string longer than 16 bytes
// a lazily scanned "imported" string. Keys, arguments and replies are
// mostly short ASCII, so the engine makes those values itself: a
// goja.Value is an interface whose data word points to the string header
// of goja's ASCII string type (a Go string), so a value can point to a
// header the engine stored, and all of a call's keys and arguments share
// one allocation of headers. Headers are never written once a value
// points to them (values are immutable).
//
// This relies on goja's ASCII string type being a named Go string type,
// which asciiMaker checks when the realm is made; if it is not (a goja
// upgrade), ok is false and every string goes through ToValue.

// asciiMaker makes goja ASCII string values.
type asciiMaker struct {
	ok  bool
	tab unsafe.Pointer // the interface's type word for goja's ASCII string
}

// iface is the layout of a non-empty interface value.
type iface struct {
	tab  unsafe.Pointer
	data unsafe.Pointer
}

// newASCIIMaker probes rt: ToValue of a short ASCII string must be a
// value of a string kind that reads back as the same string.
func newASCIIMaker(rt *goja.Runtime) asciiMaker {
	const probe = "probe"
	v := rt.ToValue(probe)
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.String || t.Name() != "asciiString" ||
		t.PkgPath() != reflect.TypeOf(goja.Undefined()).PkgPath() ||
		!goja.IsString(v) || v.String() != probe {
		return asciiMaker{}
	}
	if *(*string)((*iface)(unsafe.Pointer(&v)).data) != probe {
		return asciiMaker{}
	}
	return asciiMaker{ok: true, tab: (*iface)(unsafe.Pointer(&v)).tab}
}

// value returns the string value whose header is *h. *h must be ASCII
// and must not change afterwards.
func (m *asciiMaker) value(h *string) goja.Value {
	var v goja.Value
	w := (*iface)(unsafe.Pointer(&v))
	w.tab, w.data = m.tab, unsafe.Pointer(h)
	return v
}

// emptyHeader is the header of every empty string made.
var emptyHeader string

// copyValue returns a string value of a copy of b, which must be ASCII.
// A short string's bytes share one allocation with its header.
func (m *asciiMaker) copyValue(b []byte) goja.Value {
	switch n := len(b); {
	case n == 0:
		return m.value(&emptyHeader)
	case n <= 16:
		p := new(struct {
			h   string
			buf [16]byte
		})
		copy(p.buf[:], b)
		p.h = unsafe.String(&p.buf[0], n)
		return m.value(&p.h)
	case n <= 48:
		p := new(struct {
			h   string
			buf [48]byte
		})
		copy(p.buf[:], b)
		p.h = unsafe.String(&p.buf[0], n)
		return m.value(&p.h)
	}
	h := new(string)
	*h = string(b)
	return m.value(h)
}

// isASCII reports whether s has no byte of 0x80 or more.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
