package protocol

import (
	"errors"
	"io"

	"github.com/polyfn/polyfn/core"
)

// Limits Redis 7.0 applies to request framing.
const (
	inlineMaxSize      = 64 * 1024 // PROTO_INLINE_MAX_SIZE
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
	defaultMaxBulkLen  = 512 * 1024 * 1024
	maxMultibulkLen    = 1<<31 - 1
	readChunk          = 16 * 1024
)

// ProtocolError is a malformed request. Its text is what Redis replies
// (after "ERR "); the connection is closed after the reply.
type ProtocolError struct{ Msg string }

func (e *ProtocolError) Error() string { return "Protocol error: " + e.Msg }

var errNeedMore = errors.New("need more data")

// Reader splits a client's byte stream into commands: RESP multibulk
// requests and inline (telnet) lines, with Redis's limits and errors. It
// keeps the state of a half-received request, so a request that arrives in
// many pieces is parsed once, not once per piece.
type Reader struct {
	rd   io.Reader
	buf  []byte
	r, w int // r: start of the pending request; w: end of data

	inReq   bool
	pos     int   // parse position within buf
	left    int   // arguments still to read
	bulkLen int   // length of the bulk being read, -1 before its header
	offs    []int // argument bounds, relative to r
	args    [][]byte

	// MaxBulkLen is proto-max-bulk-len.
	MaxBulkLen int64
	// Authenticated reports whether the client may send large requests;
	// nil means always.
	Authenticated func() bool
}

// NewReader returns a Reader over rd.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, buf: make([]byte, readChunk), MaxBulkLen: defaultMaxBulkLen}
}

// Buffered reports whether unparsed bytes are waiting.
func (r *Reader) Buffered() int { return r.w - r.r }

// Unparsed is the part of the bulk argument being received that is
// already buffered: Redis's query buffer (qbuf) where it can grow, since
// Redis reads a big argument by itself and parses whatever else it reads
// at once. client-query-buffer-limit bounds it.
func (r *Reader) Unparsed() int {
	if !r.inReq || r.bulkLen < 0 {
		return 0
	}
	return min(r.w, r.pos+r.bulkLen+2) - r.pos
}

func (r *Reader) authed() bool { return r.Authenticated == nil || r.Authenticated() }

// Next returns the next complete command from buffered data, or
// (nil, nil) when more data must be read first (see Fill). The returned
// slices alias the reader's buffer and are valid until the next Fill:
// callers copy what they keep.
func (r *Reader) Next() ([][]byte, error) {
	for {
		args, err := r.next()
		if err == errNeedMore {
			return nil, nil
		}
		if err != nil || args != nil {
			return args, err
		}
		// an empty request (inline blank line, *0): skip it
	}
}

func (r *Reader) next() ([][]byte, error) {
	if !r.inReq {
		if r.r == r.w {
			return nil, errNeedMore
		}
		if r.buf[r.r] != '*' {
			return r.inline()
		}
		cr := indexCR(r.buf[r.r:r.w])
		if cr < 0 || r.r+cr+1 >= r.w {
			if r.w-r.r > inlineMaxSize {
				return nil, &ProtocolError{"too big mbulk count string"}
			}
			return nil, errNeedMore
		}
		n, ok := core.ParseInt(r.buf[r.r+1 : r.r+cr])
		if !ok || n > maxMultibulkLen {
			return nil, &ProtocolError{"invalid multibulk length"}
		}
		if n > unauthMaxMultibulk && !r.authed() {
			return nil, &ProtocolError{"unauthenticated multibulk length"}
		}
		end := r.r + cr + 2
		if n <= 0 {
			r.r = end
			return nil, nil
		}
		r.inReq, r.pos, r.left, r.bulkLen, r.offs = true, end, int(n), -1, r.offs[:0]
	}
	for r.left > 0 {
		if r.bulkLen < 0 {
			if r.pos >= r.w {
				return nil, errNeedMore
			}
			if c := r.buf[r.pos]; c != '$' {
				return nil, &ProtocolError{"expected '$', got '" + string(c) + "'"}
			}
			cr := indexCR(r.buf[r.pos:r.w])
			if cr < 0 || r.pos+cr+1 >= r.w {
				if r.w-r.pos > inlineMaxSize {
					return nil, &ProtocolError{"too big bulk count string"}
				}
				return nil, errNeedMore
			}
			n, ok := core.ParseInt(r.buf[r.pos+1 : r.pos+cr])
			if !ok || n < 0 || n > r.MaxBulkLen {
				return nil, &ProtocolError{"invalid bulk length"}
			}
			if n > unauthMaxBulk && !r.authed() {
				return nil, &ProtocolError{"unauthenticated bulk length"}
			}
			r.pos += cr + 2
			r.bulkLen = int(n)
		}
		if r.w-r.pos < r.bulkLen+2 {
			return nil, errNeedMore
		}
		// Like Redis, the two bytes after the data are skipped unchecked.
		r.offs = append(r.offs, r.pos-r.r, r.pos-r.r+r.bulkLen)
		r.pos += r.bulkLen + 2
		r.bulkLen = -1
		r.left--
	}
	r.args = r.args[:0]
	for i := 0; i < len(r.offs); i += 2 {
		r.args = append(r.args, r.buf[r.r+r.offs[i]:r.r+r.offs[i+1]:r.r+r.offs[i+1]])
	}
	r.r, r.inReq = r.pos, false
	return r.args, nil
}

