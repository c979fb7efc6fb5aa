package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// The append-only file: round trips through polyfn's own restarts,
// rewrites and DEBUG LOADAOF, and interop with redis-server 7.0.15 on
// real AOF directories, both ways.

// aofExtra are commands whose effects the AOF records in another form
// (relative expiries, random pops, automatic IDs, a script and a
// transaction of several writes, a blocked pop served later).
func aofExtra(t *testing.T, addr string) []string {
	c := Dial(t, addr)
	defer c.Close()
	pipeline(t, c, [][]string{
		{"SET", "x:ex", "v", "EX", "1000"},
		{"SETEX", "x:setex", "1000", "v"},
		{"SET", "x:exp", "v"}, {"EXPIRE", "x:exp", "1000"},
		{"SET", "x:getex", "v"}, {"GETEX", "x:getex", "PX", "900000"},
		{"INCRBYFLOAT", "x:float", "1.25"}, {"HINCRBYFLOAT", "x:hf", "f", "2.5"},
		{"SADD", "x:spop", "a", "b", "c", "d", "e"}, {"SPOP", "x:spop"}, {"SPOP", "x:spop", "2"},
		{"XADD", "x:stream", "*", "f", "v"}, {"XADD", "x:stream", "MAXLEN", "~", "1", "*", "g", "w"},
		{"RPUSH", "x:list", "a", "b", "c"}, {"LMPOP", "1", "x:list", "RIGHT", "COUNT", "2"},
		{"ZADD", "x:z", "1", "a", "2", "b"}, {"ZMPOP", "1", "x:z", "MAX"},
		{"EVAL", "redis.call('set','x:s1','1') redis.call('incr','x:s2') return 1", "0"},
		{"MULTI"}, {"SET", "x:t1", "1"}, {"INCR", "x:t2"}, {"EXEC"},
		{"SET", "x:past", "v"}, {"EXPIRE", "x:past", "-1"},
		// Consumer groups: deliveries and claims replay as XCLAIM ... FORCE.
		{"XADD", "x:sg", "1-1", "a", "1"}, {"XADD", "x:sg", "2-1", "a", "2"}, {"XADD", "x:sg", "3-1", "a", "3"},
		{"XADD", "x:sg", "4-1", "a", "4"}, {"XADD", "x:sg", "5-1", "a", "5"},
		{"XGROUP", "CREATE", "x:sg", "g", "0"}, {"XGROUP", "CREATE", "x:sg", "g2", "0"},
		{"XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "x:sg", ">"},
		{"XREADGROUP", "GROUP", "g", "c2", "COUNT", "2", "STREAMS", "x:sg", ">"},
		{"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x:sg", "0"},
		{"XCLAIM", "x:sg", "g", "c3", "0", "1-1"},
		{"XAUTOCLAIM", "x:sg", "g", "c4", "0", "0", "COUNT", "1"},
		{"XACK", "x:sg", "g", "4-1"}, {"XDEL", "x:sg", "3-1"},
		{"XAUTOCLAIM", "x:sg", "g", "c4", "0", "0"},
		{"XREADGROUP", "GROUP", "g2", "c9", "NOACK", "COUNT", "3", "STREAMS", "x:sg", ">"},
	})
	// A BLPOP parked before its list exists, served by a later RPUSH.
	b := Dial(t, addr)
	defer b.Close()
	require.NoError(t, b.Send("BLPOP", "x:blist", "10"))
	time.Sleep(50 * time.Millisecond)
	pipeline(t, c, [][]string{{"RPUSH", "x:blist", "one", "two"}})
	v, _, err := b.Read()
	require.NoError(t, err)
	require.Len(t, v.Elems, 2)
	return []string{"x:ex", "x:setex", "x:exp", "x:getex", "x:float", "x:hf", "x:spop", "x:stream",
		"x:list", "x:z", "x:s1", "x:s2", "x:t1", "x:t2", "x:past", "x:blist", "x:sg"}
}

// aofSnapshot is snapshotOf with expiries that relative commands set a
// moment ago compared to the second.
func aofSnapshot(t *testing.T, c *Client, keys []string) map[string]string {
	out := snapshotOf(t, c, keys)
	for _, k := range keys {
		if out[k] == "stream" || strings.HasPrefix(out[k], "stream ") {
			out[k] += streamState(t, c, k)
		}
	}
	for k, v := range out {
		if i := strings.LastIndex(v, " exp="); i >= 0 {
			if ms, err := strconv.ParseInt(v[i+5:], 10, 64); err == nil && ms > 0 {
				out[k] = v[:i] + " exp~" + strconv.FormatInt(ms/1000, 10)
			}
		}
	}
	return out
}

// streamState is a stream's entries, groups and pending entries (times
// left out: consumers' seen times are when the file was loaded).
func streamState(t *testing.T, c *Client, key string) string {
	_, raw, err := c.Do("XRANGE", key, "-", "+")
	require.NoError(t, err)
	out := " " + string(raw)
	groups, _, err := c.Do("XINFO", "GROUPS", key)
	require.NoError(t, err)
	for _, g := range groups.Elems {
		var name string
		for i := 0; i+1 < len(g.Elems); i += 2 {
			switch string(g.Elems[i].Str) {
			case "name":
				name = string(g.Elems[i+1].Str)
				out += " group=" + name
			case "pending", "consumers":
				out += " " + string(g.Elems[i].Str) + "=" + strconv.FormatInt(g.Elems[i+1].Int, 10)
			case "last-delivered-id":
				out += " last=" + string(g.Elems[i+1].Str)
			}
		}
		pend, _, err := c.Do("XPENDING", key, name, "-", "+", "100")
		require.NoError(t, err)
		for _, p := range pend.Elems {
			out += fmt.Sprintf(" [%s %s %d]", p.Elems[0].Str, p.Elems[1].Str, p.Elems[3].Int)
		}
	}
	return out
}

func wasmLib(t *testing.T) string {
	m, err := os.ReadFile("../engines/wasm/testdata/example.wasm")
	require.NoError(t, err)
	return "#!wasm name=example\n" + string(m)
}

func waitRewrite(t *testing.T, c *Client) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		_, raw, err := c.Do("INFO", "persistence")
		require.NoError(t, err)
		if strings.Contains(string(raw), "aof_rewrite_in_progress:0") && !strings.Contains(string(raw), "aof_rewrite_scheduled:1") {
			require.Contains(t, string(raw), "aof_last_bgrewrite_status:ok")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("BGREWRITEAOF did not end")
}

func manifestOf(t *testing.T, dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	require.NoError(t, err)
	return string(b)
}

// TestAOFRoundTrip: every type, expiry and library (Lua, JavaScript,
// WebAssembly) survives a restart, a BGREWRITEAOF then a restart, and
// DEBUG LOADAOF.
func TestAOFRoundTrip(t *testing.T) {
	for _, mode := range []string{"restart", "BGREWRITEAOF", "DEBUG LOADAOF", "no-preamble"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--appendonly", "yes"}
			if mode == "no-preamble" {
				args = append(args, "--aof-use-rdb-preamble", "no")
			}
			pAddr, cs := startPolyfnDir(t, dir, args...)
			p := Dial(t, pAddr)
			keys := fill(t, p, true)
			keys = append(keys, aofExtra(t, pAddr)...)
			pipeline(t, p, [][]string{{"FUNCTION", "LOAD", wasmLib(t)}})
			if mode == "BGREWRITEAOF" || mode == "no-preamble" {
				_, raw, err := p.Do("BGREWRITEAOF")
				require.NoError(t, err)
				require.Equal(t, "+Background append only file rewriting started\r\n", string(raw))
				waitRewrite(t, p)
				ext := "rdb"
				if mode == "no-preamble" {
					ext = "aof"
				}
				require.Equal(t, "file appendonly.aof.2.base."+ext+" seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", manifestOf(t, dir))
				// Writes after the rewrite go to the new incremental file.
				pipeline(t, p, [][]string{{"SET", "after", "rewrite"}})
				keys = append(keys, "after")
			}
			want := aofSnapshot(t, p, keys)
			require.Equal(t, "rdblua,rdbjs", functionNames(t, p))
			if mode == "DEBUG LOADAOF" {
				_, raw, err := p.Do("DEBUG", "LOADAOF")
				require.NoError(t, err)
				require.Equal(t, "+OK\r\n", string(raw))
				require.Equal(t, want, aofSnapshot(t, p, keys))
				return
			}
			p.Close()
			cs.Lock()
			require.NoError(t, cs.ShutdownSave(false, true))
			cs.Unlock()
			cs.RequestShutdown()
			p2Addr, _ := startPolyfnDir(t, dir, args...)
			p2 := Dial(t, p2Addr)
			require.Equal(t, want, aofSnapshot(t, p2, keys))
			require.Equal(t, "rdblua,rdbjs", functionNames(t, p2))
			for _, call := range [][]string{{"FCALL", "rdbg", "0"}, {"FCALL", "hello", "0"}} {
				v, _, err := p2.Do(call...)
				require.NoError(t, err)
				require.NotEqual(t, core.VError, v.Kind, "%v: %s", call, v.Str)
			}
		})
	}
}

