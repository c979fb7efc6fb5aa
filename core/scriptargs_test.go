package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJoinArgs: KEYS and ARGV are the same strings whether they share one
// allocation (JoinArgs) or not.
func TestJoinArgs(t *testing.T) {
	big := make([]byte, joinArgsMax)
	for _, c := range [][][]byte{
		{[]byte("bench:key"), []byte("value")},
		{[]byte("k"), []byte("v")},
		{[]byte(""), []byte("ab"), []byte(""), []byte("cd"), []byte("e")},
		{[]byte("ab"), big, []byte("cd")},
		{},
	} {
		keys, args := c[:len(c)/2], c[len(c)/2:]
		strs := JoinArgs(keys, args)
		for _, b := range append(append([][]byte{}, keys...), args...) {
			s, ok := CutArg(&strs, len(b))
			if !ok {
				s = string(b)
			}
			require.Equal(t, string(b), s)
		}
		require.Empty(t, strs)
	}
}
