package core

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Eviction: with maxmemory set, before each command (Exec) the server
// frees memory until used memory (memory.go) is back under the limit, by
// deleting keys chosen by maxmemory-policy, as Redis 7.0 does:
//
//   - the *-lru, *-lfu and volatile-ttl policies sample maxmemory-samples
//     keys of every database (all keys, or only those with a time to live)
//     into a pool of the 16 best candidates kept across calls, and evict
//     the best: the longest idle, the least frequently used, the nearest
//     expiry;
//   - the *-random policies take a random key, visiting the databases in
//     turn;
//   - noeviction, and a policy that finds nothing to evict, leave the
//     command to the OOM rule: commands that may grow memory are refused.
//
// Each evicted key counts in evicted_keys, sends the "evicted" keyspace
// event, invalidates WATCH and client-side caches, and reaches the
// effects stream as DEL (UNLINK with lazyfree-lazy-eviction).
// maxmemory-eviction-tenacity bounds the time one command spends
// evicting; past it the command runs and a background loop continues.

// evictPolicy is maxmemory-policy as flags, like Redis's.
type evictPolicy int32

const (
	policyLRU     = 1 << 0
	policyLFU     = 1 << 1
	policyAllKeys = 1 << 2

	policyVolatileLRU    evictPolicy = 0<<8 | policyLRU
	policyVolatileLFU    evictPolicy = 1<<8 | policyLFU
	policyVolatileTTL    evictPolicy = 2 << 8
	policyVolatileRandom evictPolicy = 3 << 8
	policyAllKeysLRU     evictPolicy = 4<<8 | policyLRU | policyAllKeys
	policyAllKeysLFU     evictPolicy = 5<<8 | policyLFU | policyAllKeys
	policyAllKeysRandom  evictPolicy = 6<<8 | policyAllKeys
	policyNoEviction     evictPolicy = 7 << 8
)

func parsePolicy(s string) evictPolicy {
	switch s {
	case "volatile-lru":
		return policyVolatileLRU
	case "volatile-lfu":
		return policyVolatileLFU
	case "volatile-ttl":
		return policyVolatileTTL
	case "volatile-random":
		return policyVolatileRandom
	case "allkeys-lru":
		return policyAllKeysLRU
	case "allkeys-lfu":
		return policyAllKeysLFU
	case "allkeys-random":
		return policyAllKeysRandom
	}
	return policyNoEviction
}

// evictPoolSize is the number of candidates kept between calls.
const evictPoolSize = 16

type evictCandidate struct {
	score uint64 // higher is evicted first
	key   string
	db    int
}

// evictState is the eviction's state; the keyspace lock guards it but for
// the atomics.
type evictState struct {
	pool   []evictCandidate // ascending score, at most evictPoolSize
	nextDB int              // the random policies' round robin

	// The parameters read while evicting and on every LFU access.
	samples, tenacity, logFactor, decayTime, lazy *atomic.Int64

	background  bool          // the background loop is running
	exceededAt  time.Time     // when used memory went over the limit (zero: it is not)
	exceededSum time.Duration // total_eviction_exceeded_time, closed periods
}

func (s *Server) initEviction() {
	c := s.Config
	s.evict.samples = c.ints["maxmemory-samples"]
	s.evict.tenacity = c.ints["maxmemory-eviction-tenacity"]
	s.evict.logFactor = c.ints["lfu-log-factor"]
	s.evict.decayTime = c.ints["lfu-decay-time"]
	if c.hot.maxmemory.Load() > 0 {
		s.applyMemoryLimit()
	}
}

type evictResult int

const (
	evictOK      evictResult = iota // under the limit
	evictRunning                    // over it, the background loop continues
	evictFail                       // over it and nothing could be evicted
)

// evictionTimeLimit is how long one call may evict, from
// maxmemory-eviction-tenacity (Redis's curve: 50 us per unit up to 10,
// then +15% per unit; 100 is unlimited).
func evictionTimeLimit(tenacity int64) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*tenacity) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return time.Duration(math.MaxInt64)
}

// performEvictions evicts keys until used memory is within maxmemory (or
// the time limit passes). The keyspace lock is held.
func (s *Server) performEvictions(now time.Time) evictResult {
	limit := uint64(s.Config.hot.maxmemory.Load())
	if limit == 0 {
		s.evictExceeded(now, false)
		return evictOK
	}
	used := s.UsedMemory(now)
	if used <= limit {
		s.evictExceeded(now, false)
		return evictOK
	}
	res := s.evictKeys(used-limit, now)
	if res == evictFail && s.mem.collectNow(now) {
		// The estimate counts writes as growth and a collection's live
		// figure may hold garbage made while it ran: before refusing
		// writes, ask the collector.
		if used = s.UsedMemory(now); used <= limit {
			res = evictOK
		} else {
			res = s.evictKeys(used-limit, now)
		}
	}
	s.evictExceeded(now, true)
	s.mem.maybeCollect(limit)
	return res
}

func (s *Server) evictKeys(tofree uint64, now time.Time) evictResult {
	policy := evictPolicy(s.Config.policy.Load())
	if policy == policyNoEviction {
		return evictFail
	}
	limit := evictionTimeLimit(s.evict.tenacity.Load())
	nowMs := now.UnixMilli()
	freed := uint64(0)
	for n := 1; freed < tofree; n++ {
		var db *keyspace.DB
		var key string
		if policy&(policyLRU|policyLFU) != 0 || policy == policyVolatileTTL {
			db, key = s.evictFromPool(policy, nowMs)
		} else {
			db, key = s.evictRandom(policy)
		}
		if db == nil {
			return evictFail
		}
		freed += s.evictKey(db, key)
		if n%16 == 0 && time.Since(now) > limit {
			s.startBackgroundEviction()
			return evictRunning
		}
	}
	return evictOK
}