// TestAOFToRedis: redis-server 7.0 loads the AOF directory polyfn wrote,
// before and after a rewrite.
func TestAOFToRedis(t *testing.T) {
	for _, mode := range []string{"incr", "rewrite", "no-preamble"} {
		t.Run(mode, func(t *testing.T) {
			rewrite := mode != "incr"
			dir := t.TempDir()
			pAddr, cs := startPolyfnDir(t, dir, "--appendonly", "yes", "--aof-use-rdb-preamble", map[bool]string{true: "yes", false: "no"}[mode != "no-preamble"])
			p := Dial(t, pAddr)
			keys := fill(t, p, false)
			keys = append(keys, aofExtra(t, pAddr)...)
			if rewrite {
				_, _, err := p.Do("BGREWRITEAOF")
				require.NoError(t, err)
				waitRewrite(t, p)
				pipeline(t, p, [][]string{{"SET", "after", "rewrite"}, {"EXPIRE", "after", "5000"}})
				keys = append(keys, "after")
			}
			want := aofSnapshot(t, p, keys)
			cs.Lock()
			require.NoError(t, cs.ShutdownSave(false, true))
			cs.Unlock()
			cs.RequestShutdown()
			rAddr, ok := tryRedis(t, "--dir", dir, "--appendonly", "yes")
			if !ok {
				t.Skip("redis-server not installed")
			}
			r := Dial(t, rAddr)
			require.Equal(t, want, aofSnapshot(t, r, keys))
			require.Equal(t, "rdblua", functionNames(t, r))
		})
	}
}

