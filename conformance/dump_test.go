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

// TestDumpRestoreStreams builds streams with identical explicit IDs on
// redis-server and polyfn (deletions, trims, many nodes, big values,
// consumer groups, pending entries, consumers), then:
//
//   - compares the DUMP payloads byte for byte for streams without
//     delivery or seen times (they hold each server's clock otherwise);
//   - RESTOREs each server's payload into both servers and compares XRANGE,
//     XPENDING and XINFO STREAM FULL (time fields masked) with the
//     original, and DUMPs the restored key again: a payload must come back
//     byte for byte from either server (times included).
func TestDumpRestoreStreams(t *testing.T) {
	rAddr, ok := tryRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	pAddr := StartPolyfn(t)
	r, p := Dial(t, rAddr), Dial(t, pAddr)

	fx := streamFixtures()
	rr, pr := pipeline(t, r, fx.cmds), pipeline(t, p, fx.cmds)
	for i := range fx.cmds {
		require.Equal(t, Quote(rr[i]), Quote(pr[i]), "reply to %.200q", fx.cmds[i])
	}
	for _, key := range fx.keys {
		dr := dumpOf(t, r, key)
		dp := dumpOf(t, p, key)
		if !fx.unordered[key] {
			require.Equal(t, Quote([]byte(dr)), Quote([]byte(dp)), "DUMP %s", key)
		}
		orig := streamContents(t, r, key)
		require.Equal(t, orig, streamContents(t, p, key), "contents of %s", key)
		for _, src := range []struct{ prefix, payload string }{{"fromredis:", dr}, {"frompolyfn:", dp}} {
			k := src.prefix + key
			for _, c := range []*Client{r, p} {
				v, raw, err := c.Do("RESTORE", k, "0", src.payload)
				require.NoError(t, err)
				require.Equal(t, "+OK\r\n", string(raw), "RESTORE %s: %v", k, v)
				require.Equal(t, Quote([]byte(src.payload)), Quote([]byte(dumpOf(t, c, k))), "DUMP of restored %s", k)
			}
			require.Equal(t, orig, streamContents(t, p, k), "restored %s on polyfn", k)
			require.Equal(t, orig, streamContents(t, r, k), "restored %s on redis", k)
			require.Equal(t, encoding(t, r, k), encoding(t, p, k), "OBJECT ENCODING %s", k)
		}
	}
}

// streamContents renders a stream's entries, XINFO STREAM FULL (delivery
// and seen times masked, key name left out) and each group's XPENDING
// summary.
func streamContents(t *testing.T, c *Client, key string) string {
	t.Helper()
	var b strings.Builder
	v, _, err := c.Do("XRANGE", key, "-", "+")
	require.NoError(t, err)
	b.WriteString(v.String())
	info, _, err := c.Do("XINFO", "STREAM", key, "FULL", "COUNT", "0")
	require.NoError(t, err)
	require.Equal(t, core.VArray, info.Kind, "XINFO %s: %s", key, info.String())
	masked := core.Value{Kind: core.VStatus, Str: []byte("*")}
	for i := 0; i+1 < len(info.Elems); i += 2 {
		if string(info.Elems[i].Str) != "groups" {
			continue
		}
		for _, g := range info.Elems[i+1].Elems {
			var name string
			for j := 0; j+1 < len(g.Elems); j += 2 {
				switch string(g.Elems[j].Str) {
				case "name":
					name = string(g.Elems[j+1].Str)
				case "pending": // [id, consumer, delivery time, count]
					for _, pe := range g.Elems[j+1].Elems {
						pe.Elems[2] = masked
					}
				case "consumers":
					for _, con := range g.Elems[j+1].Elems {
						for k := 0; k+1 < len(con.Elems); k += 2 {
							switch string(con.Elems[k].Str) {
							case "seen-time":
								con.Elems[k+1] = masked
							case "pending": // [id, delivery time, count]
								for _, pe := range con.Elems[k+1].Elems {
									pe.Elems[1] = masked
								}
							}
						}
					}
				}
			}
			pv, _, err := c.Do("XPENDING", key, name)
			require.NoError(t, err)
			b.WriteString("\npending " + name + ": " + pv.String())
		}
	}
	b.WriteString("\n" + info.String())
	return b.String()
}

