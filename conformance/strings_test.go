package conformance

import (
	"bytes"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/protocol"
)

// startCore starts an in-process polyfn like StartPolyfn and also returns
// its core, so tests can look inside the keyspace.
func startCore(t *testing.T) (string, *core.Server) {
	t.Helper()
	cfg := core.NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{"--port", "0", "--bind", "127.0.0.1", "--dir", t.TempDir()}))
	cs := core.New(cfg, core.DefaultTable())
	srv, addrs, err := protocol.Listen(cs)
	require.NoError(t, err)
	t.Cleanup(func() {
		srv.Close()
		cs.RequestShutdown()
	})
	return addrs[0].String(), cs
}

// pipeline sends every command, then reads every reply.
func pipeline(t *testing.T, c *Client, cmds [][]string) [][]byte {
	t.Helper()
	var out [][]byte
	for i := 0; i < len(cmds); i += 200 {
		batch := cmds[i:min(i+200, len(cmds))]
		for _, cmd := range batch {
			require.NoError(t, c.Send(cmd...))
		}
		for range batch {
			_, b, err := c.Read()
			require.NoError(t, err)
			out = append(out, b)
		}
	}
	return out
}

func randDecimal(r *rand.Rand) string {
	var b strings.Builder
	if r.Intn(3) == 0 {
		b.WriteByte('-')
	}
	digits := 1 + r.Intn(25)
	point := r.Intn(digits + 1)
	for i := 0; i < digits; i++ {
		if i == point {
			b.WriteByte('.')
		}
		b.WriteByte(byte('0' + r.Intn(10)))
	}
	switch r.Intn(4) {
	case 0:
		fmt.Fprintf(&b, "e%d", r.Intn(60)-30)
	case 1:
		fmt.Fprintf(&b, "E%+d", r.Intn(9000)-4500)
	}
	return b.String()
}

func randFloatArg(r *rand.Rand) string {
	switch r.Intn(14) {
	case 10:
		edge := []string{"1e4932", "1.18973149535723176502e4932", "1.18973149535723176508e4932", "-1e4933",
			"3.6e-4951", "1e-4951", "1e-4952", "inf", "-inf", "nan", " 1", "1 ", "0x1p16383", "0x1p16384",
			"0x1p-16445", "0x1p-16446", "0x1.fffffffffffffffep16383", "0x1.ffffffffffffffffp16383", "",
			"0.1", "-0.1", "1e-17", "5e-18", "1.5e-17", "2.5e-17", "-5e-18", "9.999999999999999995",
			"0.000000000000000005", "0.000000000000000015", "0.000000000000000025", "0.000000000000000035"}
		return edge[r.Intn(len(edge))]
	case 11:
		return fmt.Sprintf("%de%d", r.Intn(100), r.Intn(10000)-5000)
	case 0:
		return strconv.FormatInt(r.Int63()-r.Int63(), 10)
	case 1:
		return fmt.Sprintf("0x%x.%xp%d", r.Intn(1<<20), r.Intn(1<<16), r.Intn(200)-100)
	case 2:
		return strconv.FormatFloat(r.NormFloat64()*1e6, 'g', -1, 64)
	case 3:
		return fmt.Sprintf("%d.%d", r.Intn(1000), r.Intn(1000))
	}
	return randDecimal(r)
}

// TestIncrByFloatRandom compares INCRBYFLOAT on thousands of random
// operands with redis-server, reply bytes and stored values.
func TestIncrByFloatRandom(t *testing.T) {
	raddr := StartRedis(t)
	paddr := StartPolyfn(t)
	rc, pc := Dial(t, raddr), Dial(t, paddr)
	r := rand.New(rand.NewSource(7))
	var cmds [][]string
	for i := 0; i < 4000; i++ {
		key := "f" + strconv.Itoa(i%50)
		if i%3 == 0 {
			cmds = append(cmds, []string{"SET", key, randFloatArg(r)})
		}
		cmds = append(cmds, []string{"INCRBYFLOAT", key, randFloatArg(r)})
		if i%5 == 0 {
			cmds = append(cmds, []string{"GET", key})
		}
	}
	want, got := pipeline(t, rc, cmds), pipeline(t, pc, cmds)
	fails, errs := 0, 0
	for i := range cmds {
		if want[i][0] == '-' {
			errs++
		}
		if !bytes.Equal(want[i], got[i]) {
			t.Errorf("%q: redis %s polyfn %s", cmds[i], Quote(want[i]), Quote(got[i]))
			if fails++; fails > 20 {
				t.FailNow()
			}
		}
	}
	t.Logf("%d commands, %d errors", len(cmds), errs)
}

