package core_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAOFWriteError: when the AOF cannot be written, write commands get
// Redis's MISCONF error and INFO says aof_last_write_status:err, reads go
// on; once writing works again, the buffered commands reach the file and
// writes are accepted.
func TestAOFWriteError(t *testing.T) {
	dir := t.TempDir()
	cs, c := startServer(t, nil, "--dir", dir, "--appendonly", "yes", "--save", "")
	ctx := context.Background()

	require.NoError(t, c.Set(ctx, "before", "1", 0).Err())
	// A read-only descriptor: every write fails.
	ro, err := os.Open(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	good := cs.SwapAOFFile(ro)
	require.NoError(t, c.Set(ctx, "during", "1", 0).Err(), "the write that fails is answered, as in Redis")
	err = c.Set(ctx, "refused", "1", 0).Err()
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "MISCONF Errors writing to the AOF file: "), err.Error())
	require.Equal(t, "1", c.Get(ctx, "before").Val(), "reads still work")
	info := c.Info(ctx, "persistence").Val()
	require.Contains(t, info, "aof_last_write_status:err")

	cs.SwapAOFFile(good)
	ro.Close()
	require.Eventually(t, func() bool { return c.Set(ctx, "after", "1", 0).Err() == nil }, 2*time.Second, 20*time.Millisecond)
	require.Contains(t, c.Info(ctx, "persistence").Val(), "aof_last_write_status:ok")
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	for _, k := range []string{"before", "during", "after"} {
		require.Contains(t, string(data), "$"+string(rune('0'+len(k)))+"\r\n"+k+"\r\n")
	}
	require.NotContains(t, string(data), "refused")
}

// TestAOFAlwaysDurableBeforeReply: with appendfsync always a reply is
// sent only once what it acknowledges is fsynced; with everysec once it
// is written (fsynced within about a second).
func TestAOFAlwaysDurableBeforeReply(t *testing.T) {
	for _, policy := range []string{"always", "everysec"} {
		t.Run(policy, func(t *testing.T) {
			cs, c := startServer(t, nil, "--appendonly", "yes", "--appendfsync", policy, "--save", "")
			ctx := context.Background()
			lagged := false
			for i := 0; i < 50; i++ {
				require.NoError(t, c.Set(ctx, "k", i, 0).Err())
				appended, written, synced := cs.AOFOffsets()
				require.Equal(t, appended, written, "written before the reply")
				if policy == "always" {
					require.Equal(t, appended, synced, "fsynced before the reply")
				} else if synced < appended {
					lagged = true
				}
			}
			if policy == "everysec" {
				require.True(t, lagged, "everysec does not fsync each write")
				require.Eventually(t, func() bool {
					appended, _, synced := cs.AOFOffsets()
					return synced == appended
				}, 3*time.Second, 50*time.Millisecond)
			}
		})
	}
}