func streamFixtures() *dumpFixture {
	fx := &dumpFixture{unordered: map[string]bool{}}
	key := ""
	cmd := func(c ...string) {
		fx.cmds = append(fx.cmds, append([]string{c[0], key}, c[1:]...))
	}
	start := func(k string, timed bool) {
		key = k
		fx.keys = append(fx.keys, k)
		fx.unordered[k] = timed
	}
	eval := func(script string, args ...string) {
		fx.cmds = append(fx.cmds, append([]string{"EVAL", script, "1", key}, args...))
	}

	// Same and different fields, integers at listpack encoding edges as
	// fields and values, binary and empty strings, negative seq deltas,
	// 64-bit deltas.
	start("st:basic", false)
	cmd("XADD", "1-1", "a", "1", "b", "x")
	cmd("XADD", "1-2", "a", "2", "b", "y")
	cmd("XADD", "2-0", "c", "3")
	cmd("XADD", "2-5", "a", "300", "b", "z")
	cmd("XADD", "3-0", "b", "1", "a", "2")
	cmd("XADD", "3-1", "a", "1")
	cmd("XADD", "3-2", "a", "1", "b", "2", "c", "3")
	cmd("XADD", "4294967296-0", "a", "\x00\xff\r\n", "b", "")
	cmd("XADD", "18446744073709551614-18446744073709551615", "a", "big", "b", "delta")
	start("st:edges", false)
	edge := []string{"0", "127", "128", "-1", "4095", "4096", "-4096", "-4097", "32767", "32768",
		"-32768", "-32769", "8388607", "8388608", "-8388608", "-8388609", "2147483647", "2147483648",
		"-2147483648", "-2147483649", "9223372036854775807", "-9223372036854775808",
		"18446744073709551615", "007", "+1", " 1", "1.5", "", "-0",
		strings.Repeat("a", 63), strings.Repeat("b", 64), strings.Repeat("c", 4095), strings.Repeat("d", 4096)}
	for i, e := range edge {
		cmd("XADD", strconv.Itoa(i+1)+"-"+strconv.Itoa(1000-i), e, e, "v", e)
	}
	cmd(append([]string{"XADD", "100-0"}, edge[:20]...)...)

	// Deletions: first, middle, last; a node emptied and removed.
	start("st:deleted", false)
	eval("for i=1,250 do redis.call('xadd',KEYS[1],i..'-1','f','v'..i) end")
	cmd("XDEL", "1-1", "50-1", "250-1", "101-1")
	eval("for i=102,200 do redis.call('xdel',KEYS[1],i..'-1') end")
	cmd("XADD", "300-0", "g", "1")

	// Many nodes, exact and approximate trims, MINID, XSETID.
	start("st:big", false)
	eval("for i=1,3000 do redis.call('xadd',KEYS[1],i..'-'..(i%7),'field','value'..i,'n',i*12345) end")
	cmd("XTRIM", "MAXLEN", "~", "2500")
	cmd("XTRIM", "MAXLEN", "2222")
	cmd("XTRIM", "MINID", "900-0")
	cmd("XDEL", "1000-6", "1500-2", "2999-3")
	cmd("XSETID", "5000-0", "ENTRIESADDED", "9999", "MAXDELETEDID", "4000-0")

	// Node limits by bytes, big values (LZF-compressed listpacks).
	start("st:bytes", false)
	fx.cmds = append(fx.cmds, []string{"CONFIG", "SET", "stream-node-max-bytes", "300"})
	eval("for i=1,60 do redis.call('xadd',KEYS[1],i..'-0','k',string.rep('x',i*7)) end")
	cmd("XADD", "61-0", "k", strings.Repeat("y", 20000))
	cmd("XADD", "62-0", "k", strings.Repeat("0123456789", 30))
	fx.cmds = append(fx.cmds, []string{"CONFIG", "SET", "stream-node-max-bytes", "4096"})
	fx.cmds = append(fx.cmds, []string{"CONFIG", "SET", "stream-node-max-entries", "5"})
	start("st:entries5", false)
	eval("for i=1,23 do redis.call('xadd',KEYS[1],'7-'..i,'k',i) end")
	cmd("XDEL", "7-6", "7-7", "7-8", "7-9", "7-10")
	fx.cmds = append(fx.cmds, []string{"CONFIG", "SET", "stream-node-max-entries", "100"})

	// Empty streams: every entry deleted, trimmed, created by MKSTREAM.
	start("st:emptydel", false)
	cmd("XADD", "1-1", "a", "1")
	cmd("XADD", "1-2", "a", "1")
	cmd("XDEL", "1-1", "1-2")
	start("st:emptytrim", false)
	cmd("XADD", "1-1", "a", "1")
	cmd("XTRIM", "MAXLEN", "0")
	start("st:mkstream", false)
	fx.cmds = append(fx.cmds, []string{"XGROUP", "CREATE", key, "g", "$", "MKSTREAM"})

	// Groups without deliveries: last IDs, entries-read (-1 too),
	// numeric names (int-encoded strings), consumers without pending
	// entries are timed.
	start("st:groups", false)
	eval("for i=1,20 do redis.call('xadd',KEYS[1],i..'-0','f',i) end")
	grp := func(c ...string) { fx.cmds = append(fx.cmds, append([]string{"XGROUP", c[0], key}, c[1:]...)) }
	grp("CREATE", "g1", "0")
	grp("CREATE", "12345", "$")
	grp("CREATE", "g3", "5-0", "ENTRIESREAD", "5")
	grp("CREATE", "g4", "7-0")
	grp("CREATE", strings.Repeat("n", 40), "3-0", "ENTRIESREAD", "1000")
	cmd("XDEL", "10-0")

	// Deliveries, acks, claims, consumers: timed.
	start("st:pel", true)
	eval("for i=1,300 do redis.call('xadd',KEYS[1],i..'-'..i,'f',i,'g','x') end")
	grp("CREATE", "ga", "0")
	grp("CREATE", "gb", "100-0")
	rg := func(g, c, count string) {
		fx.cmds = append(fx.cmds, []string{"XREADGROUP", "GROUP", g, c, "COUNT", count, "STREAMS", key, ">"})
	}
	rg("ga", "alice", "10")
	rg("ga", "bob", "150")
	rg("gb", "alice", "3")
	rg("ga", "carol", "5")
	cmd("XACK", "ga", "2-2", "4-4", "11-11", "12-12", "100-100")
	cmd("XCLAIM", "ga", "carol", "0", "5-5", "20-20", "RETRYCOUNT", "7")
	cmd("XCLAIM", "ga", "dave", "0", "21-21", "TIME", "12345", "JUSTID")
	grp("CREATECONSUMER", "ga", "erin")
	grp("CREATECONSUMER", "gb", "123")
	cmd("XDEL", "30-30", "6-6")
	grp("SETID", "gb", "200-200", "ENTRIESREAD", "180")
	return fx
}
