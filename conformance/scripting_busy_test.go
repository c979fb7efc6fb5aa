package conformance

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Busy scripts, SCRIPT KILL and FUNCTION KILL, through the front door,
// against polyfn and (when installed) redis-server: the same scenario
// must give the same replies.

func busyServers(t *testing.T) map[string]string {
	servers := map[string]string{"polyfn": StartPolyfn(t, "--busy-reply-threshold", "100")}
	if addr, ok := tryRedis(t, "--busy-reply-threshold", "100"); ok {
		servers["redis"] = addr
	}
	return servers
}

func TestScriptKill(t *testing.T) {
	for name, addr := range busyServers(t) {
		t.Run(name, func(t *testing.T) {
			runner, other := Dial(t, addr), Dial(t, addr)
			v, _, err := other.Do("SCRIPT", "KILL")
			require.NoError(t, err)
			require.Equal(t, "NOTBUSY No scripts in execution right now.", string(v.Str))

			// pcall inside the loop must not be able to swallow the kill.
			body := "local n = 0 while true do pcall(function() n = n + 1 end) end"
			require.NoError(t, runner.Send("EVAL", body, "0"))
			require.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", waitBusy(t, other))
			v, _, _ = other.Do("GET", "x")
			require.Contains(t, string(v.Str), "BUSY")
			v, _, _ = other.Do("FUNCTION", "KILL")
			require.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", string(v.Str))
			v, _, _ = other.Do("FUNCTION", "STATS")
			require.Contains(t, string(v.Str), "BUSY")
			v, _, _ = other.Do("SCRIPT", "KILL")
			require.Equal(t, "OK", string(v.Str))
			v, _, err = runner.Read()
			require.NoError(t, err)
			require.Regexp(t, `^ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$`, string(v.Str))
			v, _, _ = other.Do("PING")
			require.Equal(t, "PONG", string(v.Str))
			v, _, _ = runner.Do("PING")
			require.Equal(t, "PONG", string(v.Str))
		})
	}
}

func TestFunctionKill(t *testing.T) {
	lib := "#!lua name=spin\n" +
		"redis.register_function('spin', function() while true do end end)\n" +
		"redis.register_function{function_name='spinro', callback=function() local t = {} while true do t[1] = 1 end end, flags={'no-writes'}}"
	for name, addr := range busyServers(t) {
		t.Run(name, func(t *testing.T) {
			runner, other := Dial(t, addr), Dial(t, addr)
			v, _, err := other.Do("FUNCTION", "LOAD", lib)
			require.NoError(t, err)
			require.Equal(t, "spin", string(v.Str))
			for _, call := range [][]string{{"FCALL", "spin", "0"}, {"FCALL_RO", "spinro", "1", "k"}} {
				require.NoError(t, runner.Send(call...))
				require.Equal(t, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", waitBusy(t, other))
				v, _, _ = other.Do("SCRIPT", "KILL")
				require.Equal(t, "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.", string(v.Str))
				v, raw, _ := other.Do("FUNCTION", "STATS")
				require.Equal(t, "running_script", string(v.Elems[0].Str), string(raw))
				rs := v.Elems[1]
				require.Equal(t, "name", string(rs.Elems[0].Str))
				require.Equal(t, call[1], string(rs.Elems[1].Str))
				require.Equal(t, len(call), len(rs.Elems[3].Elems), "command")
				require.GreaterOrEqual(t, rs.Elems[5].Int, int64(100), "duration_ms")
				v, _, _ = other.Do("FUNCTION", "KILL")
				require.Equal(t, "OK", string(v.Str))
				v, _, err = runner.Read()
				require.NoError(t, err)
				require.Equal(t, "ERR Script killed by user with SCRIPT KILL... script: "+call[1]+", on @user_function:"+map[string]string{"spin": "2", "spinro": "3"}[call[1]]+".", string(v.Str))
			}
			v, _, _ = other.Do("FUNCTION", "KILL")
			require.Equal(t, "NOTBUSY No scripts in execution right now.", string(v.Str))
		})
	}
}

// A script that wrote cannot be killed; SHUTDOWN NOSAVE still stops the
// server. Only polyfn: killing redis-server this way is the same
// scenario, and the test would need its process handle.
func TestScriptUnkillable(t *testing.T) {
	for name, addr := range busyServers(t) {
		t.Run(name, func(t *testing.T) {
			runner, other := Dial(t, addr), Dial(t, addr)
			require.NoError(t, runner.Send("EVAL", "redis.call('set','x','1') while true do end", "0"))
			waitBusy(t, other)
			v, _, _ := other.Do("SCRIPT", "KILL")
			require.Equal(t, "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.", string(v.Str))
			v, _, _ = other.Do("SHUTDOWN")
			require.Equal(t, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", string(v.Str), "SHUTDOWN without NOSAVE is refused while busy")
			require.NoError(t, other.Send("SHUTDOWN", "NOSAVE"))
			_, _, err := other.Read()
			require.Error(t, err, "the connection closes as the server stops")
		})
	}
}