// TestStringEncoding checks core.StringEncoding against OBJECT ENCODING
// of redis-server after the same commands.
func TestStringEncoding(t *testing.T) {
	raddr := StartRedis(t)
	paddr, cs := startCore(t)
	rc, pc := Dial(t, raddr), Dial(t, paddr)
	long := strings.Repeat("x", 44)
	cmds := [][]string{
		{"SET", "int", "12345"}, {"SET", "zero", "0"}, {"SET", "neg", "-42"},
		{"SET", "lead0", "0012"}, {"SET", "negzero", "-0"}, {"SET", "plus", "+1"},
		{"SET", "max", "9223372036854775807"}, {"SET", "min", "-9223372036854775808"},
		{"SET", "over", "9223372036854775808"}, {"SET", "big20", "12345678901234567890"},
		{"SET", "str", "hello"}, {"SET", "empty", ""}, {"SET", "e44", long}, {"SET", "e45", long + "y"},
		{"SET", "float", "1.5"}, {"SET", "space", " 1"},
		{"INCR", "incr"}, {"INCRBY", "incrbig", "100000"}, {"SET", "d", "10"}, {"DECR", "d"},
		{"SET", "s2i", "abc"}, {"SET", "s2i", "7"},
		{"INCRBYFLOAT", "ibf", "3"}, {"INCRBYFLOAT", "ibf2", "1.5"}, {"INCRBYFLOAT", "ibf3", "1e30"},
		{"INCRBYFLOAT", "ibf4", "1e50"},
		{"INCRBYFLOAT", "ibf5", "2"}, {"INCR", "ibf5"},
		{"SET", "ap", "ab"}, {"APPEND", "ap", "c"}, {"SET", "ap0", "ab"}, {"APPEND", "ap0", ""},
		{"APPEND", "apnew", "12"}, {"APPEND", "apnew2", "xy"}, {"SET", "apint", "5"}, {"APPEND", "apint", "5"},
		{"SET", "sr", "abc"}, {"SETRANGE", "sr", "0", "x"}, {"SET", "sr0", "abc"}, {"SETRANGE", "sr0", "0", ""},
		{"SETRANGE", "srnew", "2", "1"},
		{"SET", "sb", "a"}, {"SETBIT", "sb", "1", "1"}, {"SETBIT", "sbnew", "7", "1"},
		{"SET", "sbsame", "a"}, {"SETBIT", "sbsame", "0", "0"}, {"SET", "gb", "a"}, {"GETBIT", "gb", "0"},
		{"SET", "bf", "1"}, {"BITFIELD", "bf", "GET", "u8", "0"},
		{"SET", "bf2", "1"}, {"BITFIELD", "bf2", "SET", "u8", "0", "50"},
		{"SET", "bop", "1"}, {"BITOP", "NOT", "bopd", "bop"}, {"BITOP", "OR", "bopd2", "bop", "bop"},
		{"MSET", "m1", "1", "m2", "x", "m3", long + "z"}, {"MSETNX", "mn1", "77", "mn2", "y"},
		{"GETSET", "gs", "55"}, {"SETNX", "snx", "66"}, {"SETEX", "sex", "100", "88"},
		{"PSETEX", "psex", "100000", "str"},
		{"SET", "gex", "9"}, {"GETEX", "gex", "EX", "100"},
		{"SET", "keep", "10", "EX", "100"}, {"SET", "keep", "11", "KEEPTTL"},
		{"SET", "incrraw", "10"}, {"APPEND", "incrraw", "0"}, {"INCR", "incrraw"},
	}
	want, got := pipeline(t, rc, cmds), pipeline(t, pc, cmds)
	for i := range cmds {
		require.Equal(t, string(want[i]), string(got[i]), "%q", cmds[i])
	}
	keys := map[string]bool{}
	for _, c := range cmds {
		if c[0] == "MSET" || c[0] == "MSETNX" {
			for j := 1; j < len(c); j += 2 {
				keys[c[j]] = true
			}
			continue
		}
		if c[0] == "BITOP" {
			keys[c[2]] = true
			continue
		}
		keys[c[1]] = true
	}
	for k := range keys {
		v, _, err := rc.Do("OBJECT", "ENCODING", k)
		require.NoError(t, err)
		cs.Lock()
		e := cs.DBs[0].Get(k, 0)
		var enc string
		if e != nil {
			enc = core.StringEncoding(e)
		}
		cs.Unlock()
		require.Equal(t, string(v.Str), enc, "key %q", k)
	}
}

// fakeList is a non-string value for WRONGTYPE checks.
type fakeList struct{}