// TestAOFFromRedis: polyfn loads the AOF directory redis-server wrote
// (incremental commands only, after a rewrite with an RDB base, and after
// a rewrite with aof-use-rdb-preamble no: a base of commands).
func TestAOFFromRedis(t *testing.T) {
	for _, mode := range []string{"incr", "rewrite", "no-preamble"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--dir", dir, "--appendonly", "yes", "--appendfsync", "always"}
			if mode == "no-preamble" {
				args = append(args, "--aof-use-rdb-preamble", "no")
			}
			rAddr, ok := tryRedis(t, args...)
			if !ok {
				t.Skip("redis-server not installed")
			}
			r := Dial(t, rAddr)
			keys := fill(t, r, false)
			keys = append(keys, aofExtra(t, rAddr)...)
			if mode != "incr" {
				_, _, err := r.Do("BGREWRITEAOF")
				require.NoError(t, err)
				waitRewrite(t, r)
				pipeline(t, r, [][]string{{"SET", "after", "rewrite"}})
				keys = append(keys, "after")
			}
			want := aofSnapshot(t, r, keys)
			if mode == "no-preamble" {
				require.Contains(t, manifestOf(t, dir), ".base.aof")
			}
			pAddr, _ := startPolyfnDir(t, dir, "--appendonly", "yes")
			p := Dial(t, pAddr)
			require.Equal(t, want, aofSnapshot(t, p, keys))
			require.Equal(t, "rdblua", functionNames(t, p))
		})
	}
}

