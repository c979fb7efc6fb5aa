package persist

import (
	"errors"
	"fmt"
	"strconv"
)

// Commands in an append-only file are RESP arrays of bulk strings, one
// after the other, as a client would send them: "*<n>\r\n" then n times
// "$<len>\r\n<bytes>\r\n". Lines starting with '#' between commands are
// annotations (Redis's aof-timestamp-enabled writes "#TS:<unix>\r\n")
// and are skipped.

// AppendCommand appends one command to dst in that format.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(args)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range args {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// ErrAOFTruncated reports a file that ends in the middle of a command.
var ErrAOFTruncated = errors.New("unexpected end of file")

// AOFFormatError is a file that is not a sequence of commands.
type AOFFormatError struct {
	Offset int
	Msg    string
}

func (e *AOFFormatError) Error() string {
	return fmt.Sprintf("bad file format at byte %d: %s", e.Offset, e.Msg)
}

// ParseCommands calls fn with each command of data, in order (the args
// alias data), and the offset just past it. It returns the offset just past the last whole command;
// err is ErrAOFTruncated when data ends inside a command, an
// *AOFFormatError when it holds something else, or fn's error.
func ParseCommands(data []byte, fn func(args [][]byte, end int) error) (int, error) {
	pos := 0
	var args [][]byte
	for pos < len(data) {
		start := pos
		if data[pos] == '#' {
			end, ok := lineEnd(data, pos)
			if !ok {
				return start, ErrAOFTruncated
			}
			pos = end
			continue
		}
		if data[pos] != '*' {
			return start, &AOFFormatError{pos, "expected '*'"}
		}
		n, next, err := readNumber(data, pos+1)
		if err != nil {
			return start, fixOffset(err, pos)
		}
		if n < 1 {
			return start, &AOFFormatError{pos, "invalid argument count"}
		}
		pos = next
		args = args[:0]
		for i := int64(0); i < n; i++ {
			if pos >= len(data) {
				return start, ErrAOFTruncated
			}
			if data[pos] != '$' {
				return start, &AOFFormatError{pos, "expected '$'"}
			}
			l, next, err := readNumber(data, pos+1)
			if err != nil {
				return start, fixOffset(err, pos)
			}
			if l < 0 {
				return start, &AOFFormatError{pos, "invalid bulk length"}
			}
			pos = next
			if int64(len(data)-pos) < l+2 {
				return start, ErrAOFTruncated
			}
			end := pos + int(l)
			if data[end] != '\r' || data[end+1] != '\n' {
				return start, &AOFFormatError{end, "bulk string not terminated by CRLF"}
			}
			args = append(args, data[pos:end])
			pos = end + 2
		}
		if err := fn(args, pos); err != nil {
			return start, err
		}
	}
	return pos, nil
}

func fixOffset(err error, pos int) error {
	var fe *AOFFormatError
	if errors.As(err, &fe) {
		fe.Offset = pos
	}
	return err
}

// lineEnd returns the offset after the CRLF ending the line at pos.
func lineEnd(data []byte, pos int) (int, bool) {
	for i := pos; i+1 < len(data); i++ {
		if data[i] == '\r' && data[i+1] == '\n' {
			return i + 2, true
		}
	}
	return 0, false
}

// readNumber reads a decimal number ended by CRLF at pos.
func readNumber(data []byte, pos int) (int64, int, error) {
	end, ok := lineEnd(data, pos)
	if !ok {
		if len(data)-pos > 24 {
			return 0, 0, &AOFFormatError{pos, "line too long"}
		}
		return 0, 0, ErrAOFTruncated
	}
	n, err := strconv.ParseInt(string(data[pos:end-2]), 10, 64)
	if err != nil {
		return 0, 0, &AOFFormatError{pos, "invalid number"}
	}
	return n, end, nil
}
