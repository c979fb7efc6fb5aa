package core

import (
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Deterministic effects of consumer groups, as Redis 7.0 propagates them:
// an entry delivered by XREADGROUP or claimed by XCLAIM/XAUTOCLAIM is
// replayed as XCLAIM key group consumer 0 id TIME <delivery ms>
// RETRYCOUNT <count> FORCE JUSTID LASTID <group last id>, which sets the
// pending entry exactly, whatever the idle times at replay; an entry
// dropped from the pending lists because the stream lost it is replayed
// as XACK; XREADGROUP NOACK as XGROUP SETID with the read counter.

var (
	bXCLAIM = []byte("XCLAIM")
	bXACK   = []byte("XACK")
	bXGROUP = []byte("XGROUP")
)

// seenNow is a consumer's seen time: the command's clock, or the real
// time while an AOF is replayed with the expiry clock stopped (Redis sets
// the load time there too).
func seenNow(ctx *Ctx) int64 {
	if ctx.S.persist.loading {
		return time.Now().UnixMilli()
	}
	return ctx.Now
}

// propagateNone marks a command whose effects are only what its handler
// records with Propagate (possibly nothing).
func propagateNone(ctx *Ctx) {
	if ctx.S.effects.sink != nil && ctx.propagate == nil {
		ctx.propagate = [][][]byte{}
	}
}

// propagateXClaim records that consumer now holds entry id of group g.
func propagateXClaim(ctx *Ctx, key []byte, g *keyspace.Group, consumer string, id StreamID, nack *keyspace.NACK) {
	if ctx.S.effects.sink == nil {
		return
	}
	ctx.Propagate(bXCLAIM, key, []byte(g.Name), []byte(consumer), []byte("0"), id.AppendTo(nil),
		[]byte("TIME"), strconv.AppendInt(nil, nack.DeliveryTime, 10),
		[]byte("RETRYCOUNT"), strconv.AppendInt(nil, nack.DeliveryCount, 10),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), g.LastID.AppendTo(nil))
}

// propagateXAck records that entry id left group g's pending lists.
func propagateXAck(ctx *Ctx, key []byte, g *keyspace.Group, id StreamID) {
	if ctx.S.effects.sink != nil {
		ctx.Propagate(bXACK, key, []byte(g.Name), id.AppendTo(nil))
	}
}

// propagateGroupID records group g's last delivered ID and read counter.
func propagateGroupID(ctx *Ctx, key []byte, g *keyspace.Group) {
	if ctx.S.effects.sink != nil {
		ctx.Propagate(bXGROUP, []byte("SETID"), key, []byte(g.Name), g.LastID.AppendTo(nil),
			[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10))
	}
}
