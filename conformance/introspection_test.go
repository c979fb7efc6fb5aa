package conformance

import (
	"regexp"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// TestSlowlogEntriesMatchRedis compares SLOWLOG GET entries with
// redis-server's, masking what differs between runs (time, duration,
// client address). Passwords and ACL rules must show as "(redacted)"
// where Redis hides them, and only there.
func TestSlowlogEntriesMatchRedis(t *testing.T) {
	args := []string{"--slowlog-log-slower-than", "0"}
	r := Dial(t, StartRedis(t, args...))
	p := Dial(t, StartPolyfn(t, args...))
	long := strings.Repeat("x", 200)
	many := []string{"DEL"}
	for i := 0; i < 40; i++ {
		many = append(many, "k"+strings.Repeat("y", i))
	}
	for _, c := range []*Client{r, p} {
		for _, cmd := range append([][]string{{"SLOWLOG", "RESET"}, {"SET", "k", "v"}, {"ECHO", long}, many, {"get", "k"}, {"PING", "bin\x00ary"}}, secretCommands...) {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
		}
	}
	mask := func(v core.Value) []string {
		var out []string
		for _, e := range v.Elems {
			require.Len(t, e.Elems, 6)
			require.Equal(t, core.VInt, e.Elems[1].Kind)
			require.Equal(t, core.VInt, e.Elems[2].Kind)
			require.Regexp(t, `^127\.0\.0\.1:\d+$`, string(e.Elems[4].Str))
			out = append(out, e.Elems[0].String()+" "+e.Elems[3].String()+" "+e.Elems[5].String())
		}
		return out
	}
	rv, _, err := r.Do("SLOWLOG", "GET", "-1")
	require.NoError(t, err)
	pv, _, err := p.Do("SLOWLOG", "GET", "-1")
	require.NoError(t, err)
	require.Equal(t, mask(rv), mask(pv))
}

// secretCommands carry passwords or ACL rules, some refused before the
// server reached them (those are shown as they came).
var secretCommands = [][]string{
	{"AUTH", "onlypass"}, {"AUTH", "someone", "wrong"}, {"AUTH", "a", "b", "c"},
	{"HELLO", "2", "AUTH", "default", "wrong"}, {"HELLO", "2", "SETNAME", "me", "AUTH", "x", "y", "AUTH", "z"},
	{"HELLO", "2", "bogus", "AUTH", "a", "b"}, {"HELLO", "4", "AUTH", "a", "b"},
	{"CONFIG", "SET", "requirepass", ""}, {"CONFIG", "SET", "masterauth", "s1", "nosuch", "v", "maxmemory-policy", "noeviction"},
	{"CONFIG", "SET", "masteruser", "u", "MASTERUSER", "u"}, {"CONFIG", "SET", "masterauth", "s1", "requirepass"},
	{"ACL", "SETUSER", "bob", "on", ">secret", "+get"}, {"ACL", "SETUSER", "bad name", ">pw"}, {"ACL", "DELUSER", "bob"},
}

var monitorMask = regexp.MustCompile(`^\+\d+\.\d{6} \[(\d+) [^\]]+\]`)

// TestMonitorLinesMatchRedis compares the lines a MONITOR client receives
// with redis-server's, masking the timestamp and the client address.
func TestMonitorLinesMatchRedis(t *testing.T) {
	lines := map[string][]string{}
	for name, addr := range map[string]string{"redis": StartRedis(t), "polyfn": StartPolyfn(t)} {
		mon := Dial(t, addr)
		_, raw, err := mon.Do("MONITOR")
		require.NoError(t, err)
		require.Equal(t, "+OK\r\n", string(raw))
		c := Dial(t, addr)
		cmds := [][]string{{"SET", "k", "v"}, {"get", "k"}, {"ECHO", "a \"quoted\" \\ \r\n\t\x01\xff é"}, {"SELECT", "2"},
			{"PING"}, {"NOSUCH", "x"}, {"GET"}, {"SELECT", "0"}, {"DEL", "k"}}
		cmds = append(cmds, secretCommands...)
		for _, cmd := range cmds {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
		}
		_, _, err = c.Do("ECHO", "last")
		require.NoError(t, err)
		for {
			_, raw, err := mon.Read()
			require.NoError(t, err, name)
			line := monitorMask.ReplaceAllString(string(raw), "+T [$1 ADDR]")
			lines[name] = append(lines[name], line)
			if strings.Contains(line, `"last"`) {
				break
			}
		}
	}
	require.Equal(t, lines["redis"], lines["polyfn"])
}
