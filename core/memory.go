package core

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Memory accounting for maxmemory and INFO used_memory. The reasons for
// its shape are in RATIONALE-memory.md; in short:
//
//	used = live heap marked by the last GC
//	     + bytes written by commands that may grow memory since then
//	     - estimated bytes of the keys evicted since then
//
// The first term comes from the Go runtime, sampled at most every
// memSampleEvery; the others are ours and move at once with every write
// and every eviction, so that "evict until used <= maxmemory" ends after
// freeing about what was asked instead of evicting everything while the
// heap waits for the collector. Each GC replaces both estimates by the
// truth, and eviction starts a GC when the heap has grown enough.

// memSampleEvery bounds how stale the runtime's figures may be.
const memSampleEvery = time.Millisecond

// writeOverhead is what a write is counted beyond its arguments' bytes
// (a key's table node and headers).
const writeOverhead = 64

type memAccount struct {
	at     time.Time // last sample (zero: none yet)
	buf    []metrics.Sample
	cycles uint64 // completed GC cycles at the last sample
	live   uint64 // live heap after the GC last observed
	base   uint64 // cumulative heap allocations when it was observed
	allocs uint64 // cumulative heap allocations at the last sample
	// written is the argument bytes of the denyoom commands run since
	// the GC was observed: an upper estimate of what the dataset gained.
	written uint64
	// freed is the estimated size of the keys evicted since the GC was
	// observed: still in the heap, no longer in the dataset.
	freed uint64
	// goLimit is the Go memory limit applyMemoryLimit set (0: none yet).
	goLimit int64
	// collecting is set while a GC started by eviction runs.
	collecting atomic.Bool
}

const (
	metricLive = iota
	metricAllocs
	metricCycles
	metricObjects
)

func (m *memAccount) sample(now time.Time, limit uint64) {
	if m.buf == nil {
		m.buf = []metrics.Sample{
			metricLive:    {Name: "/gc/heap/live:bytes"},
			metricAllocs:  {Name: "/gc/heap/allocs:bytes"},
			metricCycles:  {Name: "/gc/cycles/total:gc-cycles"},
			metricObjects: {Name: "/memory/classes/heap/objects:bytes"},
		}
	}
	metrics.Read(m.buf)
	u := func(i int) uint64 {
		if m.buf[i].Value.Kind() == metrics.KindUint64 {
			return m.buf[i].Value.Uint64()
		}
		return 0
	}
	m.allocs = u(metricAllocs)
	if cycles := u(metricCycles); cycles != m.cycles || m.at.IsZero() {
		predicted := m.used()
		live := u(metricLive)
		if cycles == 0 {
			// No collection yet: everything allocated may be live.
			live = u(metricObjects)
		}
		// A collection marks live everything allocated while it runs:
		// under a write storm that garbage can be a good part of the
		// limit, and evicting for it would empty the dataset. So while
		// a limit is set the live figure may fall at once but rises
		// above the estimate by at most a sixteenth of the limit per
		// collection: lasting growth outside the dataset (scripts,
		// clients) is still recognised within a few collections.
		if slack := max(limit/16, 1<<20); limit > 0 && !m.at.IsZero() && live > predicted+slack {
			live = predicted + slack
		}
		m.cycles, m.live = cycles, live
		m.base = m.allocs
		m.written, m.freed = 0, 0
	}
	m.at = now
}

func (m *memAccount) used() uint64 {
	u := m.live + m.written
	if m.freed >= u {
		return 0
	}
	return u - m.freed
}

// UsedMemory returns the memory polyfn counts against maxmemory and
// reports as used_memory (see memAccount). Call it with the lock held.
func (s *Server) UsedMemory(now time.Time) uint64 {
	m := &s.mem
	if m.at.IsZero() || now.Sub(m.at) >= memSampleEvery || now.Before(m.at) {
		m.sample(now, uint64(s.Config.hot.maxmemory.Load()))
	}
	return m.used()
}

