package core_test

import (
	"strings"
	"testing"

	"github.com/polyfn/polyfn/conformance"
	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
	"github.com/stretchr/testify/require"
)

// getKeysCases are command lines whose keys COMMAND GETKEYS and
// GETKEYSANDFLAGS must report exactly as redis-server 7.0 does, error
// cases included.
var getKeysCases = []string{
	`get k`, `set k v`, `set k v get`, `set k v ex 10 GeT`, `set k v nx`, `mset a 1 b 2 c 3`, `mset a 1 b`,
	`del a b c`, `exists a b`, `rename a b`, `copy a b`, `object encoding k`, `memory usage k`,
	`zunionstore dst 2 a b`, `zunionstore dst 2 a b weights 1 2`, `zunionstore dst 3 a b`, `zunionstore dst 0 a`,
	`zunionstore dst abc a b`, `zunionstore dst 2abc a b`, `zunionstore dst -1 a b`, `zinterstore d 1 a`,
	`zdiffstore d 2 a b`, `zunion 2 a b`, `zinter 1 a withscores`, `zdiff 3 a b c`, `zintercard 2 a b limit 3`,
	`sintercard 2 a b`, `sintercard 5 a b`,
	`eval "return 1" 0`, `eval "return 1" 2 a b c`, `eval s 3 a b`, `eval s abc a`, `eval s 2x a b`, `evalsha sha 1 k`,
	`eval_ro s 1 k`, `fcall f 2 a b`, `fcall_ro f 0`,
	`lmpop 2 a b left`, `lmpop 0 a left`, `blmpop 0 2 a b left count 2`, `zmpop 1 z min`, `bzmpop 1.5 2 a b max`,
	`xread streams s1 s2 0 0`, `xread count 2 block 0 streams s 0`, `xread streams s1 s2 0`, `xread streams a`,
	`xread noack streams s 0`, `xreadgroup group g c streams s 0`, `xreadgroup group g c count 1 noack streams a b 0 0`,
	`xreadgroup group g c streams a b 0`,
	`sort k`, `sort k by w limit 0 1 get # store dst`, `sort k store a store b`, `sort k get store store d`, `sort k store`,
	`sort_ro k by x`, `migrate h 6379 k 0 5`, `migrate h 6379 "" 0 5 keys a b`, `migrate h 6379 k 0 5 keys a b`,
	`migrate h 6379 "" 0 5 copy replace auth pw keys a`, `migrate h 6379 "" 0 5 auth2 u keys keys a`,
	`georadius g 0 0 1 km store dst`, `georadius g 0 0 1 km storedist d2 store d1`, `georadius g 0 0 1 km`,
	`georadius g 0 0 1 km store`, `georadiusbymember g m 1 km store d`, `georadius_ro g 0 0 1 km`,
	`geosearchstore d s frommember m byradius 1 km`, `bitfield k get u8 0`, `bitfield k set u8 0 1`, `bitfield k overflow sat`,
	`bitfield k get u8`, `bitfield_ro k get u8 0`, `bitop and d a b c`, `pfcount a b`, `pfmerge d a b`,
	`lmove a b left right`, `blmove a b left right 0`, `brpoplpush a b 0`, `blpop a b c 0`, `bzpopmin a b 1`,
	`smove a b m`, `sdiffstore d a b`, `rpoplpush a b`, `lcs a b`, `getex k persist`, `touch a b`, `unlink a`,
	`watch a b`, `xadd s * f v`, `xgroup create s g $`, `xinfo stream s`, `xclaim s g c 0 1`, `xautoclaim s g c 0 0`,
	`pubsub channels`, `publish ch m`, `spublish ch m`, `ssubscribe a b`, `object help`, `debug object k`,
	`client list`, `config get x`, `ping`, `info`, `command info`, `nosuchcmd a`, `config nosuch`, `config`,
	`get`, `get a b`, `mset a`, `restore k 0 payload`, `dump k`, `expire k 1`, `hset h f v`, `pfdebug encoding k`,
}

func TestGetKeysMatchesRedis(t *testing.T) {
	addr := conformance.StartRedis(t)
	rc := conformance.Dial(t, addr)
	table := core.FullMetaTable()
	for _, resp := range []int{2, 3} {
		if resp == 3 {
			_, _, err := rc.Do("HELLO", "3")
			require.NoError(t, err)
		}
		for _, line := range getKeysCases {
			args, ok := protocol.SplitArgs([]byte(line))
			require.True(t, ok, line)
			for _, sub := range []string{"GETKEYS", "GETKEYSANDFLAGS"} {
				cmd := []string{"COMMAND", sub}
				for _, a := range args {
					cmd = append(cmd, string(a))
				}
				_, want, err := rc.Do(cmd...)
				require.NoError(t, err)
				got := runGetKeys(table, resp, cmd)
				require.Equal(t, string(want), string(got), "RESP%d %s", resp, strings.Join(cmd, " "))
			}
		}
	}
}

// runGetKeys runs COMMAND GETKEYS[ANDFLAGS] on a server using table.
func runGetKeys(table *core.Table, resp int, cmd []string) []byte {
	s := core.New(core.NewConfig(), table)
	defer s.RequestShutdown()
	w := protocol.NewWriter(resp)
	c := s.NewClient(nopConn{}, "127.0.0.1:1", "127.0.0.1:2")
	c.Resp = resp
	c.W = w
	args := make([][]byte, len(cmd))
	for i, a := range cmd {
		args[i] = []byte(a)
	}
	// Route through COMMAND's real handler: the placeholder table has a
	// no-op one, so swap in polyfn's.
	real := core.DefaultTable().Get("command|" + strings.ToLower(cmd[1]))
	table.Get("command|" + strings.ToLower(cmd[1])).Handler = real.Handler
	s.Exec(c, args)
	return w.Bytes()
}

type nopConn struct{}

func (nopConn) Deliver(func(core.ReplyWriter)) {}
func (nopConn) Close()                         {}
func (nopConn) SetResp(int)                    {}
func (nopConn) PendingOutput() int             { return 0 }