// TestAOFTruncated: a last file cut inside a command (or inside MULTI)
// is truncated to its last whole command with aof-load-truncated yes and
// refused with no; damage before the end is always refused.
func TestAOFTruncated(t *testing.T) {
	dir := t.TempDir()
	pAddr, cs := startPolyfnDir(t, dir, "--appendonly", "yes")
	p := Dial(t, pAddr)
	pipeline(t, p, [][]string{{"SET", "a", "1"}, {"SET", "b", "2"},
		{"EVAL", "redis.call('set','c','3') redis.call('set','d','4')", "0"}})
	cs.Lock()
	require.NoError(t, cs.ShutdownSave(false, true))
	cs.Unlock()
	cs.RequestShutdown()
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	good, err := os.ReadFile(incr)
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(string(good), "*1\r\n$4\r\nEXEC\r\n"), "%q", good)

	load := func(data []byte, args ...string) (map[string]string, error) {
		d := t.TempDir()
		require.NoError(t, os.CopyFS(filepath.Join(d, "appendonlydir"), os.DirFS(filepath.Join(dir, "appendonlydir"))))
		require.NoError(t, os.WriteFile(filepath.Join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), data, 0o644))
		cs, err := newPolyfnDir(d, append([]string{"--appendonly", "yes"}, args...)...)
		if err != nil {
			return nil, err
		}
		defer cs.RequestShutdown()
		out := map[string]string{}
		for _, k := range []string{"a", "b", "c", "d"} {
			if e := cs.DBs[0].Get(k, time.Now().UnixMilli()); e != nil {
				out[k] = string(e.Value.([]byte))
			}
		}
		return out, nil
	}
	got, err := load(good)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "2", "c": "3", "d": "4"}, got)

	// Cut inside the script's MULTI/EXEC: its writes are all dropped.
	cut := good[:len(good)-5]
	got, err = load(cut)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "2"}, got)
	_, err = load(cut, "--aof-load-truncated", "no")
	require.ErrorContains(t, err, "unexpected end of file")

	// Cut inside a plain command.
	i := strings.Index(string(good), "$1\r\nb\r\n")
	got, err = load(good[:i+3])
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1"}, got)

	// Garbage in the middle.
	bad := append(append(append([]byte{}, good[:i]...), "xx"...), good[i:]...)
	_, err = load(bad)
	require.ErrorContains(t, err, "bad file format")
	// An unknown command.
	unk := append(append([]byte{}, good...), "*1\r\n$7\r\nNOTACMD\r\n"...)
	_, err = load(unk)
	require.ErrorContains(t, err, "unknown command")

	// A file the manifest lists is missing; the manifest is garbage.
	for name, damage := range map[string]func(d string){
		"missing base": func(d string) { require.NoError(t, os.Remove(filepath.Join(d, "appendonly.aof.1.base.rdb"))) },
		"bad manifest": func(d string) {
			require.NoError(t, os.WriteFile(filepath.Join(d, "appendonly.aof.manifest"), []byte("file x seq one type b\n"), 0o644))
		},
	} {
		d := t.TempDir()
		require.NoError(t, os.CopyFS(filepath.Join(d, "appendonlydir"), os.DirFS(filepath.Join(dir, "appendonlydir"))))
		damage(filepath.Join(d, "appendonlydir"))
		_, err := newPolyfnDir(d, "--appendonly", "yes")
		require.Error(t, err, name)
	}
}

