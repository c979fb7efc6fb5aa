package conformance

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// maxmemory and its eviction policies, against polyfn running as its own
// process (its resident memory is measured): 20 MB of limit, 100 kB
// values, written well past the limit.

const (
	evictLimit     = 20 << 20
	evictValueSize = 100 << 10
	oomError       = "OOM command not allowed when used memory > 'maxmemory'."
)

var evictValue = bytes.Repeat([]byte("x"), evictValueSize)

type evictRun struct {
	t        *testing.T
	ctx      context.Context
	rdb      *redis.Client
	pid      int
	baseRSS  int64
	maxRSS   int64
	writes   int
	events   <-chan *redis.Message
	eventKey string
}

func startEvict(t *testing.T, policy string, extra ...string) *evictRun {
	args := append([]string{"--maxmemory", strconv.Itoa(evictLimit), "--maxmemory-policy", policy,
		"--notify-keyspace-events", "Ee"}, extra...)
	addr, pid := startPolyfnProcess(t, args...)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, PoolSize: 2})
	t.Cleanup(func() { rdb.Close() })
	sub := rdb.Subscribe(ctx, "__keyevent@0__:evicted")
	t.Cleanup(func() { sub.Close() })
	_, err := sub.Receive(ctx)
	require.NoError(t, err)
	r := &evictRun{t: t, ctx: ctx, rdb: rdb, pid: pid, events: sub.Channel()}
	r.baseRSS = processRSS(t, pid)
	r.maxRSS = r.baseRSS
	return r
}

// set writes a 100 kB value (with a time to live when ttl > 0) and
// samples the server's RSS now and then.
func (r *evictRun) set(key string, ttl time.Duration) error {
	r.writes++
	if r.writes%25 == 0 {
		r.maxRSS = max(r.maxRSS, processRSS(r.t, r.pid))
	}
	return r.rdb.Set(r.ctx, key, evictValue, ttl).Err()
}

// stats returns DBSIZE and INFO's evicted_keys in one transaction, so
// that no eviction falls between them.
func (r *evictRun) stats() (dbsize, evicted int64) {
	var size *redis.IntCmd
	var info *redis.StringCmd
	_, err := r.rdb.TxPipelined(r.ctx, func(p redis.Pipeliner) error {
		size = p.DBSize(r.ctx)
		info = p.Info(r.ctx, "stats")
		return nil
	})
	require.NoError(r.t, err)
	return size.Val(), infoInt(r.t, info.Val(), "evicted_keys")
}

func infoInt(t *testing.T, info, field string) int64 {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("INFO has no %s", field)
	return 0
}

// checkEvictedEvent requires an "evicted" keyspace event with prefix.
func (r *evictRun) checkEvictedEvent(prefix string) {
	select {
	case m := <-r.events:
		require.True(r.t, strings.HasPrefix(m.Payload, prefix), "evicted event for %q", m.Payload)
	case <-time.After(5 * time.Second):
		r.t.Fatal("no evicted keyspace event")
	}
}

// checkRSS requires the resident memory to have stayed within three
// times the limit above the server's idle start (100 MB were written).
func (r *evictRun) checkRSS() {
	r.maxRSS = max(r.maxRSS, processRSS(r.t, r.pid))
	r.t.Logf("RSS: start %.1f MB, peak %.1f MB over %d writes of 100 kB (maxmemory 20 MB)",
		float64(r.baseRSS)/(1<<20), float64(r.maxRSS)/(1<<20), r.writes)
	require.Less(r.t, r.maxRSS-r.baseRSS, int64(3*evictLimit), "RSS grew by more than 3x maxmemory")
}

func exists(t *testing.T, r *evictRun, keys []string) int {
	n := 0
	for _, k := range keys {
		if r.rdb.Exists(r.ctx, k).Val() == 1 {
			n++
		}
	}
	return n
}