// evictFromPool refills the candidate pool from every database and pops
// the best candidate that still exists.
func (s *Server) evictFromPool(policy evictPolicy, nowMs int64) (*keyspace.DB, string) {
	st := &s.evict
	samples := int(max(1, min(s.evict.samples.Load(), 64)))
	allKeys := policy&policyAllKeys != 0
	lfu := policy&policyLFU != 0
	for {
		total := 0
		for _, db := range s.DBs {
			if allKeys {
				if db.Len() == 0 {
					continue
				}
				total += db.Len()
				db.SampleKeys(samples, func(k string, e *keyspace.Entry) {
					st.offer(s.idleScore(e, lfu, nowMs), k, db.ID)
				})
				continue
			}
			if db.ExpiresLen() == 0 {
				continue
			}
			total += db.ExpiresLen()
			db.SampleVolatile(samples, func(k string, e *keyspace.Entry, at int64) {
				score := math.MaxUint64 - uint64(at) // nearest expiry first
				if policy != policyVolatileTTL {
					score = s.idleScore(e, lfu, nowMs)
				}
				st.offer(score, k, db.ID)
			})
		}
		if total == 0 {
			return nil, ""
		}
		for len(st.pool) > 0 {
			c := st.pool[len(st.pool)-1]
			st.pool = st.pool[:len(st.pool)-1]
			db := s.DBs[c.db]
			if e := db.Get(c.key, math.MinInt64); e != nil {
				if allKeys {
					return db, c.key
				}
				if _, ok := db.Expire(c.key); ok {
					return db, c.key
				}
			}
			// A ghost: deleted (or made persistent) since it was sampled.
		}
	}
}

// offer inserts a sampled key into the pool when it beats the worst
// candidate or the pool has room.
func (st *evictState) offer(score uint64, key string, db int) {
	p := st.pool
	k := 0
	for k < len(p) && p[k].score < score {
		k++
	}
	for i := range p {
		if p[i].db == db && p[i].key == key {
			return // sampled twice
		}
	}
	if len(p) == evictPoolSize {
		if k == 0 {
			return // worse than every candidate
		}
		copy(p[:k-1], p[1:k]) // drop the worst
		p[k-1] = evictCandidate{score, key, db}
		return
	}
	p = append(p, evictCandidate{})
	copy(p[k+1:], p[k:])
	p[k] = evictCandidate{score, key, db}
	st.pool = p
}

// evictRandom picks a random key of the next non-empty database.
func (s *Server) evictRandom(policy evictPolicy) (*keyspace.DB, string) {
	volatile := policy&policyAllKeys == 0
	for range s.DBs {
		s.evict.nextDB = (s.evict.nextDB + 1) % len(s.DBs)
		db := s.DBs[s.evict.nextDB]
		if k, ok := db.RandomKey(volatile); ok {
			return db, k
		}
	}
	return nil, ""
}

// evictKey deletes one key as eviction does and returns the bytes its
// deletion is estimated to free.
func (s *Server) evictKey(db *keyspace.DB, key string) uint64 {
	e := db.Get(key, math.MinInt64)
	_, ttl := db.Expire(key)
	size := entryHeapSize(key, e, ttl)
	k := []byte(key) // key aliases the table's copy, which goes now
	db.Delete(key)
	s.mem.freed += size
	s.Stats.EvictedKeys++
	s.touchWatched(db, k)
	if s.tracking.clients > 0 {
		s.trackingInvalidate(nil, k)
	}
	s.notifyKeyspaceEvent(NotifyEvicted, "evicted", k, db.ID)
	if s.effects.sink != nil {
		verb := "DEL"
		if v, _ := s.Config.Get("lazyfree-lazy-eviction"); v == "yes" {
			verb = "UNLINK"
		}
		s.effects.sink([]Effect{{DB: db.ID, Args: [][]byte{[]byte(verb), k}}})
	}
	return size
}

// startBackgroundEviction continues evicting outside commands, a slice at
// a time, until memory is within the limit or nothing can be evicted
// (Redis's eviction time proc). The keyspace lock is held.
func (s *Server) startBackgroundEviction() {
	if s.evict.background {
		return
	}
	s.evict.background = true
	go func() {
		for {
			time.Sleep(time.Millisecond)
			s.mu.Lock()
			res := evictRunning
			if s.scripts.running == nil { // a busy script owns the keyspace
				res = s.performEvictions(time.Now())
				if s.tracking.clients > 0 {
					s.trackingAfterCommand()
				}
			}
			stop := res != evictRunning
			select {
			case <-s.shutdown:
				stop = true
			default:
			}
			if stop {
				s.evict.background = false
			}
			s.mu.Unlock()
			if stop {
				return
			}
		}
	}()
}

// evictExceeded keeps the total time spent over the limit
// (total_eviction_exceeded_time).
func (s *Server) evictExceeded(now time.Time, over bool) {
	st := &s.evict
	switch {
	case over && st.exceededAt.IsZero():
		st.exceededAt = now
	case !over && !st.exceededAt.IsZero():
		st.exceededSum += now.Sub(st.exceededAt)
		st.exceededAt = time.Time{}
	}
}

// evictionExceededTimes returns total_eviction_exceeded_time and
// current_eviction_exceeded_time in milliseconds.
func (s *Server) evictionExceededTimes(now time.Time) (total, current int64) {
	st := &s.evict
	cur := time.Duration(0)
	if !st.exceededAt.IsZero() {
		cur = now.Sub(st.exceededAt)
	}
	return (st.exceededSum + cur).Milliseconds(), cur.Milliseconds()
}