// TestAOFEnableAtRuntime: CONFIG SET appendonly yes writes the dataset
// into a new base (by a rewrite); a restart with appendonly yes has it.
func TestAOFEnableAtRuntime(t *testing.T) {
	dir := t.TempDir()
	pAddr, cs := startPolyfnDir(t, dir)
	p := Dial(t, pAddr)
	pipeline(t, p, [][]string{{"SET", "before", "1"}, {"FUNCTION", "LOAD", luaLib}})
	_, raw, err := p.Do("CONFIG", "SET", "appendonly", "yes")
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", string(raw))
	waitRewrite(t, p)
	pipeline(t, p, [][]string{{"SET", "after", "2"}})
	_, raw, _ = p.Do("INFO", "persistence")
	require.Contains(t, string(raw), "aof_enabled:1")
	require.Contains(t, string(raw), "aof_rewrites:1")
	cs.Lock()
	require.NoError(t, cs.ShutdownSave(false, true))
	cs.Unlock()
	cs.RequestShutdown()
	p2Addr, _ := startPolyfnDir(t, dir, "--appendonly", "yes")
	p2 := Dial(t, p2Addr)
	for k, v := range map[string]string{"before": "1", "after": "2"} {
		got, _, err := p2.Do("GET", k)
		require.NoError(t, err)
		require.Equal(t, v, string(got.Str))
	}
	require.Equal(t, "rdblua", functionNames(t, p2))
}

// TestAOFAutoRewrite: the AOF is rewritten once it grows by
// auto-aof-rewrite-percentage over auto-aof-rewrite-min-size.
func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	pAddr, _ := startPolyfnDir(t, dir, "--appendonly", "yes", "--auto-aof-rewrite-min-size", "64kb", "--auto-aof-rewrite-percentage", "100")
	p := Dial(t, pAddr)
	val := strings.Repeat("v", 1000)
	var cmds [][]string
	for i := 0; i < 200; i++ {
		cmds = append(cmds, []string{"SET", "k", val})
	}
	pipeline(t, p, cmds)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, raw, err := p.Do("INFO", "persistence")
		require.NoError(t, err)
		if strings.Contains(string(raw), "aof_rewrites:1") {
			break
		}
		require.True(t, time.Now().Before(deadline), "no automatic rewrite: %s", raw)
		time.Sleep(20 * time.Millisecond)
	}
	waitRewrite(t, p)
	require.Contains(t, manifestOf(t, dir), "appendonly.aof.2.base.rdb")
}

// TestAOFInfoFields: INFO persistence has the fields redis-server 7.0
// prints with the AOF on, in the same order.
func TestAOFInfoFields(t *testing.T) {
	rAddr, ok := tryRedis(t, "--dir", t.TempDir(), "--appendonly", "yes")
	if !ok {
		t.Skip("redis-server not installed")
	}
	names := func(addr string) []string {
		c := Dial(t, addr)
		defer c.Close()
		_, raw, err := c.Do("INFO", "persistence")
		require.NoError(t, err)
		var out []string
		for _, l := range strings.Split(string(raw), "\r\n") {
			if i := strings.IndexByte(l, ':'); i > 0 {
				out = append(out, l[:i])
			}
		}
		return out
	}
	pAddr, _ := startPolyfnDir(t, t.TempDir(), "--appendonly", "yes")
	require.Equal(t, names(rAddr), names(pAddr))
	pOff, _ := startPolyfnDir(t, t.TempDir())
	rOff, _ := tryRedis(t, "--dir", t.TempDir())
	require.Equal(t, names(rOff), names(pOff))
}