func (r *Reader) inline() ([][]byte, error) {
	nl := -1
	for i, c := range r.buf[r.r:r.w] {
		if c == '\n' {
			nl = i
			break
		}
	}
	if nl < 0 {
		if r.w-r.r > inlineMaxSize {
			return nil, &ProtocolError{"too big inline request"}
		}
		return nil, errNeedMore
	}
	line := r.buf[r.r : r.r+nl]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	r.r += nl + 1
	args, ok := SplitArgs(line)
	if !ok {
		return nil, &ProtocolError{"unbalanced quotes in request"}
	}
	if len(args) == 0 {
		return nil, nil
	}
	return args, nil
}

func indexCR(b []byte) int {
	for i, c := range b {
		if c == '\r' {
			return i
		}
	}
	return -1
}

// Fill reads more data from the connection, blocking until some arrives.
func (r *Reader) Fill() error {
	n, err := r.fillWith(r.rd.Read)
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}

// fillWith makes room and reads once with read into it. The close watch
// of a blocked client fills the buffer this way, reading the socket
// itself, while the connection's goroutine is parked.
func (r *Reader) fillWith(read func([]byte) (int, error)) (int, error) {
	// Make room: drop consumed bytes, then grow if a request needs more.
	if r.r > 0 {
		n := copy(r.buf, r.buf[r.r:r.w])
		if r.inReq {
			r.pos -= r.r
		}
		r.r, r.w = 0, n
	}
	need := r.w + readChunk
	if r.inReq && r.bulkLen >= 0 && r.pos+r.bulkLen+2 > need {
		need = r.pos + r.bulkLen + 2
	}
	if need > len(r.buf) {
		size := 2 * len(r.buf)
		for size < need {
			size *= 2
		}
		nb := make([]byte, size)
		copy(nb, r.buf[:r.w])
		r.buf = nb
	} else if r.w == 0 && len(r.buf) > 4*readChunk {
		r.buf = make([]byte, readChunk) // give back a buffer grown for a big request
	}
	n, err := read(r.buf[r.w:])
	if n > 0 { // a system call's read returns -1 on error
		r.w += n
	}
	return n, err
}

// SplitArgs splits an inline command line as Redis's sdssplitargs does:
// whitespace separates arguments; "double quotes" allow \n \r \t \b \a \xHH
// and backslash escapes; 'single quotes' allow \'. A closing quote must be
// followed by whitespace or the end. ok is false for unbalanced quotes.
func SplitArgs(line []byte) (args [][]byte, ok bool) {
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return args, true
		}
		var cur []byte
		inq, insq, done := false, false, false
		for !done {
			switch {
			case inq:
				if p >= len(line) {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+3 < len(line) && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]) {
					cur = append(cur, hexVal(line[p+2])<<4|hexVal(line[p+3]))
					p += 3
				} else if c == '\\' && p+1 < len(line) {
					p++
					switch c = line[p]; c {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					}
					cur = append(cur, c)
				} else if c == '"' {
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			case insq:
				if p >= len(line) {
					return nil, false
				}
				c := line[p]
				if c == '\\' && p+1 < len(line) && line[p+1] == '\'' {
					p++
					cur = append(cur, '\'')
				} else if c == '\'' {
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				} else {
					cur = append(cur, c)
				}
			default:
				if p >= len(line) {
					done = true
					break
				}
				switch c := line[p]; c {
				case ' ', '\n', '\r', '\t', 0:
					done = true
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		args = append(args, cur)
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
