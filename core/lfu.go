package core

import (
	"math/rand/v2"

	"github.com/polyfn/polyfn/core/keyspace"
)

// A key's access data lives in keyspace.Entry.LRU, read as Redis reads its
// 24-bit lru field, according to maxmemory-policy:
//
//   - LRU (every policy but *-lfu): the access clock in seconds
//     (lruClock), which OBJECT IDLETIME and LRU eviction compare with now.
//   - LFU (allkeys-lfu, volatile-lfu): the time of the counter's last
//     decrement in minutes modulo 2^16 in bits 8..23, and a logarithmic
//     access counter in bits 0..7. A new key starts at 5; each access
//     increments it with probability 1/((counter-5)*lfu-log-factor+1);
//     it loses one for every lfu-decay-time minutes without access.
//
// Switching policy at run time reinterprets the field, as Redis does: the
// data take some time to adjust.

// lfuInitVal is the counter a new key starts with.
const lfuInitVal = 5

// lfuMinutes is the LFU clock: minutes modulo 2^16.
func lfuMinutes(nowMs int64) uint32 { return uint32(nowMs/60000) & 0xffff }

// lfuNew is the access data of a key created now under an LFU policy.
func lfuNew(nowMs int64) uint32 { return lfuMinutes(nowMs)<<8 | lfuInitVal }

// lfuCounter returns the key's counter decayed to now, without storing
// it (OBJECT FREQ, eviction).
func (s *Server) lfuCounter(lru uint32, nowMs int64) uint32 {
	counter := lru & 0xff
	decay := s.evict.decayTime.Load()
	if decay <= 0 {
		return counter
	}
	last, now := (lru>>8)&0xffff, lfuMinutes(nowMs)
	elapsed := now - last
	if now < last {
		elapsed = 0xffff - last + now // the 16-bit clock wrapped
	}
	periods := int64(elapsed) / decay
	if periods >= int64(counter) {
		return 0
	}
	return counter - uint32(periods)
}

// lfuTouch records one access: decay, then a logarithmic increment.
func (s *Server) lfuTouch(e *keyspace.Entry, nowMs int64) {
	counter := s.lfuCounter(e.LRU, nowMs)
	if counter < 255 {
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		if rand.Float64() < 1/(base*float64(s.evict.logFactor.Load())+1) {
			counter++
		}
	}
	e.LRU = lfuMinutes(nowMs)<<8 | counter
}

// touch records an access to e by a command (Redis's lookupKey): the
// access clock, or the frequency counter under an LFU policy.
func (s *Server) touch(e *keyspace.Entry, nowMs int64) {
	if s.Config.policy.Load()&policyLFU != 0 {
		s.lfuTouch(e, nowMs)
		return
	}
	e.LRU = lruClock(nowMs)
}

// stored sets the access data of an entry a command has just stored with
// keyspace.DB.Set or SetString. A new key starts its clock or counter.
// Under LFU an overwritten key keeps its counter, as Redis's dbOverwrite,
// touched once for the lookup of Redis's setKey unless looked (the
// command looked the key up already).
func (s *Server) stored(e *keyspace.Entry, nowMs int64, looked bool) {
	if s.Config.policy.Load()&policyLFU == 0 {
		e.LRU = lruClock(nowMs)
		return
	}
	switch {
	case e.LRU == 0: // created: keyspace.DB.Set zeroes a new entry
		e.LRU = lfuNew(nowMs)
	case !looked:
		s.lfuTouch(e, nowMs)
	}
}

// created sets the access data of a key that did not exist.
func (s *Server) created(e *keyspace.Entry, nowMs int64) {
	if s.Config.policy.Load()&policyLFU != 0 {
		e.LRU = lfuNew(nowMs)
		return
	}
	e.LRU = lruClock(nowMs)
}

// idleScore ranks e for LRU or LFU eviction: higher is evicted first.
func (s *Server) idleScore(e *keyspace.Entry, lfu bool, nowMs int64) uint64 {
	if lfu {
		return 255 - uint64(s.lfuCounter(e.LRU, nowMs))
	}
	return uint64(lruClock(nowMs) - e.LRU) // wraps as the clock does
}