// TestAOFSameFileAsRedis: the same commands give the same incremental
// file on redis-server and on polyfn, byte for byte once absolute times
// (13-digit milliseconds) are masked.
func TestAOFSameFileAsRedis(t *testing.T) {
	rdir, pdir := t.TempDir(), t.TempDir()
	rAddr, ok := tryRedis(t, "--dir", rdir, "--appendonly", "yes")
	if !ok {
		t.Skip("redis-server not installed")
	}
	pAddr, _ := startPolyfnDir(t, pdir, "--appendonly", "yes")
	cmds := [][]string{
		{"SET", "a", "1"}, {"set", "b", "2", "ex", "100"}, {"SETEX", "c", "100", "v"}, {"PSETEX", "c2", "100000", "v"},
		{"SET", "d", "v", "PX", "100000", "GET"}, {"SET", "e", "v", "KEEPTTL"},
		{"EXPIRE", "a", "100"}, {"PEXPIRE", "a", "100000"}, {"EXPIREAT", "a", "9999999999"}, {"EXPIRE", "nokey", "10"},
		{"GETEX", "b", "EX", "50"}, {"GETEX", "b", "PERSIST"}, {"GETDEL", "e"},
		{"INCRBYFLOAT", "f", "1.5"}, {"HINCRBYFLOAT", "h", "f", "2.5"},
		{"RPUSH", "l", "a", "b", "c"}, {"LMPOP", "1", "l", "LEFT", "COUNT", "2"}, {"BLPOP", "l", "1"},
		{"RPUSH", "l", "x", "y"}, {"BLMOVE", "l", "l2", "LEFT", "RIGHT", "1"}, {"BRPOPLPUSH", "l", "l3", "1"},
		{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, {"BZPOPMIN", "z", "1"}, {"ZMPOP", "1", "z", "MAX"}, {"BZMPOP", "1", "1", "z", "MIN", "COUNT", "5"},
		{"EVAL", "redis.call('set','x','1') redis.call('incr','y')", "0"},
		{"EVAL", "redis.call('set','x2','1')", "0"},
		{"EVAL", "redis.call('select','3') redis.call('set','e','1') redis.call('select','4') redis.call('set','e','1')", "0"},
		{"MULTI"}, {"SET", "t1", "1"}, {"EXEC"},
		{"MULTI"}, {"SET", "t2", "1"}, {"GET", "t2"}, {"INCR", "t3"}, {"EXEC"},
		{"SELECT", "5"}, {"SET", "q", "1"}, {"SELECT", "0"},
		{"FUNCTION", "LOAD", luaLib}, {"FCALL", "rdbf", "0"}, {"FUNCTION", "DELETE", "rdblua"},
		{"SET", "gone", "v"}, {"EXPIRE", "gone", "-1"},
		{"XADD", "s", "1-1", "f", "v"}, {"XADD", "s", "2-1", "f", "v"}, {"XGROUP", "CREATE", "s", "g", "0"},
		{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"},
		{"XREADGROUP", "GROUP", "g", "c2", "NOACK", "STREAMS", "s", ">"},
		{"XCLAIM", "s", "g", "c3", "0", "1-1"}, {"XTRIM", "s", "MAXLEN", "~", "0"},
		{"SADD", "st", "only"}, {"SPOP", "st"}, {"SADD", "st2", "a", "b", "c"}, {"SPOP", "st2", "5"},
		{"SADD", "st3", "1"}, {"SPOP", "st3", "0"},
		// Flushes of empty databases are written too.
		{"FLUSHDB"}, {"FLUSHALL"}, {"SELECT", "7"}, {"FLUSHDB"}, {"FLUSHALL"},
	}
	files := map[string]string{}
	for name, addr := range map[string]string{"redis": rAddr, "polyfn": pAddr} {
		c := Dial(t, addr)
		pipeline(t, c, cmds)
		c.Close()
		dir := map[string]string{"redis": rdir, "polyfn": pdir}[name]
		var data []byte
		require.Eventually(t, func() bool {
			b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
			data = b
			return err == nil && strings.HasSuffix(string(b), "FLUSHALL\r\n")
		}, 5*time.Second, 20*time.Millisecond)
		files[name] = regexp.MustCompile(`\$13\r\n\d{13}\r\n`).ReplaceAllString(string(data), "$$13\r\nTIME\r\n")
	}
	require.Equal(t, strings.Split(files["redis"], "\r\n"), strings.Split(files["polyfn"], "\r\n"))
}

// TestAOFTimestamps: with aof-timestamp-enabled yes the files carry
// "#TS:<unix>" annotations, and both servers load them.
func TestAOFTimestamps(t *testing.T) {
	dir := t.TempDir()
	pAddr, cs := startPolyfnDir(t, dir, "--appendonly", "yes", "--aof-timestamp-enabled", "yes", "--aof-use-rdb-preamble", "no")
	p := Dial(t, pAddr)
	pipeline(t, p, [][]string{{"SET", "a", "1"}})
	_, _, err := p.Do("BGREWRITEAOF")
	require.NoError(t, err)
	waitRewrite(t, p)
	pipeline(t, p, [][]string{{"SET", "b", "2"}})
	for _, f := range []string{"appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof"} {
		b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", f))
		require.NoError(t, err)
		require.Regexp(t, `^#TS:\d{10}\r\n\*`, string(b), f)
	}
	cs.Lock()
	require.NoError(t, cs.ShutdownSave(false, true))
	cs.Unlock()
	cs.RequestShutdown()
	check := func(addr string) {
		c := Dial(t, addr)
		defer c.Close()
		v, _, err := c.Do("MGET", "a", "b")
		require.NoError(t, err)
		require.Equal(t, "1", string(v.Elems[0].Str))
		require.Equal(t, "2", string(v.Elems[1].Str))
	}
	p2, _ := startPolyfnDir(t, dir, "--appendonly", "yes")
	check(p2)
	if rAddr, ok := tryRedis(t, "--dir", dir, "--appendonly", "yes"); ok {
		check(rAddr)
	}
}

// TestAOFUpgradeSingleFile: a Redis 6 single appendonly.aof in dir becomes
// the base of an AOF directory, as Redis 7.0 upgrades it.
func TestAOFUpgradeSingleFile(t *testing.T) {
	dir := t.TempDir()
	var data []byte
	data = persistCommand(data, "SELECT", "0")
	data = persistCommand(data, "SET", "old", "value")
	data = persistCommand(data, "RPUSH", "l", "a", "b")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "appendonly.aof"), data, 0o644))
	pAddr, _ := startPolyfnDir(t, dir, "--appendonly", "yes")
	p := Dial(t, pAddr)
	v, _, err := p.Do("GET", "old")
	require.NoError(t, err)
	require.Equal(t, "value", string(v.Str))
	require.Equal(t, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n", manifestOf(t, dir))
	_, err = os.Stat(filepath.Join(dir, "appendonly.aof"))
	require.True(t, os.IsNotExist(err))
}