func keyList(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// Under every allkeys policy writes never fail, the dataset stays within
// the limit, every evicted key is counted and announced, RSS is bounded.
func TestEvictAllKeysPolicies(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random"} {
		t.Run(policy, func(t *testing.T) {
			r := startEvict(t, policy)
			const writes = 1000
			for i := 0; i < writes; i++ {
				require.NoError(t, r.set("k:"+strconv.Itoa(i), 0), "write %d", i)
			}
			dbsize, evicted := r.stats()
			t.Logf("%s: DBSIZE %d, evicted_keys %d after %d writes", policy, dbsize, evicted, writes)
			require.LessOrEqual(t, dbsize, int64(evictLimit/evictValueSize))
			require.GreaterOrEqual(t, dbsize, int64(20), "eviction emptied far more than needed")
			require.Equal(t, int64(writes)-dbsize, evicted)
			r.checkEvictedEvent("k:")
			r.checkRSS()
		})
	}
}

// noeviction refuses writes once full, with Redis's error, and evicts
// nothing.
func TestEvictNoEviction(t *testing.T) {
	r := startEvict(t, "noeviction")
	var err error
	for i := 0; i < 400 && err == nil; i++ {
		err = r.set("k:"+strconv.Itoa(i), 0)
	}
	require.EqualError(t, err, oomError)
	// Out of memory, MULTI would queue nothing but EXEC: ask one by one.
	dbsize := r.rdb.DBSize(r.ctx).Val()
	require.Zero(t, infoInt(t, r.rdb.Info(r.ctx, "stats").Val(), "evicted_keys"))
	// A collection between the refused write and the transaction may
	// bring the estimate back under the limit (garbage from the requests
	// themselves), so the server is filled again right before it.
	var txErr error
	for attempt, i := 0, 400; attempt < 5; attempt++ {
		for err = nil; err == nil; i++ {
			err = r.set("k:"+strconv.Itoa(i), 0)
		}
		_, txErr = r.rdb.TxPipelined(r.ctx, func(p redis.Pipeliner) error { p.DBSize(r.ctx); return nil })
		if txErr != nil {
			break
		}
	}
	require.EqualError(t, txErr, "EXECABORT Transaction discarded because of previous errors.")
	require.LessOrEqual(t, dbsize, int64(evictLimit/evictValueSize))
	require.NoError(t, r.rdb.Get(r.ctx, "k:0").Err(), "reads still work")
	require.NoError(t, r.rdb.Del(r.ctx, "k:0").Err(), "deletes still work")
	r.checkRSS()
}

// The volatile policies evict only keys with a time to live; once none is
// left, writes are refused. volatile-ttl goes for the nearest expiry.
func TestEvictVolatilePolicies(t *testing.T) {
	for _, policy := range []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			r := startEvict(t, policy)
			persistent := keyList("p:", 40)
			for _, k := range persistent {
				require.NoError(t, r.set(k, 0))
			}
			// TTLs of 1000..1999 s in an order unrelated to writing.
			const volatile = 600
			ttlOf := func(i int) int { return 1000 + i*7919%1000 }
			for i := 0; i < volatile; i++ {
				require.NoError(t, r.set("v:"+strconv.Itoa(i), time.Duration(ttlOf(i))*time.Second), "write %d", i)
			}
			require.Equal(t, len(persistent), exists(t, r, persistent), "a key without TTL was evicted")
			dbsize, evicted := r.stats()
			require.LessOrEqual(t, dbsize, int64(evictLimit/evictValueSize))
			require.Equal(t, int64(len(persistent)+volatile)-dbsize, evicted)
			r.checkEvictedEvent("v:")
			if policy == "volatile-ttl" {
				sum, n := 0, 0
				for i := 0; i < volatile; i++ {
					if r.rdb.Exists(r.ctx, "v:"+strconv.Itoa(i)).Val() == 1 {
						sum += ttlOf(i) - 1000
						n++
					}
				}
				require.NotZero(t, n)
				// Random eviction would leave a mean near 500.
				t.Logf("volatile-ttl: %d survivors, mean TTL offset %d of 0..999", n, sum/n)
				require.Greater(t, sum/n, 750, "survivors should be the farthest expiries")
			}
			// Only keys without TTL now: the volatile set runs dry, then OOM.
			var err error
			for i := 0; i < 400 && err == nil; i++ {
				err = r.set("q:"+strconv.Itoa(i), 0)
			}
			require.EqualError(t, err, oomError)
			require.Equal(t, len(persistent), exists(t, r, persistent))
			require.Contains(t, r.rdb.Info(r.ctx, "keyspace").Val(), ",expires=0,", "keys with a TTL remain")
			r.checkRSS()
		})
	}
}

