package conformance

import (
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core"
)

// TestDumpRestoreCrossServer creates keys of every type and encoding size
// class on redis-server and on polyfn with the same commands, then:
//
//   - compares the DUMP payloads byte for byte wherever both servers lay
//     the value out in the same order (everything but hashtable-encoded
//     hashes and sets, whose iteration order is each server's own);
//   - RESTOREs Redis's payload and polyfn's payload into both servers and
//     compares the restored contents and OBJECT ENCODING across servers
//     and with the original.
func TestDumpRestoreCrossServer(t *testing.T) {
	rAddr, ok := tryRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	pAddr := StartPolyfn(t)
	r, p := Dial(t, rAddr), Dial(t, pAddr)

	fx := dumpFixtures()
	for _, c := range []*Client{r, p} {
		pipeline(t, c, fx.cmds)
	}
	for _, key := range fx.keys {
		dr := dumpOf(t, r, key)
		dp := dumpOf(t, p, key)
		if !fx.unordered[key] {
			require.Equal(t, Quote([]byte(dr)), Quote([]byte(dp)), "DUMP %s", key)
		}
		orig := contents(t, r, key)
		require.Equal(t, orig, contents(t, p, key), "contents of %s", key)
		for _, src := range []struct{ prefix, payload string }{{"fromredis:", dr}, {"frompolyfn:", dp}} {
			k := src.prefix + key
			for _, c := range []*Client{r, p} {
				v, raw, err := c.Do("RESTORE", k, "0", src.payload)
				require.NoError(t, err)
				require.Equal(t, "+OK\r\n", string(raw), "RESTORE %s: %v", k, v)
			}
			require.Equal(t, orig, contents(t, p, k), "restored %s on polyfn", k)
			require.Equal(t, orig, contents(t, r, k), "restored %s on redis", k)
			require.Equal(t, encoding(t, r, k), encoding(t, p, k), "OBJECT ENCODING %s", k)
		}
	}
}

// TestDumpRestoreLimits restores payloads under lowered encoding limits:
// both servers must pick the same encodings.
func TestDumpRestoreLimits(t *testing.T) {
	rAddr, ok := tryRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	pAddr := StartPolyfn(t)
	r, p := Dial(t, rAddr), Dial(t, pAddr)
	fx := dumpFixtures()
	pipeline(t, r, fx.cmds)
	payloads := map[string]string{}
	for _, key := range fx.keys {
		payloads[key] = dumpOf(t, r, key)
	}
	limits := [][]string{
		{"hash-max-listpack-entries", "2"}, {"hash-max-listpack-value", "3"},
		{"set-max-intset-entries", "3"}, {"zset-max-listpack-entries", "2"},
		{"zset-max-listpack-value", "2"},
	}
	for _, c := range []*Client{r, p} {
		for _, l := range limits {
			_, raw, err := c.Do("CONFIG", "SET", l[0], l[1])
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", string(raw))
		}
	}
	for _, key := range fx.keys {
		k := "low:" + key
		for _, c := range []*Client{r, p} {
			_, raw, err := c.Do("RESTORE", k, "0", payloads[key])
			require.NoError(t, err)
			require.Equal(t, "+OK\r\n", string(raw), k)
		}
		require.Equal(t, contents(t, r, k), contents(t, p, k), k)
		require.Equal(t, encoding(t, r, k), encoding(t, p, k), "OBJECT ENCODING %s", k)
	}
}

func dumpOf(t *testing.T, c *Client, key string) string {
	t.Helper()
	v, raw, err := c.Do("DUMP", key)
	require.NoError(t, err)
	require.Equal(t, core.VBulk, v.Kind, "DUMP %s: %s", key, Quote(raw))
	return string(v.Str)
}

func encoding(t *testing.T, c *Client, key string) string {
	t.Helper()
	_, raw, err := c.Do("OBJECT", "ENCODING", key)
	require.NoError(t, err)
	return string(raw)
}

// contents renders a key's type and value canonically (unordered
// collections sorted).
func contents(t *testing.T, c *Client, key string) string {
	t.Helper()
	tv, _, err := c.Do("TYPE", key)
	require.NoError(t, err)
	typ := string(tv.Str)
	var cmd []string
	sorted := false
	switch typ {
	case "string":
		cmd = []string{"GET", key}
	case "list":
		cmd = []string{"LRANGE", key, "0", "-1"}
	case "set":
		cmd, sorted = []string{"SMEMBERS", key}, true
	case "zset":
		cmd = []string{"ZRANGE", key, "0", "-1", "WITHSCORES"}
	case "hash":
		cmd, sorted = []string{"HGETALL", key}, true
	default:
		return typ
	}
	v, raw, err := c.Do(cmd...)
	require.NoError(t, err)
	if v.Kind == core.VBulk {
		return typ + " " + strconv.Quote(string(v.Str))
	}
	var items []string
	step := 1
	if typ == "hash" {
		step = 2
	}
	require.Equal(t, core.VArray, v.Kind, "%s: %s", key, Quote(raw))
	for i := 0; i+step <= len(v.Elems); i += step {
		s := ""
		for j := 0; j < step; j++ {
			s += strconv.Quote(string(v.Elems[i+j].Str)) + " "
		}
		items = append(items, s)
	}
	if sorted {
		sort.Strings(items)
	}
	return fmt.Sprintf("%s %d %s", typ, len(items), strings.Join(items, ","))
}