func (fakeList) Kind() keyspace.Kind  { return keyspace.KindList }
func (fakeList) Encoding() string     { return "listpack" }
func (fakeList) Copy() keyspace.Typed { return fakeList{} }

// TestStringWrongType runs every command of the string and bitmap groups
// against a key of another type (a list), compared with redis-server.
func TestStringWrongType(t *testing.T) {
	raddr := StartRedis(t)
	paddr, cs := startCore(t)
	rc, pc := Dial(t, raddr), Dial(t, paddr)
	_, _, err := rc.Do("RPUSH", "l", "x")
	require.NoError(t, err)
	cs.Lock()
	cs.DBs[0].Set("l", fakeList{}, false)
	cs.Unlock()
	for _, c := range [][]string{{"SET", "s", "abc"}} {
		rc.Do(c...)
		pc.Do(c...)
	}
	cmds := [][]string{
		{"GET", "l"}, {"SET", "l", "v", "GET"}, {"SET", "l", "v", "NX", "GET"}, {"SET", "l", "v", "GET", "EX", "0"},
		{"GETEX", "l"}, {"GETEX", "l", "EX", "0"}, {"GETEX", "l", "EX", "x"}, {"GETEX", "l", "bogus"},
		{"GETDEL", "l"}, {"GETSET", "l", "v"}, {"MGET", "s", "l", "missing"}, {"APPEND", "l", "x"},
		{"STRLEN", "l"}, {"GETRANGE", "l", "0", "1"}, {"GETRANGE", "l", "x", "1"}, {"SUBSTR", "l", "0", "1"},
		{"SETRANGE", "l", "0", "x"}, {"SETRANGE", "l", "0", ""}, {"SETRANGE", "l", "-1", "x"},
		{"SETRANGE", "l", "536870912", "x"},
		{"INCR", "l"}, {"DECR", "l"}, {"INCRBY", "l", "1"}, {"INCRBY", "l", "x"}, {"DECRBY", "l", "1"},
		{"DECRBY", "l", "-9223372036854775808"}, {"INCRBYFLOAT", "l", "1"}, {"INCRBYFLOAT", "l", "x"},
		{"LCS", "l", "s"}, {"LCS", "s", "l"}, {"LCS", "l", "s", "bogus"}, {"LCS", "missing", "l", "IDX", "LEN"},
		{"SETBIT", "l", "0", "1"}, {"SETBIT", "l", "x", "1"}, {"SETBIT", "l", "0", "2"},
		{"GETBIT", "l", "0"}, {"GETBIT", "l", "x"},
		{"BITCOUNT", "l"}, {"BITCOUNT", "l", "x", "y"}, {"BITCOUNT", "l", "0"},
		{"BITPOS", "l", "1"}, {"BITPOS", "l", "2"}, {"BITPOS", "l", "1", "x"},
		{"BITOP", "AND", "d", "s", "l"}, {"BITOP", "NOT", "d", "l"}, {"BITOP", "OR", "l", "s"},
		{"BITOP", "bogus", "d", "l"},
		{"BITFIELD", "l"}, {"BITFIELD", "l", "GET", "u8", "0"}, {"BITFIELD", "l", "SET", "u8", "0", "1"},
		{"BITFIELD", "l", "GET", "x8", "0"}, {"BITFIELD_RO", "l", "GET", "u8", "0"},
		{"BITFIELD_RO", "l", "SET", "u8", "0", "1"},
		{"GET", "l"}, {"GET", "s"}, {"GET", "d"},
		{"MSET", "l", "v"}, {"GET", "l"},
		{"SET", "l", "v"}, {"GET", "l"},
	}
	want, got := pipeline(t, rc, cmds), pipeline(t, pc, cmds)
	for i := range cmds {
		require.Equal(t, Quote(want[i]), Quote(got[i]), "%q", cmds[i])
	}
	// BITOP and SET overwrote "l" with a string; check that more types of
	// overwrite keep working.
	for _, typ := range []string{"SETNX", "SETEX", "PSETEX", "GETSET", "MSETNX"} {
		cs.Lock()
		cs.DBs[0].Set("l", fakeList{}, false)
		cs.Unlock()
		rc.Do("DEL", "l")
		rc.Do("RPUSH", "l", "x")
		var c []string
		switch typ {
		case "SETNX", "GETSET":
			c = []string{typ, "l", "v"}
		case "SETEX", "PSETEX":
			c = []string{typ, "l", "100000", "v"}
		case "MSETNX":
			c = []string{typ, "l", "v"}
		}
		_, w, _ := rc.Do(c...)
		_, g, _ := pc.Do(c...)
		require.Equal(t, Quote(w), Quote(g), "%q", c)
	}
}
