package core

import (
	"bufio"
	"bytes"
	"testing"
)

// Every reply the writer side can produce reads back as the same value
// and the same bytes.
func TestReadValueRoundTrip(t *testing.T) {
	in := []byte("*3\r\n$3\r\nfoo\r\n:-12\r\n%1\r\n+ok\r\n~2\r\n#t\r\n_\r\n,1.5\r\n(123\r\n=7\r\ntxt:abc\r\n>1\r\n-ERR x\r\n|1\r\n+a\r\n:1\r\n$-1\r\n*-1\r\n")
	br := bufio.NewReader(bytes.NewReader(in))
	var all []byte
	n := 0
	for {
		_, raw, err := ReadValue(br)
		if err != nil {
			break
		}
		all = append(all, raw...)
		n++
	}
	if !bytes.Equal(all, in) || n != 7 {
		t.Fatalf("read %d values, bytes %q", n, all)
	}
}

// FuzzReadValue: the reply parser used by tools and tests must reject or
// accept arbitrary bytes without panicking, and never claim more bytes
// than it was given.
func FuzzReadValue(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n+a\r\n_\r\n", "$-1\r\n", "=5\r\ntxt:a\r\n", "|1\r\n+a\r\n+b\r\n+c\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		_, raw, _ := ReadValue(bufio.NewReader(bytes.NewReader(in)))
		if len(raw) > len(in) {
			t.Fatalf("raw longer than input")
		}
	})
}
