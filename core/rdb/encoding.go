package rdb

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// Version is the RDB format version Redis 7.0 writes (RDB_VERSION) and the
// newest it accepts in DUMP payloads.
const Version = 10

// Length and string encodings: the two top bits of the first byte.
const (
	len6Bit  = 0    // 00LLLLLL
	len14Bit = 1    // 01LLLLLL LLLLLLLL (big-endian)
	len32Bit = 0x80 // 10000000 + 4 bytes big-endian
	len64Bit = 0x81 // 10000001 + 8 bytes big-endian
	encVal   = 3    // 11EEEEEE: a special string encoding follows

	EncInt8  = 0 // 11000000 + 1 byte signed
	EncInt16 = 1 // 11000001 + 2 bytes signed little-endian
	EncInt32 = 2 // 11000010 + 4 bytes signed little-endian
	EncLZF   = 3 // 11000011 + len(compressed) len(original) data
)

// Errors of the Reader. They describe malformed data to the caller; the
// client-visible error texts are the caller's (see the Err constants of
// the FUNCTION payload).
var (
	// ErrTruncated: the data ends inside a length, integer or string.
	ErrTruncated = errors.New("rdb: unexpected end of data")
	// ErrBadLength: a length byte 10xxxxxx other than 0x80 and 0x81.
	ErrBadLength = errors.New("rdb: unknown length encoding")
	// ErrBadEncoding: a string with a special encoding other than
	// int8/16/32 and LZF.
	ErrBadEncoding = errors.New("rdb: unknown string encoding")
)

// AppendLen appends n in RDB length encoding, the shortest of 6-bit,
// 14-bit, 32-bit and 64-bit forms, as rdbSaveLen does.
func AppendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n)|len6Bit<<6)
	case n < 1<<14:
		return append(dst, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= math.MaxUint32:
		dst = append(dst, len32Bit)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	default:
		dst = append(dst, len64Bit)
		return binary.BigEndian.AppendUint64(dst, n)
	}
}

// canonicalInt parses s when it is the canonical decimal form of an int64
// (no sign '+', no leading zeros, no "-0", no spaces), as Redis's
// string2ll accepts it.
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if len(s) == 1 && s[0] == '0' {
		return 0, true
	}
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseInt(string(s), 10, 64)
	return v, err == nil
}

// appendIntEncoded appends v as an int8/16/32-encoded string, or returns
// dst unchanged and false when v needs more than 32 bits.
func appendIntEncoded(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, encVal<<6|EncInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return append(dst, encVal<<6|EncInt16, byte(v), byte(v>>8)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return append(dst, encVal<<6|EncInt32, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)), true
	}
	return dst, false
}

