package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCmdCacheAgreesWithTable: the cache answers what the table does,
// for names in any case, subcommands, unknown names, long names, and
// after more distinct commands than it holds.
func TestCmdCacheAgreesWithTable(t *testing.T) {
	table := DefaultTable()
	var c cmdCache
	calls := [][]string{
		{"SET", "k", "v"}, {"set", "k", "v"}, {"SeT", "k", "v"}, {"GET", "k"},
		{"config", "get", "x"}, {"CONFIG", "SET", "x", "y"}, {"config"}, {"config", "nosuch"},
		{"nosuch"}, {"NOSUCH"}, {"averyveryverylongcommandnamethatisnotacommand"},
		{"incr", "k"}, {"decr", "k"}, {"hset", "h", "f", "v"}, {"hget", "h", "f"},
		{"lpush", "l", "x"}, {"rpush", "l", "x"}, {"lpop", "l"}, {"rpop", "l"},
		{"sadd", "s", "m"}, {"zadd", "z", "1", "m"}, {"del", "k"}, {"exists", "k"},
		{"SET", "k", "v"}, {"get", "k"}, {"object", "encoding", "k"}, {"OBJECT", "ENCODING", "k"},
	}
	for round := 0; round < 3; round++ {
		for _, call := range calls {
			args := make([][]byte, len(call))
			for i, a := range call {
				args[i] = []byte(a)
			}
			wantCmd, wantFound := table.Lookup(args)
			cmd, found := c.lookup(table, args)
			require.Equal(t, wantFound, found, "%v", call)
			require.Same(t, wantCmd, cmd, "%v", call)
		}
	}
	// The cache copies names: changing the caller's bytes changes nothing.
	name := []byte("get")
	cmd, _ := c.lookup(table, [][]byte{name, []byte("k")})
	copy(name, "set")
	cmd2, _ := c.lookup(table, [][]byte{name, []byte("k"), []byte("v")})
	require.Equal(t, "get", cmd.Name)
	require.Equal(t, "set", cmd2.Name)
}

// BenchmarkScriptCommandLookup: a script's SET and GET, through the cache
// and through the table.
func BenchmarkScriptCommandLookup(b *testing.B) {
	table := DefaultTable()
	set := [][]byte{[]byte("SET"), []byte("k"), []byte("v")}
	get := [][]byte{[]byte("GET"), []byte("k")}
	b.Run("cache", func(b *testing.B) {
		var c cmdCache
		for i := 0; i < b.N; i++ {
			c.lookup(table, set)
			c.lookup(table, get)
		}
	})
	b.Run("table", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			table.Lookup(set)
			table.Lookup(get)
		}
	})
}
