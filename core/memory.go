package core

import (
	"runtime/metrics"
	"time"
)

// usedMemorySample caches the heap size used for maxmemory decisions.
// Reading it is cheap but not free, so it is refreshed at most every few
// milliseconds; the keyspace lock guards it.
type usedMemorySample struct {
	at    time.Time
	bytes uint64
	buf   []metrics.Sample
}

// UsedMemory returns the memory polyfn counts against maxmemory: the Go
// heap's live and not yet collected objects, as used_memory reports a
// process's allocations. Call it with the lock held.
func (s *Server) UsedMemory(now time.Time) uint64 {
	m := &s.memSample
	if now.Sub(m.at) < 5*time.Millisecond && !m.at.IsZero() {
		return m.bytes
	}
	if m.buf == nil {
		m.buf = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	metrics.Read(m.buf)
	if m.buf[0].Value.Kind() == metrics.KindUint64 {
		m.bytes = m.buf[0].Value.Uint64()
	}
	m.at = now
	return m.bytes
}

// outOfMemory applies Redis's maxmemory rule to a command about to run:
// over the limit, commands that may grow memory (denyoom) are refused, and
// so is anything queued in MULTI other than EXEC, DISCARD, QUIT and RESET.
// Eviction policies other than noeviction come with eviction itself; until
// then every policy behaves as noeviction.
func (s *Server) outOfMemory(c *Client, flags Flag, cmd *Command, now time.Time) bool {
	limit := s.Config.hot.maxmemory.Load()
	if limit <= 0 {
		return false
	}
	reject := flags&FlagDenyOOM != 0
	if c.Multi != nil {
		switch cmd.Name {
		case "exec", "discard", "quit", "reset":
		default:
			reject = true
		}
	}
	return reject && s.UsedMemory(now) > uint64(limit)
}
