package conformance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWatchdogAfterThresholdLowered: the script watchdog stays armed
// from run to run (core/scripting.go); a run that starts after
// busy-reply-threshold was lowered must still turn busy at the new
// threshold, not at the one an earlier run armed it with. No memory
// limit, so that nothing else makes the watchdog look earlier.
func TestWatchdogAfterThresholdLowered(t *testing.T) {
	addr := StartPolyfn(t, "--busy-reply-threshold", "4000", "--script-max-memory", "0")
	runner, other := Dial(t, addr), Dial(t, addr)
	v, _, err := runner.Do("EVAL", "return 1", "0") // arms the watchdog for 4 s
	require.NoError(t, err)
	require.Equal(t, int64(1), v.Int)
	v, _, err = other.Do("CONFIG", "SET", "busy-reply-threshold", "100")
	require.NoError(t, err)
	require.Equal(t, "OK", string(v.Str))

	start := time.Now()
	require.NoError(t, runner.Send("EVAL", "while true do end", "0"))
	require.Contains(t, waitBusy(t, other), "BUSY")
	require.Less(t, time.Since(start), 2*time.Second, "busy at the old threshold")
	v, _, _ = other.Do("SCRIPT", "KILL")
	require.Equal(t, "OK", string(v.Str))
	_, _, err = runner.Read()
	require.NoError(t, err)

	// Many short runs, then a long one: still busy, and killable.
	for i := 0; i < 200; i++ {
		v, _, err = runner.Do("EVAL", "return redis.call('INCR', KEYS[1])", "1", "n")
		require.NoError(t, err)
		require.Equal(t, int64(i+1), v.Int)
	}
	require.NoError(t, runner.Send("EVAL", "while true do end", "0"))
	require.Contains(t, waitBusy(t, other), "BUSY")
	v, _, _ = other.Do("SCRIPT", "KILL")
	require.Equal(t, "OK", string(v.Str))
	v, _, err = runner.Read()
	require.NoError(t, err)
	require.Contains(t, string(v.Str), "Script killed by user")
}
