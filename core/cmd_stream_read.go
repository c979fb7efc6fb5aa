package core

import (
	"math"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
)

// XREAD and XREADGROUP, with their blocking forms.

const (
	xreadBlockedDefaultCount = 1000
	ErrStreamKeyGone         = "UNBLOCKED the stream key no longer exists"
)

// xreadReq is a parsed XREAD / XREADGROUP.
type xreadReq struct {
	group, consumer []byte
	noack           bool
	count           int64
	keys            [][]byte
	ids             []StreamID
	newOnly         []bool // ">" IDs
}

// cmdXRead is XREAD [COUNT n] [BLOCK ms] STREAMS key... id... and
// XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id....
func cmdXRead(ctx *Ctx) {
	args := ctx.Args
	xreadgroup := len(args[0]) == 10
	var r xreadReq
	timeout := int64(-1)
	streamsArg, n := 0, 0
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case kw(o, "block") && more > 0:
			if ctx.NoBlock && ctx.S.scripts.running != nil {
				ctx.Errorf(fmtStreamBlockInScript, string(args[0]))
				return
			}
			i++
			t, ok := ParseInt(args[i])
			if !ok {
				ctx.Error(ErrStreamTimeoutNotInt)
				return
			}
			if t < 0 {
				ctx.Error(ErrTimeoutNegative)
				return
			}
			timeout = t
		case kw(o, "count") && more > 0:
			i++
			c, ok := ctx.Int(i)
			if !ok {
				return
			}
			r.count = max(c, 0)
		case kw(o, "streams") && more > 0:
			streamsArg = i + 1
			n = len(args) - streamsArg
			if n%2 != 0 {
				ctx.Error(ErrStreamUnbalanced)
				return
			}
			n /= 2
			i = len(args)
		case kw(o, "group") && more >= 2:
			if !xreadgroup {
				ctx.Error(ErrStreamGroupOnlyXRG)
				return
			}
			r.group, r.consumer = args[i+1], args[i+2]
			i += 2
		case kw(o, "noack"):
			if !xreadgroup {
				ctx.Error(ErrStreamNoAckOnlyXRG)
				return
			}
			r.noack = true
		default:
			ctx.SyntaxError()
			return
		}
	}
	if streamsArg == 0 {
		ctx.SyntaxError()
		return
	}
	if xreadgroup && r.group == nil {
		ctx.Error(ErrStreamMissingGroup)
		return
	}
	r.keys = args[streamsArg : streamsArg+n]
	r.ids = make([]StreamID, n)
	r.newOnly = make([]bool, n)
	groups := make([]*keyspace.Group, n)
	for i := 0; i < n; i++ {
		key, arg := r.keys[i], args[streamsArg+n+i]
		s, ok := readStream(ctx, key)
		if !ok {
			return
		}
		if r.group != nil {
			var g *keyspace.Group
			if s != nil {
				g = s.Group(string(r.group))
			}
			if g == nil {
				ctx.Errorf(fmtStreamNoGroupRead, key, r.group)
				return
			}
			groups[i] = g
		}
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if xreadgroup {
				ctx.Error(ErrStreamDollarGroup)
				return
			}
			if s != nil {
				r.ids[i] = s.LastID
			}
		case len(arg) == 1 && arg[0] == '>':
			if !xreadgroup {
				ctx.Error(ErrStreamGtNoGroup)
				return
			}
			r.ids[i] = keyspace.MaxStreamID
			r.newOnly[i] = true
		default:
			id, ok := parseID(ctx, arg, 0, true, nil)
			if !ok {
				return
			}
			r.ids[i] = id
		}
	}
	// Serve synchronously what can be served.
	type served struct {
		i     int
		s     *keyspace.Stream
		start StreamID
		hist  bool
	}
	var ready []served
	if r.group != nil {
		propagateNone(ctx) // replayed as the XCLAIMs deliverToGroup records
	}
	for i := 0; i < n; i++ {
		e := ctx.DB.Get(keyspace.Str(r.keys[i]), ctx.Now)
		if e == nil {
			continue
		}
		if groups[i] != nil {
			ctx.DB.BeforeChange(keyspace.Str(r.keys[i])) // a running BGSAVE keeps the old groups
		}
		s := e.Value.(*keyspace.Stream)
		gt := r.ids[i]
		hist, ok := false, false
		if groups[i] != nil {
			if !r.newOnly[i] {
				ok, hist = true, true
			} else if s.Len() > 0 && groups[i].LastID.Less(s.LastLiveID()) {
				ok, gt = true, groups[i].LastID
			}
		} else if s.Len() > 0 && gt.Less(s.LastLiveID()) {
			ok = true
		}
		if ok {
			start, _ := gt.Incr()
			ready = append(ready, served{i, s, start, hist})
		}
	}
	if len(ready) > 0 {
		if ctx.W.Resp() == 2 {
			ctx.W.WriteArray(len(ready))
		} else {
			ctx.W.WriteMap(len(ready))
		}
		for _, sv := range ready {
			if ctx.W.Resp() == 2 {
				ctx.W.WriteArray(2)
			}
			ctx.W.WriteBulk(r.keys[sv.i])
			if groups[sv.i] == nil {
				writeRange(ctx.W, sv.s, sv.start, keyspace.MaxStreamID, false, r.count)
				continue
			}
			g := groups[sv.i]
			created := g.Consumer(string(r.consumer)) == nil
			c := lookupConsumer(ctx, r.keys[sv.i], g, r.consumer, true)
			if sv.hist {
				replyConsumerHistory(ctx, sv.s, c, sv.start, r.count)
			} else {
				deliverToGroup(ctx, r.keys[sv.i], sv.s, g, c, created, sv.start, r.count, r.noack)
			}
			ctx.S.Dirty++
		}
		return
	}
	if timeout == -1 || ctx.NoBlock {
		ctx.W.WriteNullArray()
		return
	}
	// Block: keep what the serve function needs (args alias the buffer).
	w := &xreadWait{xreadReq: r, group: cloneArg(r.group), consumer: cloneArg(r.consumer)}
	w.keys = cloneArgs(r.keys)
	if w.count == 0 {
		w.count = xreadBlockedDefaultCount
	}
	d := time.Duration(timeout) * time.Millisecond
	if timeout > math.MaxInt64/int64(time.Millisecond)/2 {
		d = 0 // Redis's deadline overflows: it never fires
	}
	ctx.Block(w.keys, d, w.serve, func(tctx *Ctx) { tctx.W.WriteNullArray() })
}

