package persist

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestManifestRoundTrip(t *testing.T) {
	src := "file appendonly.aof.2.base.rdb seq 2 type b\n" +
		"file appendonly.aof.1.incr.aof seq 1 type h\n" +
		"file appendonly.aof.2.incr.aof seq 2 type i\n" +
		"file appendonly.aof.3.incr.aof seq 3 type i\n"
	m, err := ParseManifest([]byte(src))
	require.NoError(t, err)
	require.Equal(t, "appendonly.aof.2.base.rdb", m.Base.Name)
	require.Len(t, m.History, 1)
	require.Equal(t, int64(3), m.LastIncrSeq())
	require.Equal(t, src, string(m.Bytes()))

	// Keys in any order, comments, blank lines, quoted names.
	m, err = ParseManifest([]byte("# comment\n\ntype b seq 1 file \"a b\\x41.rdb\"\n"))
	require.NoError(t, err)
	require.Equal(t, "a bA.rdb", m.Base.Name)
	require.Equal(t, "file \"a bA.rdb\" seq 1 type b\n", string(m.Bytes()))
	again, err := ParseManifest(m.Bytes())
	require.NoError(t, err)
	require.Equal(t, m, again)
}

func TestManifestRefused(t *testing.T) {
	for name, src := range map[string]string{
		"empty":         "",
		"only comments": "# x\n",
		"two bases":     "file a seq 1 type b\nfile b seq 2 type b\n",
		"bad type":      "file a seq 1 type x\n",
		"no seq":        "file a type i\n",
		"bad seq":       "file a seq z type i\n",
		"odd words":     "file a seq 1 type\n",
		"path":          "file ../a seq 1 type i\n",
		"unbalanced":    "file \"a seq 1 type i\n",
		"not monotonic": "file a seq 2 type i\nfile b seq 1 type i\n",
	} {
		_, err := ParseManifest([]byte(src))
		require.ErrorIs(t, err, ErrManifest, name)
	}
}

func TestParseCommands(t *testing.T) {
	var data []byte
	data = AppendCommand(data, []byte("SET"), []byte("k"), []byte("a\r\nb"))
	data = append(data, "#TS:1700000000\r\n"...)
	data = AppendCommand(data, []byte("DEL"), []byte("k"))
	var got []string
	n, err := ParseCommands(data, func(args [][]byte, end int) error {
		var parts []string
		for _, a := range args {
			parts = append(parts, string(a))
		}
		got = append(got, strings.Join(parts, " "))
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, len(data), n)
	require.Equal(t, []string{"SET k a\r\nb", "DEL k"}, got)

	// Every cut inside the last command is a truncation after the first.
	first := len(AppendCommand(nil, []byte("SET"), []byte("k"), []byte("a\r\nb"))) + len("#TS:1700000000\r\n")
	for cut := first + 1; cut < len(data); cut++ {
		n, err := ParseCommands(data[:cut], func([][]byte, int) error { return nil })
		require.ErrorIs(t, err, ErrAOFTruncated, "cut %d", cut)
		require.Equal(t, first, n, "cut %d", cut)
	}
	for name, bad := range map[string]string{
		"no star":     "SET k v\r\n",
		"zero args":   "*0\r\n",
		"no dollar":   "*1\r\n+OK\r\n",
		"bad length":  "*1\r\n$x\r\nab\r\n",
		"no crlf":     "*1\r\n$2\r\nabXY",
		"bad count":   "*-1\r\n",
		"long header": "*" + strings.Repeat("1", 40),
	} {
		_, err := ParseCommands([]byte(bad), func([][]byte, int) error { return nil })
		var fe *AOFFormatError
		require.True(t, errors.As(err, &fe), "%s: %v", name, err)
	}
}

// FuzzParseCommands: any input is parsed, truncated or refused, never a
// panic, and the valid prefix re-parses whole.
func FuzzParseCommands(f *testing.F) {
	f.Add(AppendCommand(nil, []byte("SET"), []byte("k"), []byte("v")))
	f.Add([]byte("*2\r\n$3\r\nDEL\r\n$1\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, _ := ParseCommands(data, func([][]byte, int) error { return nil })
		m, err := ParseCommands(data[:n], func([][]byte, int) error { return nil })
		require.NoError(t, err)
		require.Equal(t, n, m)
	})
}
