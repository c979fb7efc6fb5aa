package core

import (
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/persist"
	"github.com/stretchr/testify/require"
)

type collect struct {
	keys map[string]string // "db:key" -> value (strings) or type
	ttl  map[string]int64
}

func (c *collect) Aux(k, v []byte)            {}
func (c *collect) Function(code []byte) error { return nil }
func (c *collect) Key(db int, k []byte, v any, at int64) error {
	name := strconv.Itoa(db) + ":" + string(k)
	if _, dup := c.keys[name]; dup {
		return os.ErrExist
	}
	if b, ok := v.([]byte); ok {
		c.keys[name] = string(b)
	} else {
		c.keys[name] = v.(keyspace.Typed).Kind().String()
	}
	c.ttl[name] = at
	return nil
}

func readRDB(t testing.TB, path string) *collect {
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	c := &collect{keys: map[string]string{}, ttl: map[string]int64{}}
	require.NoError(t, persist.Load(data, persist.Options{}, c))
	return c
}

func testServer(t testing.TB) *Server {
	cfg := NewConfig()
	require.NoError(t, cfg.LoadArgs([]string{"--dir", t.TempDir(), "--save", ""}))
	s := New(cfg, DefaultTable())
	t.Cleanup(s.RequestShutdown)
	return s
}

// TestSnapshotCopyOnWrite: the file holds the dataset as it was when the
// snapshot was taken, whatever changes before the walker gets there.
func TestSnapshotCopyOnWrite(t *testing.T) {
	s := testServer(t)
	s.mu.Lock()
	db0, db1, db2 := s.DBs[0], s.DBs[1], s.DBs[2]
	for i := 0; i < 5000; i++ {
		db0.Set("k"+strconv.Itoa(i), []byte("old"), false)
	}
	db0.SetExpire("k1", 1<<50)
	db1.Set("flushed", []byte("f"), false)
	db2.Set("swapped", []byte("s"), false)
	j := s.newSaveJob(true)
	// Changes after the snapshot: in place, overwrite, delete, expire,
	// persist, new keys, FLUSHDB, SWAPDB, MOVE-like.
	db0.SetString("k0", []byte("new"), false)
	db0.Persist("k1")
	db0.Delete("k2")
	db0.SetExpire("k3", 5)
	db0.Set("created", []byte("x"), false)
	e := db0.GetForWrite("k4", 0)
	e.Value = []byte("changed in place")
	db1.Flush()
	db1.Set("after-flush", []byte("y"), false)
	keyspace.SwapContents(db2, s.DBs[5])
	s.DBs[5].Set("swapped", []byte("s2"), false)
	s.DBs[5].Set("new-in-5", []byte("z"), false)
	src := db0.Get("k5", 0)
	s.DBs[7].SetEntry("k5", src)
	db0.Delete("k5")
	s.mu.Unlock()

	require.NoError(t, j.run(false))
	s.mu.Lock()
	j.stop()
	s.mu.Unlock()
	c := readRDB(t, j.path)
	require.Len(t, c.keys, 5002)
	for i := 0; i < 5000; i++ {
		require.Equal(t, "old", c.keys["0:k"+strconv.Itoa(i)], i)
	}
	require.Equal(t, int64(1<<50), c.ttl["0:k1"])
	require.Equal(t, int64(-1), c.ttl["0:k3"])
	require.Equal(t, "f", c.keys["1:flushed"])
	require.Equal(t, "s", c.keys["2:swapped"])

	// The next snapshot sees the changes.
	s.mu.Lock()
	j2 := s.newSaveJob(false)
	require.NoError(t, j2.run(true))
	j2.stop()
	s.mu.Unlock()
	c = readRDB(t, j2.path)
	require.Equal(t, "new", c.keys["0:k0"])
	require.Equal(t, "changed in place", c.keys["0:k4"])
	require.Equal(t, "x", c.keys["0:created"])
	require.Equal(t, "s2", c.keys["5:swapped"])
	require.Equal(t, "old", c.keys["7:k5"])
	require.NotContains(t, c.keys, "0:k2")
	require.NotContains(t, c.keys, "1:flushed")
}

// TestBgsaveUnderLoad writes 1M keys with BGSAVE running while writers
// overwrite them, checks the file holds the values of the start, and
// reports the longest write latency and the throughput with and without
// the save (go test -run BgsaveUnderLoad -v; -short uses 100k keys).
func TestBgsaveUnderLoad(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	s := testServer(t)
	s.mu.Lock()
	for i := 0; i < n; i++ {
		s.DBs[0].SetString("key:"+strconv.Itoa(i), []byte("value-0-"+strconv.Itoa(i)), false)
	}
	s.mu.Unlock()

	load := func(d time.Duration, during func() bool, val []byte) (ops int64, worst time.Duration) {
		var wg sync.WaitGroup
		var total atomic.Int64
		var mu sync.Mutex
		stop := time.Now().Add(d)
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var my time.Duration
				var cnt int64
				for i := w; ; i += 4 {
					if cnt%64 == 0 && (time.Now().After(stop) || (during != nil && !during())) {
						break
					}
					t0 := time.Now()
					s.mu.Lock()
					s.DBs[0].SetString("key:"+strconv.Itoa(i%n), val, false)
					s.Dirty++
					s.mu.Unlock()
					if l := time.Since(t0); l > my {
						my = l
					}
					cnt++
				}
				total.Add(cnt)
				mu.Lock()
				worst = max(worst, my)
				mu.Unlock()
			}(w)
		}
		wg.Wait()
		return total.Load(), worst
	}

	base := time.Second
	opsBase, worstBase := load(base, nil, []byte("value-1-xxxxxxx"))

	s.mu.Lock()
	start := time.Now()
	s.startBgsave()
	j := s.persist.bg
	s.mu.Unlock()
	inProgress := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.persist.bg != nil
	}
	opsSave, worstSave := load(time.Minute, inProgress, []byte("value-2-xxxxxxx"))
	saveDur := time.Since(start)
	for inProgress() {
		time.Sleep(10 * time.Millisecond)
	}
	require.False(t, s.persist.lastBgErr)
	t.Logf("%d keys: BGSAVE took %v; writes without save: %.0f/s, worst %v; during save: %.0f/s, worst %v",
		n, saveDur.Round(time.Millisecond), float64(opsBase)/base.Seconds(), worstBase,
		float64(opsSave)/saveDur.Seconds(), worstSave)

	c := readRDB(t, j.path)
	require.Len(t, c.keys, n)
	// Every key holds what it held when BGSAVE started: its first value
	// or the one written before; never one written during the save.
	for i := 0; i < n; i++ {
		v := c.keys["0:key:"+strconv.Itoa(i)]
		if v != "value-1-xxxxxxx" && v != "value-0-"+strconv.Itoa(i) {
			t.Fatalf("key:%d = %q", i, v)
		}
	}
}
