package conformance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
	"github.com/stretchr/testify/require"
)

// RDB files between polyfn and redis-server 7.0.15, both ways, and
// through polyfn's own restarts.

const luaLib = "#!lua name=rdblua\nredis.register_function('rdbf', function(keys, args) return 'lua' end)"
const jsLib = "#!js name=rdbjs\nredis.registerFunction('rdbg', () => 'js')"

// startPolyfnDir starts polyfn on dir as cmd/polyfn does: the RDB file
// there is loaded before serving. It returns the address and the server.
func startPolyfnDir(t *testing.T, dir string, args ...string) (string, *core.Server) {
	t.Helper()
	cs, err := newPolyfnDir(dir, args...)
	require.NoError(t, err)
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	t.Cleanup(func() {
		cs.RequestShutdown()
		srv.Close()
	})
	return addrs[0].String(), cs
}

func newPolyfnDir(dir string, args ...string) (*core.Server, error) {
	cfg := core.NewConfig()
	all := append([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--enable-debug-command", "yes"}, args...)
	if err := cfg.LoadArgs(all); err != nil {
		return nil, err
	}
	cs := core.New(cfg, core.DefaultTable())
	cs.SetEngines(engines.Registry())
	if err := cs.LoadAtStartup(); err != nil {
		cs.RequestShutdown()
		return nil, err
	}
	return cs, nil
}

// rdbFixture is every type and encoding of the DUMP fixtures, plus
// expiries (one already past on load, with PEXPIREAT in the past being
// a deletion, so set through a short PEXPIRE) in two databases.
func rdbFixture() (cmds [][]string, keys []string) {
	fx := dumpFixtures()
	cmds = append(cmds, fx.cmds...)
	keys = append(keys, fx.keys...)
	far := strconv.FormatInt(time.Now().Add(48*time.Hour).UnixMilli(), 10)
	for i := 0; i < 5; i++ {
		k := "ttl:" + strconv.Itoa(i)
		cmds = append(cmds, []string{"SET", k, "v" + strconv.Itoa(i)}, []string{"PEXPIREAT", k, far})
		keys = append(keys, k)
	}
	cmds = append(cmds, []string{"SET", "soon", "x"}, []string{"PEXPIRE", "soon", "300"})
	return cmds, keys
}

func snapshotOf(t *testing.T, c *Client, keys []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, k := range keys {
		out[k] = contents(t, c, k)
		v, _, err := c.Do("PEXPIRETIME", k)
		require.NoError(t, err)
		out[k] += " exp=" + strconv.FormatInt(v.Int, 10)
	}
	v, _, err := c.Do("DBSIZE")
	require.NoError(t, err)
	out["#dbsize"] = strconv.FormatInt(v.Int, 10)
	c.Do("SELECT", "3")
	v, _, _ = c.Do("GET", "in-db3")
	out["#db3"] = string(v.Str)
	c.Do("SELECT", "0")
	return out
}

func functionNames(t *testing.T, c *Client) string {
	_, raw, err := c.Do("FUNCTION", "LIST")
	require.NoError(t, err)
	var names []string
	for _, n := range []string{"rdblua", "rdbjs"} {
		if strings.Contains(string(raw), n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

func fill(t *testing.T, c *Client, withJS bool) []string {
	cmds, keys := rdbFixture()
	pipeline(t, c, cmds)
	pipeline(t, c, [][]string{{"SELECT", "3"}, {"SET", "in-db3", "three"}, {"SELECT", "0"}, {"FUNCTION", "LOAD", luaLib}})
	if withJS {
		pipeline(t, c, [][]string{{"FUNCTION", "LOAD", jsLib}})
	}
	time.Sleep(400 * time.Millisecond) // "soon" expires: not in the file or not loaded
	return keys
}

func waitBgsave(t *testing.T, c *Client) {
	t.Helper()
	for i := 0; i < 500; i++ {
		_, raw, err := c.Do("INFO", "persistence")
		require.NoError(t, err)
		if strings.Contains(string(raw), "rdb_bgsave_in_progress:0") {
			require.Contains(t, string(raw), "rdb_last_bgsave_status:ok")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("BGSAVE did not end")
}

func TestRDBFromRedis(t *testing.T) {
	dir := t.TempDir()
	rAddr, ok := tryRedis(t, "--dir", dir)
	if !ok {
		t.Skip("redis-server not installed")
	}
	r := Dial(t, rAddr)
	keys := fill(t, r, false)
	want := snapshotOf(t, r, keys)
	_, raw, err := r.Do("SAVE")
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", string(raw))

	pAddr, _ := startPolyfnDir(t, dir)
	p := Dial(t, pAddr)
	require.Equal(t, want, snapshotOf(t, p, keys))
	require.Equal(t, "rdblua", functionNames(t, p))
	_, raw, _ = p.Do("FCALL", "rdbf", "0")
	require.Equal(t, "$3\r\nlua\r\n", string(raw))
}

func TestRDBToRedis(t *testing.T) {
	for _, mode := range []string{"SAVE", "BGSAVE", "SHUTDOWN"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			var args []string
			if mode == "SHUTDOWN" {
				args = []string{"--save", "3600 1"}
			}
			pAddr, _ := startPolyfnDir(t, dir, args...)
			p := Dial(t, pAddr)
			keys := fill(t, p, false)
			want := snapshotOf(t, p, keys)
			_, raw, err := p.Do(mode)
			if mode != "SHUTDOWN" {
				require.NoError(t, err)
			}
			switch mode {
			case "SAVE":
				require.Equal(t, "+OK\r\n", string(raw))
			case "BGSAVE":
				require.Equal(t, "+Background saving started\r\n", string(raw))
				waitBgsave(t, p)
			}
			rAddr, ok := tryRedis(t, "--dir", dir)
			if !ok {
				t.Skip("redis-server not installed")
			}
			r := Dial(t, rAddr)
			require.Equal(t, want, snapshotOf(t, r, keys))
			require.Equal(t, "rdblua", functionNames(t, r))
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				require.False(t, strings.HasPrefix(e.Name(), "temp-"), "temp file left: %s", e.Name())
			}
		})
	}
}

// TestRDBRoundTrip: SAVE, BGSAVE and DEBUG RELOAD keep every type,
// expiry and library, JavaScript ones included.
func TestRDBRoundTrip(t *testing.T) {
	for _, mode := range []string{"SAVE", "BGSAVE", "DEBUG RELOAD"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			pAddr, _ := startPolyfnDir(t, dir)
			p := Dial(t, pAddr)
			keys := fill(t, p, true)
			want := snapshotOf(t, p, keys)
			_, raw, err := p.Do(strings.Fields(mode)...)
			require.NoError(t, err)
			if mode == "BGSAVE" {
				waitBgsave(t, p)
			} else {
				require.Equal(t, "+OK\r\n", string(raw))
			}
			if mode == "DEBUG RELOAD" {
				require.Equal(t, want, snapshotOf(t, p, keys))
				require.Equal(t, "rdblua,rdbjs", functionNames(t, p))
				return
			}
			p2Addr, _ := startPolyfnDir(t, dir)
			p2 := Dial(t, p2Addr)
			require.Equal(t, want, snapshotOf(t, p2, keys))
			require.Equal(t, "rdblua,rdbjs", functionNames(t, p2))
			_, raw, _ = p2.Do("FCALL", "rdbg", "0")
			require.Equal(t, "$2\r\njs\r\n", string(raw))
		})
	}
}

// TestRDBCorruptRefused: a truncated or altered file stops the start.
func TestRDBCorruptRefused(t *testing.T) {
	dir := t.TempDir()
	pAddr, _ := startPolyfnDir(t, dir)
	p := Dial(t, pAddr)
	fill(t, p, false)
	_, _, err := p.Do("SAVE")
	require.NoError(t, err)
	good, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"truncated":  good[:len(good)/2],
		"no-crc":     good[:len(good)-8],
		"bit-flip":   flip(good, len(good)/3),
		"bad-header": append([]byte("REDIS0099"), good[9:]...),
		"empty":      {},
	} {
		d := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(d, "dump.rdb"), data, 0o644))
		cs, err := newPolyfnDir(d)
		require.Error(t, err, name)
		require.Nil(t, cs)
	}
	// rdbchecksum no: a flipped bit in a value goes unnoticed only when
	// the file still parses; a zero trailer is never checked.
	d := t.TempDir()
	zero := append(append([]byte{}, good[:len(good)-8]...), make([]byte, 8)...)
	require.NoError(t, os.WriteFile(filepath.Join(d, "dump.rdb"), zero, 0o644))
	cs, err := newPolyfnDir(d)
	require.NoError(t, err)
	cs.RequestShutdown()
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x20
	return c
}

