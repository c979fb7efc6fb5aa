package core

import (
	"math"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Consumer group commands: XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.

var xgroupHelp = []string{
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
}

// cmdXGroup is every XGROUP subcommand but HELP, in the order of checks
// of Redis's xgroupCommand.
func cmdXGroup(ctx *Ctx) {
	args := ctx.Args
	opt := args[1]
	mkstream := false
	entriesRead := int64(keyspace.EntriesReadInvalid)
	if kw(opt, "create") || kw(opt, "setid") {
		// As Redis 7.0, the options (MKSTREAM for CREATE, ENTRIESREAD)
		// are checked before the key.
		for i := 5; i < len(args); {
			switch {
			case kw(opt, "create") && kw(args[i], "mkstream"):
				mkstream = true
				i++
			case kw(args[i], "entriesread") && i+1 < len(args):
				n, ok := ctx.Int(i + 1)
				if !ok {
					return
				}
				if n < 0 && n != keyspace.EntriesReadInvalid {
					ctx.Error(ErrStreamEntriesRead)
					return
				}
				entriesRead = n
				i += 2
			default:
				subcommandSyntaxError(ctx)
				return
			}
		}
	}
	key := args[2]
	s, ok := writeStream(ctx, key)
	if !ok {
		return
	}
	grp := string(args[3])
	var g *keyspace.Group
	if !mkstream {
		if s == nil {
			ctx.Error(ErrStreamXGroupNoKey)
			return
		}
		g = s.Group(grp)
		if g == nil && (kw(opt, "setid") || kw(opt, "createconsumer") || kw(opt, "delconsumer")) {
			ctx.Errorf(fmtStreamNoGroupForKey, grp, key)
			return
		}
	}
	switch {
	case kw(opt, "create") && len(args) <= 8:
		var id StreamID
		if a := args[4]; len(a) == 1 && a[0] == '$' {
			if s != nil {
				id = s.LastID
			}
		} else if id, ok = parseID(ctx, a, 0, true, nil); !ok {
			return
		}
		if s == nil {
			s = keyspace.NewStream()
			ctx.Store(key, s, false)
		}
		if s.CreateGroup(grp, id, entriesRead) == nil {
			ctx.Error(ErrStreamBusyGroup)
			return
		}
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xgroup-create", key)
		ctx.OK()
	case kw(opt, "setid") && (len(args) == 5 || len(args) == 7):
		var id StreamID
		if a := args[4]; len(a) == 1 && a[0] == '$' {
			id = s.LastID
		} else if id, ok = parseID(ctx, a, 0, false, nil); !ok {
			return
		}
		g.LastID = id
		g.EntriesRead = entriesRead
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xgroup-setid", key)
		ctx.OK()
	case kw(opt, "destroy") && len(args) == 4:
		if g == nil {
			ctx.W.WriteInt(0)
			return
		}
		s.DestroyGroup(grp)
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xgroup-destroy", key)
		ctx.W.WriteInt(1)
	case kw(opt, "createconsumer") && len(args) == 5:
		if g.Consumer(string(args[4])) != nil {
			ctx.W.WriteInt(0)
			return
		}
		g.CreateConsumer(string(args[4]), seenNow(ctx))
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xgroup-createconsumer", key)
		ctx.W.WriteInt(1)
	case kw(opt, "delconsumer") && len(args) == 5:
		pending := 0
		if c := g.Consumer(string(args[4])); c != nil {
			pending = g.DeleteConsumer(c)
			ctx.Modified(key)
			ctx.Notify(NotifyStream, "xgroup-delconsumer", key)
		}
		ctx.W.WriteInt(int64(pending))
	default:
		subcommandSyntaxError(ctx)
	}
}

func cmdXAck(ctx *Ctx) {
	s, ok := readStream(ctx, ctx.Args[1])
	if !ok {
		return
	}
	var g *keyspace.Group
	if s != nil {
		g = s.Group(string(ctx.Args[2]))
	}
	if g == nil {
		ctx.W.WriteInt(0)
		return
	}
	var idbuf [8]StreamID
	ids := idbuf[:0]
	for _, a := range ctx.Args[3:] {
		id, ok := parseID(ctx, a, 0, true, nil)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := 0
	for _, id := range ids {
		if nack, ok := g.PEL.Get(id); ok {
			g.PEL.Delete(id)
			nack.Consumer.PEL.Delete(id)
			acked++
			ctx.S.Dirty++
		}
	}
	ctx.W.WriteInt(int64(acked))
}

// cmdXPending is XPENDING key group [[IDLE ms] start end count [consumer]].
func cmdXPending(ctx *Ctx) {
	args := ctx.Args
	justInfo := len(args) == 3
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		ctx.SyntaxError()
		return
	}
	var start, end StreamID
	var count, minIdle int64
	var consumer []byte
	if len(args) >= 6 {
		si := 3
		if kw(args[3], "idle") {
			var ok bool
			if minIdle, ok = ctx.Int(4); !ok {
				return
			}
			if len(args) < 8 {
				ctx.SyntaxError()
				return
			}
			si += 2
		}
		var ok bool
		if count, ok = ctx.Int(si + 2); !ok {
			return
		}
		count = max(count, 0)
		if start, ok = parseRangeStart(ctx, args[si]); !ok {
			return
		}
		if end, ok = parseRangeEnd(ctx, args[si+1]); !ok {
			return
		}
		if si+3 < len(args) {
			consumer = args[si+3]
		}
	}
	s, ok := readStream(ctx, args[1])
	if !ok {
		return
	}
	var g *keyspace.Group
	if s != nil {
		g = s.Group(string(args[2]))
	}
	if g == nil {
		ctx.Errorf(fmtStreamNoGroup, args[1], args[2])
		return
	}
	w := ctx.W
	if justInfo {
		w.WriteArray(4)
		w.WriteInt(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			w.WriteNull()
			w.WriteNull()
			w.WriteNullArray()
			return
		}
		first, _, _ := g.PEL.First()
		last, _, _ := g.PEL.Last()
		writeID(w, first)
		writeID(w, last)
		var cs []*keyspace.Consumer
		for _, c := range g.Consumers() {
			if c.PEL.Len() > 0 {
				cs = append(cs, c)
			}
		}
		w.WriteArray(len(cs))
		for _, c := range cs {
			w.WriteArray(2)
			w.WriteBulkString(c.Name)
			var buf [20]byte
			w.WriteBulk(appendInt(buf[:0], int64(c.PEL.Len())))
		}
		return
	}
	pel := g.PEL
	if consumer != nil {
		c := g.Consumer(string(consumer))
		if c == nil {
			w.WriteArray(0)
			return
		}
		pel = c.PEL
	}
	now := ctx.Now
	type item struct {
		id   StreamID
		nack *keyspace.NACK
	}
	var items []item
	for cur := pel.Seek(start); count > 0 && cur.Valid() && !end.Less(cur.ID()); cur.Next() {
		nack := cur.NACK()
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		items = append(items, item{cur.ID(), nack})
		count--
	}
	w.WriteArray(len(items))
	for _, it := range items {
		w.WriteArray(4)
		writeID(w, it.id)
		w.WriteBulkString(it.nack.Consumer.Name)
		w.WriteInt(max(now-it.nack.DeliveryTime, 0))
		w.WriteInt(it.nack.DeliveryCount)
	}
}

func appendInt(b []byte, n int64) []byte { return strconv.AppendInt(b, n, 10) }

// claimTo moves a NACK to consumer c.
func claimTo(nack *keyspace.NACK, id StreamID, c *keyspace.Consumer) {
	if nack.Consumer != c {
		if nack.Consumer != nil {
			nack.Consumer.PEL.Delete(id)
		}
		c.PEL.Set(id, nack)
		nack.Consumer = c
	}
}

// cmdXClaim is XCLAIM key group consumer min-idle-time id... [IDLE ms]
// [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id].
func cmdXClaim(ctx *Ctx) {
	args := ctx.Args
	s, ok := readStream(ctx, args[1])
	if !ok {
		return
	}
	var g *keyspace.Group
	if s != nil {
		g = s.Group(string(args[2]))
	}
	if g == nil {
		ctx.Errorf(fmtStreamNoGroup, args[1], args[2])
		return
	}
	minIdle, ok := ParseInt(args[4])
	if !ok {
		ctx.Error("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	ids := make([]StreamID, 0, len(args)-5)
	for ; j < len(args); j++ {
		id, ok := parseID(nil, args[j], 0, true, nil)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := ctx.Now
	retry, delivery := int64(-1), int64(-1)
	force, justid := false, false
	var lastID StreamID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		o := args[j]
		switch {
		case kw(o, "force"):
			force = true
		case kw(o, "justid"):
			justid = true
		case kw(o, "idle") && more > 0:
			j++
			v, ok := ParseInt(args[j])
			if !ok {
				ctx.Error("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			delivery = now - v
		case kw(o, "time") && more > 0:
			j++
			v, ok := ParseInt(args[j])
			if !ok {
				ctx.Error("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			delivery = v
		case kw(o, "retrycount") && more > 0:
			j++
			v, ok := ParseInt(args[j])
			if !ok {
				ctx.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retry = v
		case kw(o, "lastid") && more > 0:
			j++
			if lastID, ok = parseID(ctx, args[j], 0, true, nil); !ok {
				return
			}
		default:
			ctx.Errorf(fmtStreamXClaimOption, o)
			return
		}
	}
	if g.LastID.Less(lastID) {
		g.LastID = lastID
	}
	propagateNone(ctx)
	if delivery != -1 {
		// While an AOF loads the clock is stopped: TIME is taken as is.
		if delivery < 0 || (delivery > now && !ctx.S.persist.loading) {
			delivery = now
		}
	} else {
		delivery = now
	}
	var c *keyspace.Consumer
	var claimed []StreamID
	for _, id := range ids {
		nack, found := g.PEL.Get(id)
		if force && !found {
			if !s.Lookup(id) {
				continue
			}
			nack = &keyspace.NACK{DeliveryTime: now, DeliveryCount: 1}
			g.PEL.Set(id, nack)
			found = true
		}
		if !found {
			continue
		}
		if !s.Lookup(id) { // deleted from the stream: drop it from the PELs
			g.PEL.Delete(id)
			if nack.Consumer != nil {
				nack.Consumer.PEL.Delete(id)
			}
			propagateXAck(ctx, args[1], g, id)
			continue
		}
		if nack.Consumer != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = lookupConsumer(ctx, args[1], g, args[3], true)
		}
		claimTo(nack, id, c)
		nack.DeliveryTime = delivery
		if retry >= 0 {
			nack.DeliveryCount = retry
		} else if !justid {
			nack.DeliveryCount++
		}
		propagateXClaim(ctx, args[1], g, c.Name, id, nack)
		claimed = append(claimed, id)
	}
	if len(claimed) == 0 && !lastID.IsZero() {
		propagateGroupID(ctx, args[1], g) // LASTID alone moved the group
	}
	ctx.S.Dirty++
	ctx.W.WriteArray(len(claimed))
	for _, id := range claimed {
		if justid {
			writeID(ctx.W, id)
		} else if !writeOneEntry(ctx.W, s, id) {
			ctx.W.WriteNull()
		}
	}
}

// cmdXAutoClaim is XAUTOCLAIM key group consumer min-idle-time start
// [COUNT n] [JUSTID].
func cmdXAutoClaim(ctx *Ctx) {
	args := ctx.Args
	minIdle, ok := ParseInt(args[4])
	if !ok {
		ctx.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := parseRangeStart(ctx, args[5])
	if !ok {
		return
	}
	count := int64(100)
	justid := false
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case kw(args[j], "count") && more > 0:
			n, ok := ParseInt(args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				ctx.Error(ErrStreamAutoclaimCount)
				return
			}
			count = n
			j++
		case kw(args[j], "justid"):
			justid = true
		default:
			ctx.SyntaxError()
			return
		}
	}
	s, ok := readStream(ctx, args[1])
	if !ok {
		return
	}
	var g *keyspace.Group
	if s != nil {
		g = s.Group(string(args[2]))
	}
	if g == nil {
		ctx.Errorf(fmtStreamNoGroup, args[1], args[2])
		return
	}
	attempts := count * 10
	now := ctx.Now
	propagateNone(ctx)
	var c *keyspace.Consumer
	var claimed, deleted []StreamID
	cur := g.PEL.Seek(start)
	for attempts > 0 && count > 0 && cur.Valid() {
		attempts--
		id, nack := cur.ID(), cur.NACK()
		cur.Next()
		if !s.Lookup(id) {
			g.PEL.Delete(id)
			nack.Consumer.PEL.Delete(id)
			propagateXAck(ctx, args[1], g, id)
			deleted = append(deleted, id)
			count--
			ctx.S.Dirty++
			continue
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if c == nil {
			c = lookupConsumer(ctx, args[1], g, args[3], true)
		}
		claimTo(nack, id, c)
		nack.DeliveryTime = now
		if !justid {
			nack.DeliveryCount++
		}
		propagateXClaim(ctx, args[1], g, c.Name, id, nack)
		claimed = append(claimed, id)
		count--
		ctx.S.Dirty++
	}
	var next StreamID
	if cur.Valid() {
		next = cur.ID()
	}
	w := ctx.W
	w.WriteArray(3)
	writeID(w, next)
	w.WriteArray(len(claimed))
	for _, id := range claimed {
		if justid {
			writeID(w, id)
		} else {
			writeOneEntry(w, s, id)
		}
	}
	w.WriteArray(len(deleted))
	for _, id := range deleted {
		writeID(w, id)
	}
}
