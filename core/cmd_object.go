package core

import (
	"math/bits"
	"runtime"

	"github.com/polyfn/polyfn/core/keyspace"
)

// OBJECT and MEMORY: introspection of single keys.

func registerObjectCommands(t *Table) {
	t.Add("object", nil)
	t.Add("object|encoding", cmdObjectEncoding)
	t.Add("object|refcount", cmdObjectRefcount)
	t.Add("object|idletime", cmdObjectIdletime)
	t.Add("object|freq", cmdObjectFreq)
	t.Add("object|help", func(ctx *Ctx) { writeHelpLines(ctx, "OBJECT", objectHelp) })
	t.Add("memory", nil)
	t.Add("memory|usage", cmdMemoryUsage)
	t.Add("memory|doctor", cmdMemoryDoctor)
	t.Add("memory|stats", cmdMemoryStats)
	t.Add("memory|malloc-stats", func(ctx *Ctx) {
		ctx.W.WriteBulkString("Stats not supported for the current allocator")
	})
	t.Add("memory|purge", func(ctx *Ctx) { runtime.GC(); ctx.OK() })
	t.Add("memory|help", func(ctx *Ctx) { writeHelpLines(ctx, "MEMORY", memoryHelp) })
}

var objectHelp = []string{
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
}

var memoryHelp = []string{
	"DOCTOR",
	"    Return memory problems reports.",
	"MALLOC-STATS",
	"    Return internal statistics report from the memory allocator.",
	"PURGE",
	"    Attempt to purge dirty pages for reclamation by the allocator.",
	"STATS",
	"    Return information about the memory usage of the server.",
	"USAGE <key> [SAMPLES <count>]",
	"    Return memory in bytes used by <key> and its value. Nested values are",
	"    sampled up to <count> times (default: 5, 0 means sample all).",
}

// writeHelpLines writes a HELP reply in Redis's layout: a title line, the
// command's lines, then HELP itself, each as a status.
func writeHelpLines(ctx *Ctx, cmd string, lines []string) {
	ctx.W.WriteArray(len(lines) + 3)
	ctx.W.WriteStatus(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		ctx.W.WriteStatus(l)
	}
	ctx.W.WriteStatus("HELP")
	ctx.W.WriteStatus("    Prints this help.")
}

// objectLookup finds OBJECT's key without touching its access time; a
// missing key replies null.
func (ctx *Ctx) objectLookup() *keyspace.Entry {
	e := ctx.peek(ctx.Args[2])
	if e == nil {
		ctx.W.WriteNull()
	}
	return e
}

// Shared integers: Redis keeps one object for each of 0..9999 and reports
// a huge refcount for it.
const (
	sharedIntegers = 10000
	sharedRefcount = 1<<31 - 1
)

func cmdObjectEncoding(ctx *Ctx) {
	e := ctx.objectLookup()
	if e == nil {
		return
	}
	switch v := e.Value.(type) {
	case []byte:
		ctx.W.WriteBulkString(StringEncoding(e))
	case keyspace.Typed:
		ctx.W.WriteBulkString(v.Encoding())
	}
}

// sharedIntegersAllowed mirrors Redis: with a maxmemory limit and an LRU
// or LFU policy, each value needs its own access data and integers are
// not shared.
func (s *Server) sharedIntegersAllowed() bool {
	if s.Config.Int("maxmemory") == 0 {
		return true
	}
	return s.Config.policy.Load()&(policyLRU|policyLFU) == 0
}

// cmdObjectRefcount reports Redis's reference count: strings holding an
// integer in [0, 10000) are Redis's shared integer objects, whose count is
// INT_MAX; every other value has one reference.
func cmdObjectRefcount(ctx *Ctx) {
	e := ctx.objectLookup()
	if e == nil {
		return
	}
	if v, ok := e.Value.([]byte); ok && StringEncoding(e) == "int" && ctx.S.sharedIntegersAllowed() {
		if n, _ := ParseInt(v); n >= 0 && n < sharedIntegers {
			ctx.W.WriteInt(sharedRefcount)
			return
		}
	}
	ctx.W.WriteInt(1)
}

func (s *Server) lfuPolicy() bool { return s.Config.policy.Load()&policyLFU != 0 }

func cmdObjectIdletime(ctx *Ctx) {
	e := ctx.objectLookup()
	if e == nil {
		return
	}
	if ctx.S.lfuPolicy() {
		ctx.Error(ErrIdleTimeLFU)
		return
	}
	ctx.W.WriteInt(int64(lruClock(ctx.Now) - e.LRU))
}

// cmdObjectFreq reports the key's LFU counter decayed to now (lfu.go),
// without counting an access.
func cmdObjectFreq(ctx *Ctx) {
	e := ctx.objectLookup()
	if e == nil {
		return
	}
	if !ctx.S.lfuPolicy() {
		ctx.Error(ErrFreqNotLFU)
		return
	}
	ctx.W.WriteInt(int64(ctx.S.lfuCounter(e.LRU, ctx.Now)))
}

// MEMORY USAGE accounts sizes as Redis does with jemalloc, so that string
// keys report the same numbers: the key's sds string, the dict entry and
// the value object.
const (
	robjSize      = 16
	dictEntrySize = 24
)

// jemallocSize rounds an allocation up to jemalloc's size class: 8, then
// multiples of 16 up to 128, then four classes per power of two.
func jemallocSize(n int) int {
	if n <= 8 {
		return 8
	}
	if n <= 128 {
		return (n + 15) &^ 15
	}
	k := bits.Len(uint(n-1)) - 1 // 2^k < n <= 2^(k+1)
	step := 1 << (k - 2)
	return (n + step - 1) &^ (step - 1)
}