// maybeCollect starts a garbage collection in the background when the
// server is over its limit and the heap has allocated a quarter of it
// since the last one: the evicted keys' garbage is then bounded, and the
// live figure refreshed. One at a time; the server keeps serving.
func (m *memAccount) maybeCollect(limit uint64) {
	if m.allocs-m.base < max(limit/4, 4<<20) || !m.collecting.CompareAndSwap(false, true) {
		return
	}
	go func() {
		runtime.GC()
		m.collecting.Store(false)
	}()
}

// collectNow runs a garbage collection and resamples, when the estimate
// may be wrong: heap was allocated or keys evicted since the last one.
// It reports whether it ran. The caller holds the keyspace lock, so this
// stalls the server for one collection: only eviction's last resort, when
// nothing is left to evict, uses it.
func (m *memAccount) collectNow(now time.Time) bool {
	if m.allocs == m.base && m.freed == 0 && m.written == 0 {
		return false
	}
	runtime.GC()
	m.at = time.Time{} // a quiet collection: its live figure is the truth
	m.sample(now, 0)
	return true
}

// applyMemoryLimit gives the Go runtime a soft memory limit of twice
// maxmemory plus 32 MiB, so that the collector runs more often as the
// heap nears it and resident memory stays in proportion to maxmemory even
// when requests make garbage fast. Without maxmemory, or when GOMEMLIMIT
// is set, the runtime keeps its own setting.
func (s *Server) applyMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit := int64(math.MaxInt64)
	if mm := s.Config.hot.maxmemory.Load(); mm > 0 && mm < math.MaxInt64/4 {
		limit = 2*mm + 32<<20
	}
	if s.mem.goLimit != limit {
		debug.SetMemoryLimit(limit)
		s.mem.goLimit = limit
	}
}

// outOfMemory applies Redis's maxmemory rule to a command about to run:
// it evicts what the policy allows (evict.go) and, if memory is still
// over the limit with nothing left to evict, refuses commands that may
// grow memory (denyoom), and anything queued in MULTI other than EXEC,
// DISCARD, QUIT and RESET. It also records, for a script about to start,
// whether it starts out of memory, and counts an admitted write's bytes.
func (s *Server) outOfMemory(c *Client, flags Flag, cmd *Command, args [][]byte, now time.Time) bool {
	oom := s.performEvictions(now) == evictFail
	s.scripts.startOOM = oom
	reject := flags&FlagDenyOOM != 0
	if c.Multi != nil {
		switch cmd.Name {
		case "exec", "discard", "quit", "reset":
		default:
			reject = true
		}
	}
	if oom && reject {
		return true
	}
	if flags&FlagDenyOOM != 0 {
		n := uint64(writeOverhead)
		for _, a := range args[1:] {
			n += uint64(len(a))
		}
		s.mem.written += n
	}
	return false
}

// goSizeClasses are the Go allocator's size classes up to 32 KiB.
var goSizeClasses = []int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// goAllocSize is the heap a Go allocation of n bytes takes.
func goAllocSize(n int) uint64 {
	if n <= 0 {
		return 0
	}
	if n > 32768 {
		return uint64(n+8191) &^ 8191 // whole pages
	}
	return uint64(goSizeClasses[sort.SearchInts(goSizeClasses, n)])
}

// entryHeapSize estimates the heap a key takes in polyfn: its table node
// and name, its value, and its expires node and second name when it has
// a time to live. Aggregates use their MEMORY USAGE estimate.
func entryHeapSize(key string, e *keyspace.Entry, ttl bool) uint64 {
	const node, expiresNode, boxedSlice = 48, 32, 24
	size := node + goAllocSize(len(key))
	if ttl {
		size += expiresNode + goAllocSize(len(key))
	}
	if e == nil {
		return size
	}
	switch v := e.Value.(type) {
	case []byte:
		size += boxedSlice + goAllocSize(cap(v))
	case MemorySizer:
		size += uint64(v.MemoryUsage(5))
	default:
		size += 64
	}
	return size
}
