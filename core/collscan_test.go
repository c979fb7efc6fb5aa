package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseCollCursor(t *testing.T) {
	good := map[string]uint64{
		"": 0, "0": 0, "+5": 5, "-1": 1<<64 - 1, "18446744073709551615": 1<<64 - 1,
		"007": 7, "5\x00junk": 5,
	}
	for in, want := range good {
		got, ok := parseCollCursor([]byte(in))
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{" 1", "1 ", "-", "+", "0x10", "1.0", "18446744073709551616", "abc"} {
		_, ok := parseCollCursor([]byte(in))
		require.False(t, ok, in)
	}
}