func persistCommand(dst []byte, args ...string) []byte {
	dst = fmt.Appendf(dst, "*%d\r\n", len(args))
	for _, a := range args {
		dst = fmt.Appendf(dst, "$%d\r\n%s\r\n", len(a), a)
	}
	return dst
}

// TestAOFRewriteUnderLoad: writes during a BGREWRITEAOF (overwrites,
// deletes, counters, expiries, new keys) all survive: the dataset after a
// restart and after DEBUG LOADAOF has the digest it had before.
func TestAOFRewriteUnderLoad(t *testing.T) {
	for _, nosync := range []string{"no", "yes"} {
		t.Run("no-appendfsync-on-rewrite="+nosync, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--appendonly", "yes", "--appendfsync", "always", "--no-appendfsync-on-rewrite", nosync}
			pAddr, cs := startPolyfnDir(t, dir, args...)
			p := Dial(t, pAddr)
			const n = 50000
			var cmds [][]string
			for i := 0; i < n; i++ {
				cmds = append(cmds, []string{"SET", "k" + strconv.Itoa(i), strconv.Itoa(i)})
			}
			pipeline(t, p, cmds)
			stop := make(chan struct{})
			done := make(chan int)
			var progress atomic.Int64
			go func() {
				w := Dial(t, pAddr)
				defer w.Close()
				i := 0
				for ; ; i++ {
					select {
					case <-stop:
						done <- i
						return
					default:
					}
					progress.Store(int64(i))
					k := "k" + strconv.Itoa((i*7919)%n)
					var err error
					switch i % 5 {
					case 0:
						_, _, err = w.Do("SET", k, "w"+strconv.Itoa(i))
					case 1:
						_, _, err = w.Do("DEL", k)
					case 2:
						_, _, err = w.Do("INCR", "counter")
					case 3:
						_, _, err = w.Do("EXPIRE", k, "100000")
					case 4:
						_, _, err = w.Do("HSET", "new"+strconv.Itoa(i), "f", "v")
					}
					if err != nil {
						done <- -1
						return
					}
				}
			}()
			for progress.Load() < 50 { // the writer is going
				time.Sleep(time.Millisecond)
			}
			_, raw, err := p.Do("BGREWRITEAOF")
			require.NoError(t, err)
			before := progress.Load()
			require.Equal(t, "+Background append only file rewriting started\r\n", string(raw))
			waitRewrite(t, p)
			close(stop)
			writes := <-done
			require.Greater(t, int64(writes), before, "the writer ran during the rewrite")
			digest := func(c *Client) string {
				v, _, err := c.Do("DEBUG", "DIGEST")
				require.NoError(t, err)
				return string(v.Str)
			}
			want := digest(p)
			_, raw, err = p.Do("DEBUG", "LOADAOF")
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", string(raw))
			require.Equal(t, want, digest(p), "after DEBUG LOADAOF")
			cs.Lock()
			require.NoError(t, cs.ShutdownSave(false, true))
			cs.Unlock()
			cs.RequestShutdown()
			p2Addr, _ := startPolyfnDir(t, dir, args...)
			require.Equal(t, want, digest(Dial(t, p2Addr)), "after a restart")
		})
	}
}