// sdsHeader is the header size of an sds string of length n; small
// selects the 1-byte header Redis uses for short keys.
func sdsHeader(n int, small bool) int {
	switch {
	case n < 32 && small && n > 0:
		return 1
	case n < 1<<8:
		return 3
	case n < 1<<16:
		return 5
	case n < 1<<32:
		return 9
	}
	return 17
}

// MemorySizer may be implemented by value types to report their size for
// MEMORY USAGE, sampling at most samples elements of nested values (0:
// all of them).
type MemorySizer interface {
	MemoryUsage(samples int64) int64
}

func valueMemory(e *keyspace.Entry, samples int64) int64 {
	switch v := e.Value.(type) {
	case []byte:
		switch StringEncoding(e) {
		case "int":
			return robjSize
		case "embstr":
			return int64(jemallocSize(robjSize + 3 + len(v) + 1))
		}
		size := len(v)
		if e.Raw {
			size = cap(v) // grown in place: count the spare room too
		}
		return robjSize + int64(jemallocSize(sdsHeader(size, false)+size+1))
	case MemorySizer:
		return robjSize + v.MemoryUsage(samples)
	}
	return robjSize + 64
}

// cmdMemoryUsage is MEMORY USAGE key [SAMPLES count]. Like Redis it looks
// at the raw table: an expired key not yet removed still has a size.
func cmdMemoryUsage(ctx *Ctx) {
	samples := int64(5)
	for i := 3; i < len(ctx.Args); i++ {
		if ctx.ArgIs(i, "samples") && i+1 < len(ctx.Args) {
			n, ok := ctx.Int(i + 1)
			if !ok {
				return
			}
			if n < 0 {
				ctx.SyntaxError()
				return
			}
			samples = n
			i++
			continue
		}
		ctx.SyntaxError()
		return
	}
	key := ctx.Args[2]
	e := ctx.DB.Get(keyspace.Str(key), minTime)
	if e == nil {
		ctx.W.WriteNull()
		return
	}
	size := valueMemory(e, samples)
	size += int64(jemallocSize(sdsHeader(len(key), true) + len(key) + 1))
	size += dictEntrySize
	ctx.W.WriteInt(size)
}

func cmdMemoryDoctor(ctx *Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	var report string
	if ms.HeapAlloc < 5<<20 {
		report = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
	} else {
		report = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"
	}
	ctx.W.WriteVerbatim("txt", report)
}

// cmdMemoryStats answers MEMORY STATS with Redis's fields, filled from the
// Go runtime's statistics where a counterpart exists.
func cmdMemoryStats(ctx *Ctx) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := ctx.S
	var dbs []*keyspace.DB
	keys := int64(0)
	for _, db := range s.DBs {
		if db.Len() > 0 {
			dbs = append(dbs, db)
			keys += int64(db.Len())
		}
	}
	total := int64(ms.HeapAlloc)
	overhead := int64(0)
	for _, db := range dbs {
		overhead += int64(db.Len()+db.ExpiresLen()) * dictEntrySize
	}
	dataset := total - overhead
	if dataset < 0 {
		dataset = 0
	}
	w := ctx.W
	w.WriteMap(27 + len(dbs))
	pair := func(name string, v int64) {
		w.WriteBulkString(name)
		w.WriteInt(v)
	}
	ratio := func(name string, a, b int64) {
		w.WriteBulkString(name)
		if b == 0 {
			w.WriteDouble(0)
			return
		}
		w.WriteDouble(float64(a) / float64(b))
	}
	pair("peak.allocated", int64(ms.HeapSys-ms.HeapReleased))
	pair("total.allocated", total)
	pair("startup.allocated", 0)
	pair("replication.backlog", 0)
	pair("clients.slaves", 0)
	pair("clients.normal", 0)
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", 0)
	pair("functions.caches", 0)
	for _, db := range dbs {
		w.WriteBulkString("db." + itoa(int64(db.ID)))
		w.WriteMap(3)
		pair("overhead.hashtable.main", int64(db.Len())*dictEntrySize)
		pair("overhead.hashtable.expires", int64(db.ExpiresLen())*dictEntrySize)
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", overhead)
	pair("keys.count", keys)
	perKey := int64(0)
	if keys > 0 {
		perKey = total / keys
	}
	pair("keys.bytes-per-key", perKey)
	pair("dataset.bytes", dataset)
	w.WriteBulkString("dataset.percentage")
	if total > 0 {
		w.WriteDouble(float64(dataset) * 100 / float64(total))
	} else {
		w.WriteDouble(0)
	}
	w.WriteBulkString("peak.percentage")
	w.WriteDouble(100)
	pair("allocator.allocated", int64(ms.HeapAlloc))
	pair("allocator.active", int64(ms.HeapInuse))
	pair("allocator.resident", int64(ms.HeapSys-ms.HeapReleased))
	ratio("allocator-fragmentation.ratio", int64(ms.HeapInuse), int64(ms.HeapAlloc))
	pair("allocator-fragmentation.bytes", int64(ms.HeapInuse)-int64(ms.HeapAlloc))
	ratio("allocator-rss.ratio", int64(ms.HeapSys-ms.HeapReleased), int64(ms.HeapInuse))
	pair("allocator-rss.bytes", int64(ms.HeapSys-ms.HeapReleased)-int64(ms.HeapInuse))
	ratio("rss-overhead.ratio", int64(ms.Sys), int64(ms.HeapSys-ms.HeapReleased))
	pair("rss-overhead.bytes", int64(ms.Sys)-int64(ms.HeapSys-ms.HeapReleased))
	ratio("fragmentation", int64(ms.Sys), int64(ms.HeapAlloc))
	pair("fragmentation.bytes", int64(ms.Sys)-int64(ms.HeapAlloc))
}
