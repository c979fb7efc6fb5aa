package core

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// ReadValue reads one RESP2 or RESP3 encoded value (the client side of the
// protocol: tests, tools, and the command metadata embedded in this
// package). It returns the value both parsed and as its exact bytes.
func ReadValue(br *bufio.Reader) (Value, []byte, error) {
	var raw bytes.Buffer
	v, err := readValue(br, &raw)
	return v, raw.Bytes(), err
}

func readLine(br *bufio.Reader, raw *bytes.Buffer) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	raw.Write(line)
	if err != nil {
		return nil, err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return nil, fmt.Errorf("protocol: bad line %q", line)
	}
	return line[:len(line)-2], nil
}

func readValue(br *bufio.Reader, raw *bytes.Buffer) (Value, error) {
	line, err := readLine(br, raw)
	if err != nil {
		return Value{}, err
	}
	body := line[1:]
	num := func() (int64, error) {
		n, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("protocol: bad number %q", line)
		}
		return n, nil
	}
	blob := func(n int64) ([]byte, error) {
		b := make([]byte, n+2)
		if _, err := ioReadFull(br, b); err != nil {
			return nil, err
		}
		raw.Write(b)
		return b[:n], nil
	}
	switch line[0] {
	case '+':
		return Value{Kind: VStatus, Str: body}, nil
	case '-':
		return Value{Kind: VError, Str: body}, nil
	case ':':
		n, err := num()
		return Value{Kind: VInt, Int: n}, err
	case '(':
		return Value{Kind: VBigNumber, Str: body}, nil
	case '_':
		return Value{Kind: VNull}, nil
	case '#':
		return Value{Kind: VBool, Int: map[bool]int64{true: 1}[string(body) == "t"]}, nil
	case ',':
		if string(body) == "-nan" { // glibc's spelling of a NaN with its sign set
			return Value{Kind: VDouble, Float: math.Copysign(math.NaN(), -1)}, nil
		}
		f, err := strconv.ParseFloat(string(body), 64)
		return Value{Kind: VDouble, Float: f}, err
	case '$', '=', '!':
		n, err := num()
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			return Value{Kind: VNull}, nil
		}
		b, err := blob(n)
		if err != nil {
			return Value{}, err
		}
		switch line[0] {
		case '=':
			if len(b) < 4 {
				return Value{}, fmt.Errorf("protocol: short verbatim")
			}
			return Value{Kind: VVerbatim, Format: string(b[:3]), Str: b[4:]}, nil
		case '!':
			return Value{Kind: VError, Str: b}, nil
		}
		return Value{Kind: VBulk, Str: b}, nil
	case '|':
		// An attribute map: kept in the raw bytes, then the value it
		// annotates is what is returned.
		n, err := num()
		if err != nil {
			return Value{}, err
		}
		for i := int64(0); i < 2*n; i++ {
			if _, err := readValue(br, raw); err != nil {
				return Value{}, err
			}
		}
		return readValue(br, raw)
	case '*', '%', '~', '>':
		n, err := num()
		if err != nil {
			return Value{}, err
		}
		if n < 0 {
			return Value{Kind: VNullArray}, nil
		}
		kind := map[byte]ValueKind{'*': VArray, '%': VMap, '~': VSet, '>': VPush}[line[0]]
		if kind == VMap {
			n *= 2
		}
		// The length is the peer's word: allocate as elements arrive.
		v := Value{Kind: kind, Elems: make([]Value, 0, min(n, 1024))}
		for i := int64(0); i < n; i++ {
			e, err := readValue(br, raw)
			if err != nil {
				return Value{}, err
			}
			v.Elems = append(v.Elems, e)
		}
		return v, nil
	}
	return Value{}, fmt.Errorf("protocol: unknown reply type %q", line)
}

func ioReadFull(br *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := br.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// AppendCommand encodes args as a RESP multibulk request.
func AppendCommand(dst []byte, args ...string) []byte {
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