// TestAOFFunctionCommands: FUNCTION LOAD, FLUSH and RESTORE are in the
// file as themselves and replay to the same libraries.
func TestAOFFunctionCommands(t *testing.T) {
	dir := t.TempDir()
	pAddr, cs := startPolyfnDir(t, dir, "--appendonly", "yes")
	p := Dial(t, pAddr)
	pipeline(t, p, [][]string{{"FUNCTION", "LOAD", luaLib}, {"FUNCTION", "LOAD", jsLib}})
	dump, _, err := p.Do("FUNCTION", "DUMP")
	require.NoError(t, err)
	pipeline(t, p, [][]string{{"FUNCTION", "FLUSH"}, {"FUNCTION", "RESTORE", string(dump.Str)}, {"FUNCTION", "DELETE", "rdbjs"}})
	require.Equal(t, "rdblua", functionNames(t, p))
	b, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	for _, want := range []string{"$8\r\nFUNCTION\r\n$5\r\nFLUSH\r\n", "$8\r\nFUNCTION\r\n$7\r\nRESTORE\r\n"} {
		require.Contains(t, string(b), want)
	}
	cs.Lock()
	require.NoError(t, cs.ShutdownSave(false, true))
	cs.Unlock()
	cs.RequestShutdown()
	p2Addr, _ := startPolyfnDir(t, dir, "--appendonly", "yes")
	require.Equal(t, "rdblua", functionNames(t, Dial(t, p2Addr)))
}
