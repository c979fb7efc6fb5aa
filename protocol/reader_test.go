package protocol

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// readAll parses every command in input, feeding the reader through r.
func readAll(t *testing.T, r io.Reader) ([][]string, error) {
	t.Helper()
	rd := NewReader(r)
	var out [][]string
	for {
		args, err := rd.Next()
		if err != nil {
			return out, err
		}
		if args == nil {
			if err := rd.Fill(); err != nil {
				if err == io.EOF {
					return out, nil
				}
				return out, err
			}
			continue
		}
		cmd := make([]string, len(args))
		for i, a := range args {
			cmd[i] = string(a)
		}
		out = append(out, cmd)
	}
}

func TestReaderMultibulkAndInline(t *testing.T) {
	in := "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n  SET a   \"b c\"  \r\n*0\r\n\r\n*1\r\n$0\r\n\r\n"
	want := [][]string{{"GET", "k"}, {"PING"}, {"SET", "a", "b c"}, {""}}
	for name, r := range map[string]io.Reader{
		"whole":   strings.NewReader(in),
		"onebyte": iotest.OneByteReader(strings.NewReader(in)),
	} {
		got, err := readAll(t, r)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
}

func TestReaderBigBulkInPieces(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1<<20)
	in := append([]byte("*2\r\n$4\r\nECHO\r\n$1048576\r\n"), big...)
	in = append(in, "\r\n"...)
	got, err := readAll(t, iotest.HalfReader(bytes.NewReader(in)))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, string(big), got[0][1])
}

func TestReaderErrors(t *testing.T) {
	cases := map[string]string{
		"*x\r\n":                               "invalid multibulk length",
		"*3000000000\r\n":                      "invalid multibulk length",
		"*1\r\n$-1\r\n":                        "invalid bulk length",
		"*1\r\n$01\r\na\r\n":                   "invalid bulk length",
		"*1\r\n+a\r\n":                         "expected '$', got '+'",
		"ECHO \"a\r\n":                         "unbalanced quotes in request",
		strings.Repeat("a", 70000):             "too big inline request",
		"*" + strings.Repeat("1", 70000):       "too big mbulk count string",
		"*1\r\n$" + strings.Repeat("1", 70000): "too big bulk count string",
	}
	for in, msg := range cases {
		_, err := readAll(t, strings.NewReader(in))
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe, "%.30q", in)
		require.Equal(t, msg, pe.Msg, "%.30q", in)
	}
}

func TestReaderMaxBulkLen(t *testing.T) {
	rd := NewReader(strings.NewReader("*1\r\n$2000000\r\n"))
	rd.MaxBulkLen = 1 << 20
	require.NoError(t, rd.Fill())
	_, err := rd.Next()
	require.EqualError(t, err, "Protocol error: invalid bulk length")
}

func TestReaderUnauthenticatedLimits(t *testing.T) {
	for in, msg := range map[string]string{
		"*11\r\n":          "unauthenticated multibulk length",
		"*1\r\n$16385\r\n": "unauthenticated bulk length",
	} {
		rd := NewReader(strings.NewReader(in))
		rd.Authenticated = func() bool { return false }
		require.NoError(t, rd.Fill())
		_, err := rd.Next()
		require.EqualError(t, err, "Protocol error: "+msg)
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{`a b  c`, []string{"a", "b", "c"}, true},
		{`"a\x41\n" 'it\'s'`, []string{"aA\n", "it's"}, true},
		{`""`, []string{""}, true},
		{`a"b c"`, []string{"ab c"}, true},
		{`"a"b`, nil, false},
		{`'a`, nil, false},
		{"\t x \t", []string{"x"}, true},
		{"", nil, true},
	}
	for _, c := range cases {
		args, ok := SplitArgs([]byte(c.in))
		require.Equal(t, c.ok, ok, c.in)
		var got []string
		for _, a := range args {
			got = append(got, string(a))
		}
		require.Equal(t, c.want, got, c.in)
	}
}

// FuzzReader feeds arbitrary bytes to the request reader, whole and one
// byte at a time: it must never panic, and both feeds must agree.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"*1\r\n$4\r\nPING\r\n", "PING\r\n", "SET a \"b\\x00\"\n", "*2\r\n$3\r\nGET\r\n$", "*-1\r\n", "*1\r\n$-1\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a, errA := readAll(t, bytes.NewReader(in))
		b, errB := readAll(t, iotest.OneByteReader(bytes.NewReader(in)))
		if (errA == nil) != (errB == nil) || len(a) != len(b) {
			t.Fatalf("feeds disagree: %v/%v %d/%d", errA, errB, len(a), len(b))
		}
	})
}
