package conformance

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// MONITOR shows EVAL and FCALL before the commands their scripts run,
// those as "[<db> lua]", as Redis does.
func TestMonitorShowsScriptCommands(t *testing.T) {
	servers := map[string]string{"polyfn": StartPolyfn(t)}
	if addr, ok := tryRedis(t); ok {
		servers["redis"] = addr
	}
	stamp := regexp.MustCompile(`^\d+\.\d{6} \[(\d+) (?:127\.0\.0\.1:\d+|lua)\]`)
	lines := map[string][]string{}
	for name, addr := range servers {
		mon, c := Dial(t, addr), Dial(t, addr)
		v, _, err := mon.Do("MONITOR")
		require.NoError(t, err)
		require.Equal(t, "OK", string(v.Str))
		cmds := [][]string{
			{"EVAL", "redis.call('set','a','1') redis.call('select','3') return redis.call('get','a')", "0"},
			{"FUNCTION", "LOAD", "#!lua name=m\nredis.register_function('mf', function(k) return redis.call('exists', k[1]) end)"},
			{"FCALL", "mf", "1", "a"},
			{"EVALSHA", "0000000000000000000000000000000000000000", "0"},
			{"PING"},
		}
		for _, cmd := range cmds {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
		}
		for {
			v, _, err := mon.Read()
			require.NoError(t, err)
			line := string(v.Str)
			m := stamp.FindStringSubmatch(line)
			require.NotNil(t, m, line)
			src := "client"
			if regexp.MustCompile(` lua\]`).MatchString(line) {
				src = "lua"
			}
			lines[name] = append(lines[name], "["+m[1]+" "+src+"]"+line[len(m[0]):])
			if line[len(m[0]):] == ` "PING"` {
				break
			}
		}
	}
	require.Equal(t, []string{
		`[0 client] "EVAL" "redis.call('set','a','1') redis.call('select','3') return redis.call('get','a')" "0"`,
		`[0 lua] "set" "a" "1"`,
		`[3 lua] "select" "3"`,
		`[3 lua] "get" "a"`,
		`[0 client] "FUNCTION" "LOAD" "#!lua name=m\nredis.register_function('mf', function(k) return redis.call('exists', k[1]) end)"`,
		`[0 client] "FCALL" "mf" "1" "a"`,
		`[0 lua] "exists" "a"`,
		`[0 client] "EVALSHA" "0000000000000000000000000000000000000000" "0"`,
		`[0 client] "PING"`,
	}, lines["polyfn"])
	if r, ok := lines["redis"]; ok {
		require.Equal(t, r, lines["polyfn"])
	}
}