// fillUntilEvicted writes new keys until at least n keys were evicted.
func (r *evictRun) fillUntilEvicted(n int64) {
	for i := 0; i < 400; i++ {
		require.NoError(r.t, r.set("n:"+strconv.Itoa(i), 0))
		if i%10 == 9 {
			if _, ev := r.stats(); ev >= n {
				return
			}
		}
	}
	r.t.Fatalf("fewer than %d keys evicted", n)
}

// allkeys-lru keeps keys read recently: hot and cold keys are written
// together, the hot ones read two seconds later (the LRU clock counts
// seconds), then new writes force about 40 evictions.
func TestEvictLRUKeepsRecentlyRead(t *testing.T) {
	r := startEvict(t, "allkeys-lru")
	hot, cold := keyList("h:", 20), keyList("c:", 80)
	for _, k := range append(append([]string{}, hot...), cold...) {
		require.NoError(t, r.set(k, 0))
	}
	time.Sleep(2100 * time.Millisecond)
	for _, k := range hot {
		require.NoError(t, r.rdb.Get(r.ctx, k).Err())
	}
	time.Sleep(1100 * time.Millisecond)
	r.fillUntilEvicted(40)
	h, c := exists(t, r, hot), exists(t, r, cold)
	t.Logf("allkeys-lru: %d/20 hot and %d/80 cold keys survive", h, c)
	require.GreaterOrEqual(t, h, 18, "recently read keys were evicted")
	require.LessOrEqual(t, c, 48, "cold keys should go first")
}

// allkeys-lfu keeps keys read often: hot keys read 50 times each, then
// new writes force about 40 evictions among the rest.
func TestEvictLFUKeepsFrequentlyRead(t *testing.T) {
	r := startEvict(t, "allkeys-lfu")
	hot, cold := keyList("h:", 20), keyList("c:", 80)
	for _, k := range append(append([]string{}, hot...), cold...) {
		require.NoError(t, r.set(k, 0))
	}
	_, err := r.rdb.Pipelined(r.ctx, func(p redis.Pipeliner) error {
		for i := 0; i < 50; i++ {
			for _, k := range hot {
				p.Exists(r.ctx, k) // no access: EXISTS does not count
				p.StrLen(r.ctx, k) // an access, without moving 100 kB
			}
		}
		return nil
	})
	require.NoError(t, err)
	freq, err := r.rdb.ObjectFreq(r.ctx, hot[0]).Result()
	require.NoError(t, err)
	require.Greater(t, freq, int64(5), "50 reads should raise the counter above a new key's 5")
	r.fillUntilEvicted(40)
	h := exists(t, r, hot)
	t.Logf("allkeys-lfu: %d/20 hot keys survive (counter of h:0 was %d)", h, freq)
	require.GreaterOrEqual(t, h, 18, "frequently read keys were evicted")
}

// INFO reports the limit, the policy, used_memory held near the limit and
// evicted_keys, which CONFIG RESETSTAT clears.
func TestEvictEvictedKeysInInfo(t *testing.T) {
	r := startEvict(t, "allkeys-random")
	info := r.rdb.Info(r.ctx, "memory").Val()
	require.Equal(t, int64(evictLimit), infoInt(t, info, "maxmemory"))
	require.Contains(t, info, "maxmemory_human:20.00M\r\n")
	require.Contains(t, info, "maxmemory_policy:allkeys-random\r\n")
	require.Contains(t, info, "mem_not_counted_for_evict:0\r\n")
	for i := 0; i < 400; i++ {
		require.NoError(t, r.set(fmt.Sprintf("k:%d", i), 0))
	}
	used := infoInt(t, r.rdb.Info(r.ctx, "memory").Val(), "used_memory")
	require.LessOrEqual(t, used, int64(evictLimit)+2*evictValueSize, "used_memory should be held near maxmemory")
	stats := r.rdb.Info(r.ctx, "stats").Val()
	require.Positive(t, infoInt(t, stats, "evicted_keys"))
	require.GreaterOrEqual(t, infoInt(t, stats, "total_eviction_exceeded_time"), int64(0))
	require.NoError(t, r.rdb.ConfigResetStat(r.ctx).Err())
	require.Zero(t, infoInt(t, r.rdb.Info(r.ctx, "stats").Val(), "evicted_keys"))
}