// TestRDBMisconf: a failed BGSAVE with save points set refuses writes
// (and PING) with Redis's MISCONF error; reads and no-writes scripts run.
func TestRDBMisconf(t *testing.T) {
	rdir, pdir := t.TempDir(), t.TempDir()
	rsub, psub := filepath.Join(rdir, "d"), filepath.Join(pdir, "d")
	require.NoError(t, os.Mkdir(rsub, 0o755))
	require.NoError(t, os.Mkdir(psub, 0o755))
	rAddr, ok := tryRedis(t, "--dir", rsub, "--save", "3600 1")
	if !ok {
		t.Skip("redis-server not installed")
	}
	pAddr, _ := startPolyfnDir(t, psub, "--save", "3600 1")
	r, p := Dial(t, rAddr), Dial(t, pAddr)
	require.NoError(t, os.Remove(rsub))
	require.NoError(t, os.Remove(psub))
	script := [][]string{
		{"SET", "k", "v"},
		{"BGSAVE"},
	}
	for _, c := range []*Client{r, p} {
		pipeline(t, c, script)
		for i := 0; i < 200; i++ {
			_, raw, _ := c.Do("INFO", "persistence")
			if strings.Contains(string(raw), "rdb_last_bgsave_status:err") {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cmds := [][]string{
		{"SET", "a", "b"}, {"PING"}, {"GET", "k"}, {"DEL", "k"},
		{"EVAL", "return redis.call('set','a','b')", "0"},
		{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0"},
		{"EVAL", "#!lua\nreturn 1", "0"},
		{"MULTI"}, {"GET", "k"}, {"EXEC"},
		{"MULTI"}, {"SET", "k", "2"}, {"EXEC"},
		{"SAVE"}, {"INFO", "persistence"},
	}
	rr, pr := pipeline(t, r, cmds), pipeline(t, p, cmds)
	for i := range cmds {
		if cmds[i][0] == "INFO" {
			require.Contains(t, string(pr[i]), "rdb_last_bgsave_status:err")
			continue
		}
		if cmds[i][0] == "EVAL" && i == 4 {
			// The script error names the script: compare the first line.
			require.Equal(t, strings.SplitN(string(rr[i]), " script:", 2)[0], strings.SplitN(string(pr[i]), " script:", 2)[0])
			continue
		}
		require.Equal(t, Quote(rr[i]), Quote(pr[i]), "%v", cmds[i])
	}
}

// TestFlushallSavesEmptySnapshot: with save points set, FLUSHALL saves
// the empty dataset at once, as Redis does, so a restart does not bring
// the flushed keys back; without them the file is left alone. The count
// of changes since the last save follows Redis's in both cases
// (FLUSHALL and FLUSHDB count the keys they delete, nothing more).
func TestFlushallSavesEmptySnapshot(t *testing.T) {
	changes := func(c *Client) int64 {
		v, _, err := c.Do("INFO", "persistence")
		require.NoError(t, err)
		return infoInt(t, string(v.Str), "rdb_changes_since_last_save")
	}
	script := [][]string{{"SET", "a", "1"}, {"SAVE"}, {"MSET", "b", "2", "c", "3"}, {"SELECT", "1"}, {"SET", "d", "4"},
		{"FLUSHDB"}, {"FLUSHDB"}, {"SELECT", "0"}, {"FLUSHALL"}, {"FLUSHALL"}, {"SET", "e", "5"}}
	run := func(c *Client) []int64 {
		var out []int64
		for _, cmd := range script {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
			out = append(out, changes(c))
		}
		return out
	}
	for _, save := range []string{"3600 1", ""} {
		t.Run("save="+save, func(t *testing.T) {
			dir := t.TempDir()
			addr, _ := startPolyfnDir(t, dir, "--save", save)
			got := run(Dial(t, addr))
			if raddr, ok := tryRedis(t, "--save", save); ok {
				require.Equal(t, run(Dial(t, raddr)), got, "changes since the last save after each command")
			}
			// The file as a restart finds it: empty after FLUSHALL with
			// save points, still holding "a" (the SAVE) without them.
			again, _ := startPolyfnDir(t, dir)
			v, _, err := Dial(t, again).Do("DBSIZE")
			require.NoError(t, err)
			want := int64(1)
			if save != "" {
				want = 0
			}
			require.Equal(t, want, v.Int)
		})
	}
}