type dumpFixture struct {
	cmds      [][]string
	keys      []string
	unordered map[string]bool // DUMP bytes depend on hash order
}

func dumpFixtures() *dumpFixture {
	fx := &dumpFixture{unordered: map[string]bool{}}
	rng := rand.New(rand.NewSource(7))
	randStr := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Intn(256))
		}
		return string(b)
	}
	add := func(key string, unordered bool, cmd ...string) {
		fx.keys = append(fx.keys, key)
		fx.unordered[key] = unordered
		fx.cmds = append(fx.cmds, append([]string{cmd[0], key}, cmd[1:]...))
	}
	more := func(cmd ...string) { fx.cmds = append(fx.cmds, cmd) }

	// Strings: int-encodable, beyond 32 bits, not canonical, LZF, binary.
	for i, s := range []string{"hello", "12345", "-2147483648", "2147483648", "9223372036854775807",
		"-9223372036854775808", "0123", "-0", "3.14", "", strings.Repeat("abc", 100),
		strings.Repeat("x", 21), "\x00\xff\r\n binary", randStr(1000), randStr(20000)} {
		add("s:"+strconv.Itoa(i), false, "SET", s)
	}
	// Integers and strings at every listpack encoding boundary.
	edge := []string{"0", "127", "128", "-1", "4095", "4096", "-4096", "-4097", "32767", "32768",
		"-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
		"18446744073709551615", "007", "+1", " 1", "1.5", "",
		strings.Repeat("a", 63), strings.Repeat("b", 64), strings.Repeat("c", 4095), strings.Repeat("d", 4096)}

	// Lists: one node, many nodes (RPUSH fills nodes as DUMP splits them),
	// big elements, LPUSH-built lists (node splits differ beyond one node).
	add("l:small", false, append([]string{"RPUSH", "a", "b", "c"}, "1", "2", "300")...)
	add("l:edge", false, append([]string{"RPUSH"}, edge...)...)
	var big []string
	for i := 0; i < 3000; i++ {
		if i%3 == 0 {
			big = append(big, strconv.Itoa(i*7919-100000))
		} else {
			big = append(big, randStr(rng.Intn(40)))
		}
	}
	add("l:big", false, append([]string{"RPUSH"}, big...)...)
	add("l:bigelems", false, "RPUSH", strings.Repeat("e", 10000), "x", strings.Repeat("f", 9000), strings.Repeat("g", 300))
	add("l:lpush", true, append([]string{"LPUSH"}, big[:2000]...)...)
	add("l:lpushsmall", false, "LPUSH", "a", "b", "3", "4")

	// Hashes: listpack (insertion order, updates, deletes), hashtable.
	add("h:small", false, "HSET", "f", "v", "a", "1", "b", "-100000", "c", "5000000000", "", "empty")
	more("HSET", "h:small", "a", "updated", "new", "x")
	more("HDEL", "h:small", "b")
	add("h:edge", false, append([]string{"HSET"}, edge[:28]...)...)
	add("h:onebig", true, "HSET", "f", strings.Repeat("v", 65), "g", "1")
	var hbig []string
	for i := 0; i < 700; i++ {
		hbig = append(hbig, "field"+strconv.Itoa(i), randStr(rng.Intn(30)))
	}
	add("h:big", true, append([]string{"HSET"}, hbig...)...)
	add("h:single", false, "HSET", "only", strings.Repeat("z", 200))

	// Sets: intsets of each width, hashtables.
	add("set:16", false, "SADD", "1", "-7", "300", "32767", "-32768")
	add("set:32", false, "SADD", "1", "70000", "-2147483648")
	add("set:64", false, "SADD", "1", "9223372036854775807", "-9223372036854775808")
	var sints []string
	for i := 0; i < 600; i++ {
		sints = append(sints, strconv.Itoa(i*31))
	}
	add("set:bigints", true, append([]string{"SADD"}, sints...)...)
	add("set:str", true, "SADD", "a", "b", "c", "1", "\x00")
	add("set:one", false, "SADD", "member")

	// Sorted sets: listpack (special scores), skiplist (written from the
	// highest score down: byte-identical too).
	add("z:small", false, "ZADD", "1", "a", "2.5", "b", "-3", "c", "inf", "d", "-inf", "e", "0.1", "f",
		"1e20", "g", "1e-7", "h", "4503599627370496", "i", "-0", "j", "4503599627370495", "k", "1", "aa")
	var zbig []string
	for i := 0; i < 300; i++ {
		zbig = append(zbig, strconv.FormatFloat(rng.NormFloat64()*1e6, 'g', -1, 64), randStr(rng.Intn(20)))
	}
	zbig = append(zbig, "inf", "top", "-inf", "bottom", "5", "same1", "5", "same2")
	add("z:big", false, append([]string{"ZADD"}, zbig...)...)
	add("z:longmember", false, "ZADD", "1", strings.Repeat("m", 65), "2", "short")
	return fx
}
