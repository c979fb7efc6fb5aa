package core

import (
	"sort"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Pub/sub commands: (S|P)SUBSCRIBE, (S|P)UNSUBSCRIBE, PUBLISH, SPUBLISH
// and PUBSUB. Messages reach other clients through Conn.Deliver, with the
// keyspace lock held, so a subscriber sees its confirmations and messages
// in the order they were produced. Confirmations and messages are pushes
// in RESP3 and arrays in RESP2 (the writer degrades pushes).

func registerPubSubCommands(t *Table) {
	t.Add("subscribe", func(ctx *Ctx) { subscribe(ctx, SubChannel) })
	t.Add("psubscribe", func(ctx *Ctx) { subscribe(ctx, SubPattern) })
	t.Add("ssubscribe", func(ctx *Ctx) { subscribe(ctx, SubShard) })
	t.Add("unsubscribe", func(ctx *Ctx) { unsubscribe(ctx, SubChannel) })
	t.Add("punsubscribe", func(ctx *Ctx) { unsubscribe(ctx, SubPattern) })
	t.Add("sunsubscribe", func(ctx *Ctx) { unsubscribe(ctx, SubShard) })
	t.Add("publish", func(ctx *Ctx) {
		ctx.W.WriteInt(int64(ctx.S.PubSub.Publish(ctx.Args[1], ctx.Args[2], false)))
	})
	t.Add("spublish", func(ctx *Ctx) {
		ctx.W.WriteInt(int64(ctx.S.PubSub.Publish(ctx.Args[1], ctx.Args[2], true)))
	})
	t.Add("pubsub", nil)
	t.Add("pubsub|channels", func(ctx *Ctx) { pubsubChannels(ctx, ctx.S.PubSub.Channels) })
	t.Add("pubsub|shardchannels", func(ctx *Ctx) { pubsubChannels(ctx, ctx.S.PubSub.ShardChannels) })
	t.Add("pubsub|numsub", func(ctx *Ctx) { pubsubNumSub(ctx, ctx.S.PubSub.Channels) })
	t.Add("pubsub|shardnumsub", func(ctx *Ctx) { pubsubNumSub(ctx, ctx.S.PubSub.ShardChannels) })
	t.Add("pubsub|numpat", func(ctx *Ctx) { ctx.W.WriteInt(int64(len(ctx.S.PubSub.Patterns))) })
	t.Add("pubsub|help", func(ctx *Ctx) { writeHelpLines(ctx, "PUBSUB", pubsubHelp) })
}

var subVerbs = [...]struct{ sub, unsub, msg string }{
	SubChannel: {"subscribe", "unsubscribe", "message"},
	SubPattern: {"psubscribe", "punsubscribe", "pmessage"},
	SubShard:   {"ssubscribe", "sunsubscribe", "smessage"},
}

// writeSubReply writes one (un)subscribe confirmation; name nil writes a
// null (UNSUBSCRIBE without subscriptions).
func writeSubReply(w ReplyWriter, verb string, name []byte, count int) {
	w.WritePush(3)
	w.WriteBulkString(verb)
	if name == nil {
		w.WriteNull()
	} else {
		w.WriteBulk(name)
	}
	w.WriteInt(int64(count))
}

func subscribe(ctx *Ctx, kind SubKind) {
	c := ctx.C
	// Inside EXEC (and scripts) the client may not block; Redis 7.0 lets
	// SUBSCRIBE and PSUBSCRIBE through inside a transaction, not
	// SSUBSCRIBE.
	if kind == SubShard && ctx.NoBlock {
		ctx.Error(ErrSSubscribeDenyBlocking)
		return
	}
	for _, name := range ctx.Args[1:] {
		ctx.S.PubSub.Subscribe(c, name, kind)
		writeSubReply(ctx.W, subVerbs[kind].sub, name, c.SubscriptionCount(kind))
	}
}

func unsubscribe(ctx *Ctx, kind SubKind) {
	c, p := ctx.C, &ctx.S.PubSub
	verb := subVerbs[kind].unsub
	if len(ctx.Args) > 1 {
		for _, name := range ctx.Args[1:] {
			p.Unsubscribe(c, keyspace.Str(name), kind)
			writeSubReply(ctx.W, verb, name, c.SubscriptionCount(kind))
		}
		return
	}
	names := c.subscribed(kind)
	if len(names) == 0 {
		writeSubReply(ctx.W, verb, nil, c.SubscriptionCount(kind))
		return
	}
	for _, name := range names {
		p.Unsubscribe(c, name, kind)
		writeSubReply(ctx.W, verb, []byte(name), c.SubscriptionCount(kind))
	}
}

// Publish delivers msg to the subscribers of channel (and of the patterns
// matching it), or to the subscribers of the shard channel, and returns
// the number of deliveries. Called with the keyspace lock held; channel
// and msg are not retained.
func (p *PubSub) Publish(channel, msg []byte, shard bool) int {
	n := 0
	reg := p.Channels
	verb := subVerbs[SubChannel].msg
	if shard {
		reg = p.ShardChannels
		verb = subVerbs[SubShard].msg
	}
	if subs := reg[keyspace.Str(channel)]; len(subs) > 0 {
		fn := func(w ReplyWriter) {
			w.WritePush(3)
			w.WriteBulkString(verb)
			w.WriteBulk(channel)
			w.WriteBulk(msg)
		}
		for c := range subs {
			deliver(c, fn)
			n++
		}
	}
	if shard || len(p.Patterns) == 0 {
		return n
	}
	ch := keyspace.Str(channel)
	for pat, subs := range p.Patterns {
		if !Match(pat, ch, false) {
			continue
		}
		fn := func(w ReplyWriter) {
			w.WritePush(4)
			w.WriteBulkString("pmessage")
			w.WriteBulkString(pat)
			w.WriteBulk(channel)
			w.WriteBulk(msg)
		}
		for c := range subs {
			deliver(c, fn)
			n++
		}
	}
	return n
}

func deliver(c *Client, fn func(ReplyWriter)) {
	if c.Conn != nil {
		c.Conn.Deliver(fn)
	}
}

// pubsubChannels is PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the
// channels with at least one subscriber, matching pattern if given.
func pubsubChannels(ctx *Ctx, reg map[string]map[*Client]struct{}) {
	if len(ctx.Args) > 3 {
		ctx.Errorf(fmtSubcmdArgs, string(ctx.Args[1]), "PUBSUB")
		return
	}
	var names []string
	for name := range reg {
		if len(ctx.Args) == 3 && !Match(keyspace.Str(ctx.Args[2]), name, false) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names) // Redis's order is its hash table's; any order will do
	ctx.W.WriteArray(len(names))
	for _, name := range names {
		ctx.W.WriteBulkString(name)
	}
}

// pubsubNumSub is PUBSUB NUMSUB / SHARDNUMSUB: channel, count pairs in a
// flat array (an array in RESP3 too, as in Redis 7.0).
func pubsubNumSub(ctx *Ctx, reg map[string]map[*Client]struct{}) {
	ctx.W.WriteArray(2 * (len(ctx.Args) - 2))
	for _, name := range ctx.Args[2:] {
		ctx.W.WriteBulk(name)
		ctx.W.WriteInt(int64(len(reg[keyspace.Str(name)])))
	}
}

var pubsubHelp = []string{
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
}
