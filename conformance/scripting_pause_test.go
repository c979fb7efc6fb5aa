package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// During CLIENT PAUSE WRITE, scripts that declare no-writes (and the _RO
// commands) run; a script without flags may write and waits, as in Redis.
func TestScriptsDuringWritePause(t *testing.T) {
	servers := map[string]string{"polyfn": StartPolyfn(t)}
	if addr, ok := tryRedis(t); ok {
		servers["redis"] = addr
	}
	for name, addr := range servers {
		t.Run(name, func(t *testing.T) {
			admin, c := Dial(t, addr), Dial(t, addr)
			v, _, err := c.Do("FUNCTION", "LOAD", "#!lua name=p\nredis.register_function{function_name='ro', callback=function() return 'ro' end, flags={'no-writes'}}\nredis.register_function('rw', function() return 'rw' end)")
			require.NoError(t, err)
			require.Equal(t, "p", string(v.Str))
			v, _, _ = admin.Do("CLIENT", "PAUSE", "1500", "WRITE")
			require.Equal(t, "OK", string(v.Str))
			start := time.Now()
			for _, cmd := range [][]string{
				{"EVAL", "#!lua flags=no-writes\nreturn 1", "0"},
				{"EVAL_RO", "return 2", "0"},
				{"FCALL", "ro", "0"},
				{"FCALL_RO", "ro", "0"},
			} {
				_, raw, err := c.Do(cmd...)
				require.NoError(t, err)
				require.NotEqual(t, byte('-'), raw[0], "%v: %q", cmd, raw)
			}
			require.Less(t, time.Since(start), time.Second, "read-only scripts are not paused")
			_, raw, err := c.Do("FCALL", "rw", "0")
			require.NoError(t, err)
			require.Equal(t, "$2\r\nrw\r\n", string(raw))
			require.GreaterOrEqual(t, time.Since(start), 1200*time.Millisecond, "a function that may write waits for the pause to end")
		})
	}
}