func cloneArg(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

type xreadWait struct {
	xreadReq
	group, consumer []byte
}

// serve is called when one of the keys was modified.
func (w *xreadWait) serve(ctx *Ctx) bool {
	key := ctx.ReadyKey
	i := 0
	for i < len(w.keys) && string(w.keys[i]) != string(key) {
		i++
	}
	if i == len(w.keys) {
		return false
	}
	e := ctx.DB.Get(keyspace.Str(key), ctx.Now)
	if e != nil && w.group != nil {
		ctx.DB.BeforeChange(keyspace.Str(key)) // a running BGSAVE keeps the old groups
	}
	var s *keyspace.Stream
	if e != nil {
		s, _ = e.Value.(*keyspace.Stream)
	}
	if s == nil {
		if w.group != nil {
			ctx.Error(ErrStreamKeyGone)
			return true
		}
		return false
	}
	gt := w.ids[i]
	var g *keyspace.Group
	if w.group != nil {
		if g = s.Group(string(w.group)); g == nil {
			ctx.Error(ErrStreamGroupGone)
			return true
		}
		gt = g.LastID
	}
	if !gt.Less(s.LastID) {
		return false
	}
	start, _ := gt.Incr()
	if ctx.W.Resp() == 2 {
		ctx.W.WriteArray(1)
		ctx.W.WriteArray(2)
	} else {
		ctx.W.WriteMap(1)
	}
	ctx.W.WriteBulk(key)
	if g == nil {
		writeRange(ctx.W, s, start, keyspace.MaxStreamID, false, w.count)
		return true
	}
	created := g.Consumer(string(w.consumer)) == nil
	c := lookupConsumer(ctx, key, g, w.consumer, true)
	deliverToGroup(ctx, key, s, g, c, created, start, w.count, w.noack)
	ctx.S.Dirty++
	return true
}

// lookupConsumer finds (creating it when create) a consumer of group g
// of the stream under key, refreshing its seen time. A creation sends
// the "xgroup-createconsumer" keyspace event.
func lookupConsumer(ctx *Ctx, key []byte, g *keyspace.Group, name []byte, create bool) *keyspace.Consumer {
	c := g.Consumer(string(name))
	if c == nil {
		if !create {
			return nil
		}
		c = g.CreateConsumer(string(name), seenNow(ctx))
		ctx.Notify(NotifyStream, "xgroup-createconsumer", key)
		return c
	}
	c.SeenTime = seenNow(ctx)
	return c
}

// deliverToGroup replies with the entries from start on (up to count),
// advancing the group's last ID and read counter and, unless noack,
// adding them to the PELs.
func deliverToGroup(ctx *Ctx, key []byte, s *keyspace.Stream, g *keyspace.Group, c *keyspace.Consumer, created bool, start StreamID, count int64, noack bool) {
	var buf [16]keyspace.StreamEntry
	es := collectRange(s, start, keyspace.MaxStreamID, false, count, buf[:])
	ctx.W.WriteArray(len(es))
	var t idText
	for i := range es {
		id := es[i].ID
		if g.LastID.Less(id) {
			if g.EntriesRead != keyspace.EntriesReadInvalid && !s.RangeHasTombstones(id, keyspace.MaxStreamID) {
				g.EntriesRead++
			} else if s.EntriesAdded != 0 {
				g.EntriesRead = s.EstimateDistance(id)
			}
			g.LastID = id
		}
		writeEntryIn(ctx.W, &es[i], &t)
		if noack {
			continue
		}
		nack, ok := g.PEL.Get(id)
		if ok {
			nack.Consumer.PEL.Delete(id)
			nack.Consumer = c
			nack.DeliveryTime = ctx.Now
			nack.DeliveryCount = 1
			c.PEL.Set(id, nack)
		} else {
			nack = &keyspace.NACK{DeliveryTime: ctx.Now, DeliveryCount: 1, Consumer: c}
			g.PEL.Set(id, nack)
			c.PEL.Set(id, nack)
		}
		propagateXClaim(ctx, key, g, c.Name, id, nack)
	}
	if noack && len(es) > 0 {
		if created && ctx.S.effects.sink != nil {
			ctx.Propagate(bXGROUP, []byte("CREATECONSUMER"), key, []byte(g.Name), []byte(c.Name))
		}
		propagateGroupID(ctx, key, g)
	}
}

// replyConsumerHistory replies with the consumer's pending entries from
// start on (an entry deleted from the stream shows as [id, nil]).
func replyConsumerHistory(ctx *Ctx, s *keyspace.Stream, c *keyspace.Consumer, start StreamID, count int64) {
	type item struct {
		id   StreamID
		nack *keyspace.NACK
	}
	var items []item
	for cur := c.PEL.Seek(start); cur.Valid() && (count == 0 || int64(len(items)) < count); cur.Next() {
		items = append(items, item{cur.ID(), cur.NACK()})
	}
	ctx.W.WriteArray(len(items))
	for _, it := range items {
		if writeOneEntry(ctx.W, s, it.id) {
			it.nack.DeliveryTime = ctx.Now
			it.nack.DeliveryCount++ // not an effect, as in Redis 7.0
			continue
		}
		ctx.W.WriteArray(2)
		writeID(ctx.W, it.id)
		ctx.W.WriteNullArray()
	}
}
