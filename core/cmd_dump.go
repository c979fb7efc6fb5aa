package core

import (
	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
	"github.com/polyfn/polyfn/core/rdbvalue"
)

// DUMP and RESTORE: key values serialised in Redis 7.0's RDB object format
// (package rdbvalue), sealed by the RDB version and a CRC-64.

func registerDumpCommands(t *Table) {
	t.Add("dump", cmdDump)
	t.Add("restore", cmdRestore)
	t.Add("restore-asking", cmdRestore)
}

// dumpOptions are the settings that shape DUMP's bytes.
func (s *Server) dumpOptions() rdbvalue.Options {
	compress, _ := s.Config.Get("rdbcompression")
	return rdbvalue.Options{
		Compress:          compress == "yes",
		ListFill:          int(s.Config.Int("list-max-listpack-size")),
		ListCompressDepth: int(s.Config.Int("list-compress-depth")),
	}
}

// loadLimits are the encoding thresholds RESTORE applies.
func (s *Server) loadLimits() rdbvalue.Limits {
	he, hv := s.Config.HashLimits()
	ze, zv := s.Config.ZSetLimits()
	return rdbvalue.Limits{
		HashMaxListpackEntries: he, HashMaxListpackValue: hv,
		SetMaxIntsetEntries:    s.Config.SetMaxIntset(),
		ZSetMaxListpackEntries: ze, ZSetMaxListpackValue: zv,
	}
}

func cmdDump(ctx *Ctx) {
	e := ctx.Read(ctx.Args[1])
	if e == nil {
		ctx.W.WriteNull()
		return
	}
	p, err := rdbvalue.Dump(e.Value, ctx.S.dumpOptions())
	if err != nil {
		ctx.Error(ErrDumpUnknownType)
		return
	}
	ctx.W.WriteBulk(p)
}

// lruClockMax is Redis's LRU_CLOCK_MAX: its access clock is 24 bits of
// seconds.
const lruClockMax = 1<<24 - 1

// restoredIdle returns the idle time, in seconds, that OBJECT IDLETIME
// reports right after RESTORE ... IDLETIME idle, wrapping around Redis's
// 24-bit clock as objectSetLRUOrLFU and estimateObjectIdleTime do.
func restoredIdle(nowMs, idle int64) uint32 {
	clock := nowMs / 1000 & lruClockMax
	idle = idle * 1000 / 1000 // overflows like Redis's lru_idle*1000
	abs := clock - idle
	if abs < 0 {
		abs += lruClockMax
	}
	lru := abs & (1<<24 - 1)
	if clock >= lru {
		return uint32(clock - lru)
	}
	return uint32(clock + lruClockMax - lru)
}

// cmdRestore: RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s]
// [FREQ f], with Redis's order of checks: options, existing key, TTL,
// payload footer, payload contents.
func cmdRestore(ctx *Ctx) {
	replace, absTTL := false, false
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(ctx.Args); j++ {
		more := len(ctx.Args) - j - 1
		switch {
		case ctx.ArgIs(j, "replace"):
			replace = true
		case ctx.ArgIs(j, "absttl"):
			absTTL = true
		case ctx.ArgIs(j, "idletime") && more >= 1 && freq == -1:
			n, ok := ctx.Int(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				ctx.Error(ErrRestoreIdle)
				return
			}
			idle = n
			j++
		case ctx.ArgIs(j, "freq") && more >= 1 && idle == -1:
			n, ok := ctx.Int(j + 1)
			if !ok {
				return
			}
			if n < 0 || n > 255 {
				ctx.Error(ErrRestoreFreq)
				return
			}
			freq = n
			j++
		default:
			ctx.Error(ErrSyntax)
			return
		}
	}
	key := ctx.Args[1]
	if !replace && ctx.Write(key) != nil {
		ctx.Error(ErrBusyKey)
		return
	}
	ttl, ok := ctx.Int(2)
	if !ok {
		return
	}
	if ttl < 0 {
		ctx.Error(ErrRestoreTTL)
		return
	}
	payload := ctx.Args[3]
	if _, err := rdb.VerifyPayload(payload, ctx.S.skipChecksumValidation); err != nil {
		ctx.Error(string(rdb.ErrPayloadVersionOrChecksum))
		return
	}
	v, err := rdbvalue.Load(payload, ctx.S.loadLimits())
	if err != nil {
		ctx.Error(ErrBadDataFormat)
		return
	}
	deleted := replace && ctx.DB.Delete(keyspace.Str(key))
	if ttl != 0 && !absTTL {
		ttl += ctx.Now // wraps on overflow, making the key expired, as in Redis
	}
	if ttl != 0 && ttl <= ctx.Now {
		// Already expired: the key is not created (an old one is gone).
		if deleted {
			ctx.Modified(key)
			ctx.Notify(NotifyGeneric, "del", key)
		}
		ctx.OK()
		return
	}
	e := ctx.DB.Set(keyspace.Str(key), v, false)
	ctx.S.created(e, ctx.Now)
	ctx.Notify(NotifyNew, "new", key)
	switch {
	case ctx.S.lfuPolicy() && freq >= 0:
		e.LRU = lfuMinutes(ctx.Now)<<8 | uint32(freq)
	case !ctx.S.lfuPolicy() && idle >= 0:
		e.LRU -= restoredIdle(ctx.Now, idle)
	}
	if ttl != 0 {
		ctx.DB.SetExpire(keyspace.Str(key), ttl)
	}
	ctx.Modified(key)
	ctx.Notify(NotifyGeneric, "restore", key)
	ctx.OK()
}
