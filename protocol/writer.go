package protocol

import (
	"strconv"

	"github.com/polyfn/polyfn/core"
	"github.com/tidwall/redcon"
)

// Writer encodes replies into a byte buffer in RESP2 or RESP3. It
// implements core.ReplyWriter. The RESP2 encodings of the types both
// versions share are redcon's; the RESP3-only types are written here.
type Writer struct {
	buf  []byte
	resp int
}

// NewWriter returns a Writer for RESP version 2 or 3.
func NewWriter(resp int) *Writer { return &Writer{resp: resp} }

// Bytes returns the encoded replies.
func (w *Writer) Bytes() []byte { return w.buf }

// Reset empties the buffer, keeping its memory.
func (w *Writer) Reset() { w.buf = w.buf[:0] }

// Len is the number of buffered bytes.
func (w *Writer) Len() int { return len(w.buf) }

// SetResp switches the protocol version for replies written from now on.
func (w *Writer) SetResp(v int) { w.resp = v }

func (w *Writer) Resp() int { return w.resp }

func (w *Writer) WriteStatus(s string)     { w.buf = redcon.AppendString(w.buf, s) }
func (w *Writer) WriteError(s string)      { w.buf = redcon.AppendError(w.buf, s) }
func (w *Writer) WriteInt(n int64)         { w.buf = redcon.AppendInt(w.buf, n) }
func (w *Writer) WriteBulk(b []byte)       { w.buf = redcon.AppendBulk(w.buf, b) }
func (w *Writer) WriteBulkString(s string) { w.buf = redcon.AppendBulkString(w.buf, s) }
func (w *Writer) WriteArray(n int)         { w.buf = redcon.AppendArray(w.buf, n) }

// WriteRaw appends already-encoded protocol bytes.
func (w *Writer) WriteRaw(b []byte) { w.buf = append(w.buf, b...) }

func (w *Writer) WriteNull() {
	if w.resp == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = redcon.AppendNull(w.buf)
}

func (w *Writer) WriteNullArray() {
	if w.resp == 3 {
		w.buf = append(w.buf, "_\r\n"...)
		return
	}
	w.buf = append(w.buf, "*-1\r\n"...)
}

func (w *Writer) aggregate(resp3 byte, n int) {
	w.buf = append(w.buf, resp3)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *Writer) WriteMap(n int) {
	if w.resp == 3 {
		w.aggregate('%', n)
		return
	}
	w.WriteArray(2 * n)
}

func (w *Writer) WriteSet(n int) {
	if w.resp == 3 {
		w.aggregate('~', n)
		return
	}
	w.WriteArray(n)
}

func (w *Writer) WritePush(n int) {
	if w.resp == 3 {
		w.aggregate('>', n)
		return
	}
	w.WriteArray(n)
}

// FormatDouble renders f as Redis 7.0 does in replies: core.AppendDouble.
func FormatDouble(dst []byte, f float64) []byte { return core.AppendDouble(dst, f) }

func (w *Writer) WriteDouble(f float64) {
	if w.resp == 3 {
		w.buf = append(w.buf, ',')
		w.buf = FormatDouble(w.buf, f)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	var tmp [32]byte
	w.buf = redcon.AppendBulk(w.buf, FormatDouble(tmp[:0], f))
}

func (w *Writer) WriteBool(b bool) {
	switch {
	case w.resp == 3 && b:
		w.buf = append(w.buf, "#t\r\n"...)
	case w.resp == 3:
		w.buf = append(w.buf, "#f\r\n"...)
	case b:
		w.WriteInt(1)
	default:
		w.WriteInt(0)
	}
}

func (w *Writer) WriteBigNumber(s string) {
	if w.resp == 3 {
		w.buf = append(w.buf, '(')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulkString(s)
}

func (w *Writer) WriteVerbatim(format, s string) {
	if w.resp == 3 {
		w.aggregate('=', len(s)+4)
		// The format is three bytes: as Redis's addReplyVerbatim, a
		// longer one is cut and a shorter one padded with spaces.
		for i := 0; i < 3; i++ {
			if i < len(format) {
				w.buf = append(w.buf, format[i])
			} else {
				w.buf = append(w.buf, ' ')
			}
		}
		w.buf = append(w.buf, ':')
		w.buf = append(w.buf, s...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.WriteBulkString(s)
}
