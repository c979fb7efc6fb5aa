package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// A user allowed only the read-only script commands (and GET) runs
// read-only scripts and functions, and nothing that writes: every command
// a script calls is checked against the caller's permissions. Run against
// polyfn and redis-server, whose answers must agree.
func TestACLReadOnlyScripts(t *testing.T) {
	servers := map[string]string{"polyfn": StartPolyfn(t), "redis": StartRedis(t)}
	ctx := context.Background()
	lib := "#!lua name=acllib\n" +
		"redis.register_function{function_name='ro', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='rw', callback=function(k) return redis.call('set', k[1], 'x') end}\n" +
		"redis.register_function{function_name='sneaky', callback=function(k) return redis.pcall('set', k[1], 'x') end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='check', callback=function(k) return {redis.acl_check_cmd('get', k[1]) and 1 or 0, redis.acl_check_cmd('set', k[1], 'v') and 1 or 0} end, flags={'no-writes'}}\n"
	results := map[string][]string{}
	for name, addr := range servers {
		for _, proto := range []int{2, 3} {
			admin := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto})
			require.NoError(t, admin.FlushAll(ctx).Err())
			require.NoError(t, admin.Do(ctx, "FUNCTION", "FLUSH").Err())
			require.NoError(t, admin.Set(ctx, "k", "v", 0).Err())
			require.NoError(t, admin.Do(ctx, "FUNCTION", "LOAD", lib).Err())
			require.NoError(t, admin.Do(ctx, "ACL", "SETUSER", "ro", "on", ">pw", "+fcall_ro", "+eval_ro", "+get", "~*").Err())
			user := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, Username: "ro", Password: "pw"})
			var out []string
			add := func(v any, err error) { out = append(out, fmt.Sprintf("%v|%v", v, err)) }
			add(user.Do(ctx, "FCALL_RO", "ro", "1", "k").Result())
			add(user.Do(ctx, "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k").Result())
			add(user.Do(ctx, "FCALL_RO", "check", "1", "k").Result())
			add(user.Do(ctx, "FCALL_RO", "sneaky", "1", "k").Result())
			add(user.Do(ctx, "FCALL_RO", "rw", "1", "k").Result())
			add(user.Do(ctx, "FCALL", "rw", "1", "k").Result())
			add(user.Do(ctx, "EVAL", "return redis.call('set', KEYS[1], 'x')", "1", "k").Result())
			add(user.Do(ctx, "EVAL_RO", "return redis.call('set', KEYS[1], 'x')", "1", "k").Result())
			add(user.Set(ctx, "k", "x", 0).Result())
			add(user.Get(ctx, "k").Result())
			require.NoError(t, admin.Do(ctx, "ACL", "SETUSER", "ro", "resetkeys", "~other").Err())
			add(user.Do(ctx, "FCALL_RO", "ro", "1", "k").Result())
			add(user.Do(ctx, "EVAL_RO", "return redis.call('get', 'k')", "0").Result())
			add(user.Do(ctx, "FCALL_RO", "check", "1", "other").Result())
			user.Close()
			admin.Close()
			results[fmt.Sprintf("%s/resp%d", name, proto)] = out
		}
	}
	for _, proto := range []int{2, 3} {
		p, r := results[fmt.Sprintf("polyfn/resp%d", proto)], results[fmt.Sprintf("redis/resp%d", proto)]
		require.Equal(t, r, p, "resp%d", proto)
	}
	// The read-only user could read but never wrote.
	p := results["polyfn/resp2"]
	require.Equal(t, "v|<nil>", p[0])
	require.Equal(t, "v|<nil>", p[9])
	require.Contains(t, p[3], "can't run this command or subcommand")
	t.Logf("%q", p)
}

// ACL SAVE writes the users in ACL LIST's format and ACL LOAD reads them
// back, as Redis does with its aclfile; errors leave the users unchanged.
func TestACLFile(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"polyfn", "redis"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := dir + "/users.acl"
			require.NoError(t, os.WriteFile(path, []byte("user default on nopass ~* &* +@all\nuser bob on #"+sha256Hex("pw")+" ~b* resetchannels -@all +get\n"), 0o644))
			start := StartPolyfn
			if name == "redis" {
				start = StartRedis
			}
			rdb := redis.NewClient(&redis.Options{Addr: start(t, "--aclfile", path)})
			defer rdb.Close()
			list := func() []any { v, err := rdb.Do(ctx, "ACL", "LIST").Slice(); require.NoError(t, err); return v }
			require.Equal(t, []any{"user bob on #" + sha256Hex("pw") + " ~b* resetchannels -@all +get", "user default on nopass ~* &* +@all"}, list())
			require.NoError(t, rdb.Do(ctx, "ACL", "SETUSER", "carol", "on", "nopass", "%R~c*", "+@read", "(~x +set)").Err())
			require.NoError(t, rdb.Do(ctx, "ACL", "SAVE").Err())
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, "user bob on #"+sha256Hex("pw")+" ~b* resetchannels -@all +get\nuser carol on nopass %R~c* resetchannels -@all +@read (~x resetchannels -@all +set)\nuser default on nopass ~* &* +@all\n", string(data))
			require.NoError(t, rdb.Do(ctx, "ACL", "DELUSER", "carol").Err())
			require.NoError(t, rdb.Do(ctx, "ACL", "LOAD").Err())
			require.Len(t, list(), 3)
			require.NoError(t, os.WriteFile(path, []byte("user bob on +nosuch\n"), 0o644))
			err = rdb.Do(ctx, "ACL", "LOAD").Err()
			require.EqualError(t, err, "ERR "+path+":1: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
			require.Len(t, list(), 3)
		})
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