// AppendString appends s as an RDB string the way rdbSaveRawString
// writes it:
//
//   - when len(s) <= 11 and s is the canonical decimal form of an integer
//     that fits in 32 signed bits: int8, int16 or int32 encoded;
//   - else, when compress is set (rdbcompression yes) and len(s) > 20, and
//     CompressLZF(s, len(s)-4) succeeds: LZF encoded (0xC3, compressed
//     length, original length, data);
//   - else the length followed by the raw bytes.
//
// Redis writes integer-encoded string objects (SET k 123) through another
// path that yields the same bytes as this one for their decimal form.
func AppendString(dst, s []byte, compress bool) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok {
			if out, ok := appendIntEncoded(dst, v); ok {
				return out
			}
		}
	}
	if compress && len(s) > 20 {
		if c := CompressLZF(s, len(s)-4); c != nil {
			dst = append(dst, encVal<<6|EncLZF)
			dst = AppendLen(dst, uint64(len(c)))
			dst = AppendLen(dst, uint64(len(s)))
			return append(dst, c...)
		}
	}
	dst = AppendLen(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendFooter seals a DUMP-style payload: it appends the 2-byte
// little-endian RDB Version and the 8-byte little-endian CRC64 of
// everything in payload up to and including the version. payload must
// hold the payload alone, from its first byte.
func AppendFooter(payload []byte) []byte {
	payload = binary.LittleEndian.AppendUint16(payload, Version)
	return binary.LittleEndian.AppendUint64(payload, CRC64(0, payload))
}

// Writer appends RDB-encoded data to a byte slice. The zero value is ready
// to use and does not compress strings.
type Writer struct {
	buf []byte
	// Compress makes WriteString try LZF as rdbcompression yes does.
	Compress bool
}

// NewWriter returns a Writer appending to buf (which may be nil).
func NewWriter(buf []byte, compress bool) *Writer {
	return &Writer{buf: buf, Compress: compress}
}

// Bytes returns everything written so far, including the initial buffer.
func (w *Writer) Bytes() []byte { return w.buf }

// WriteType appends one type or opcode byte.
func (w *Writer) WriteType(t byte) { w.buf = append(w.buf, t) }

// WriteLen appends n in length encoding (see AppendLen).
func (w *Writer) WriteLen(n uint64) { w.buf = AppendLen(w.buf, n) }

// WriteString appends s as an RDB string (see AppendString).
func (w *Writer) WriteString(s []byte) { w.buf = AppendString(w.buf, s, w.Compress) }

// WriteRaw appends p as it is.
func (w *Writer) WriteRaw(p []byte) { w.buf = append(w.buf, p...) }

// Reader decodes RDB-encoded data from a byte slice. Every method returns
// an error, never panics, on truncated or malformed input; after an error
// the read position is unspecified.
type Reader struct {
	buf []byte
	pos int
}

// NewReader returns a Reader positioned at the start of p.
func NewReader(p []byte) *Reader { return &Reader{buf: p} }

// Pos returns the number of bytes consumed.
func (r *Reader) Pos() int { return r.pos }

// Remaining returns the number of bytes not yet consumed.
func (r *Reader) Remaining() int { return len(r.buf) - r.pos }

// ReadRaw consumes and returns the next n bytes, aliasing the input.
func (r *Reader) ReadRaw(n int) ([]byte, error) {
	if n < 0 || n > len(r.buf)-r.pos {
		return nil, ErrTruncated
	}
	p := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return p, nil
}

// ReadType consumes one type or opcode byte.
func (r *Reader) ReadType() (byte, error) {
	if r.pos >= len(r.buf) {
		return 0, ErrTruncated
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// ReadLen consumes a length as rdbLoadLen does. For a special string
// encoding byte (11EEEEEE) it returns encoded true and the 6-bit encoding
// type as n; callers that want a plain length, as Redis's rdbLoadLen(rdb,
// NULL) does, just ignore encoded.
func (r *Reader) ReadLen() (n uint64, encoded bool, err error) {
	b, err := r.ReadType()
	if err != nil {
		return 0, false, err
	}
	switch {
	case b>>6 == encVal:
		return uint64(b & 0x3f), true, nil
	case b>>6 == len6Bit:
		return uint64(b & 0x3f), false, nil
	case b>>6 == len14Bit:
		c, err := r.ReadType()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3f)<<8 | uint64(c), false, nil
	case b == len32Bit:
		p, err := r.ReadRaw(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case b == len64Bit:
		p, err := r.ReadRaw(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, ErrBadLength
}

// readCount reads a plain length that must fit in an int.
func (r *Reader) readCount() (int, error) {
	n, _, err := r.ReadLen()
	if err != nil {
		return 0, err
	}
	if n > math.MaxInt {
		return 0, ErrTruncated
	}
	return int(n), nil
}

// ReadString consumes an RDB string as rdbGenericLoadStringObject loads
// it: raw (the result aliases the input), int8/16/32 encoded (returned in
// decimal), or LZF compressed (decompressed). As in Redis, an LZF string
// whose original length is 0 is the empty string whatever its compressed
// bytes are (they are still consumed).
func (r *Reader) ReadString() ([]byte, error) {
	n, encoded, err := r.ReadLen()
	if err != nil {
		return nil, err
	}
	if !encoded {
		if n > uint64(r.Remaining()) {
			return nil, ErrTruncated
		}
		return r.ReadRaw(int(n))
	}
	switch n {
	case EncInt8:
		p, err := r.ReadRaw(1)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int8(p[0])), 10), nil
	case EncInt16:
		p, err := r.ReadRaw(2)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int16(binary.LittleEndian.Uint16(p))), 10), nil
	case EncInt32:
		p, err := r.ReadRaw(4)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(nil, int64(int32(binary.LittleEndian.Uint32(p))), 10), nil
	case EncLZF:
		clen, err := r.readCount()
		if err != nil {
			return nil, err
		}
		ulen, _, err := r.ReadLen()
		if err != nil {
			return nil, err
		}
		c, err := r.ReadRaw(clen)
		if err != nil {
			return nil, err
		}
		if ulen == 0 {
			return []byte{}, nil
		}
		if ulen > math.MaxInt {
			return nil, ErrLZF
		}
		return DecompressLZF(c, int(ulen))
	}
	return nil, ErrBadEncoding
}
