package core

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkPubSub verifies that the registry and the clients' own sets agree
// and that no empty subscriber set is left behind.
func checkPubSub(t *testing.T, p *PubSub, clients ...*Client) {
	t.Helper()
	for kind, reg := range map[SubKind]map[string]map[*Client]struct{}{
		SubChannel: p.Channels, SubPattern: p.Patterns, SubShard: p.ShardChannels,
	} {
		n := 0
		for name, m := range reg {
			require.NotEmpty(t, m, "empty set for %q", name)
			for c := range m {
				_, ok := (*c.subs(kind))[name]
				require.True(t, ok, "registry has a client not subscribed to %q", name)
				n++
			}
		}
		own := 0
		for _, c := range clients {
			own += len(*c.subs(kind))
		}
		require.Equal(t, own, n, "kind %d", kind)
	}
	for _, c := range clients {
		require.Len(t, c.patternOrder, len(c.Patterns))
		for _, pat := range c.patternOrder {
			_, ok := c.Patterns[pat]
			require.True(t, ok)
		}
	}
}

func TestPubSubRegistry(t *testing.T) {
	var p PubSub
	p.init()
	a, b := &Client{ID: 1}, &Client{ID: 2}
	for i := 0; i < 50; i++ {
		for _, c := range []*Client{a, b} {
			assert.True(t, p.Subscribe(c, []byte(fmt.Sprintf("ch%d", i%20+int(c.ID))), SubChannel) || i >= 20)
			p.Subscribe(c, []byte(fmt.Sprintf("p%d*", i%7)), SubPattern)
			p.Subscribe(c, []byte(fmt.Sprintf("s%d", i%5)), SubShard)
		}
	}
	checkPubSub(t, &p, a, b)
	assert.Equal(t, 27, a.SubscriptionCount(SubChannel))
	assert.Equal(t, 5, a.SubscriptionCount(SubShard))
	assert.Equal(t, 32, a.Subscriptions())
	assert.Equal(t, []string{"p0*", "p1*", "p2*", "p3*", "p4*", "p5*", "p6*"}, a.subscribed(SubPattern))

	assert.True(t, p.Unsubscribe(a, "p3*", SubPattern))
	assert.False(t, p.Unsubscribe(a, "p3*", SubPattern))
	assert.True(t, p.Unsubscribe(a, "p0*", SubPattern))
	assert.Equal(t, []string{"p1*", "p2*", "p4*", "p5*", "p6*"}, a.subscribed(SubPattern))
	assert.False(t, p.Unsubscribe(a, "s0", SubChannel), "kinds are separate")
	assert.True(t, p.Unsubscribe(a, "s0", SubShard))
	checkPubSub(t, &p, a, b)

	p.unsubscribeAll(a)
	checkPubSub(t, &p, a, b)
	assert.Zero(t, a.Subscriptions())
	p.unsubscribeAll(b)
	checkPubSub(t, &p, a, b)
	assert.Empty(t, p.Channels)
	assert.Empty(t, p.Patterns)
	assert.Empty(t, p.ShardChannels)
}

// TestPublishCounts checks deliveries and counts without connections: a
// client subscribed by channel and by two matching patterns counts three
// times; shard channels are reached by SPUBLISH only.
func TestPublishCounts(t *testing.T) {
	var p PubSub
	p.init()
	var got []string
	rec := &recordConn{out: &got}
	a := &Client{ID: 1, Conn: rec}
	p.Subscribe(a, []byte("news.tech"), SubChannel)
	p.Subscribe(a, []byte("news.*"), SubPattern)
	p.Subscribe(a, []byte("*tech"), SubPattern)
	p.Subscribe(a, []byte("nomatch*"), SubPattern)
	p.Subscribe(a, []byte("news.tech"), SubShard)
	assert.Equal(t, 3, p.Publish([]byte("news.tech"), []byte("m"), false))
	assert.Equal(t, 1, p.Publish([]byte("news.tech"), []byte("m"), true))
	assert.Equal(t, 0, p.Publish([]byte("other"), []byte("m"), false))
	assert.Equal(t, 0, p.Publish([]byte("news.*"), []byte("m"), true))
	assert.Equal(t, 1, p.Publish([]byte("news.*"), []byte("m"), false), "the pattern matches itself")
	require.Len(t, got, 5)
	assert.Equal(t, "message", got[0])
	assert.Equal(t, "smessage", got[3])
}

type recordConn struct {
	NopConn
	out *[]string
}

func (r *recordConn) Deliver(fn func(w ReplyWriter)) {
	b := NewBuilder(3)
	fn(b)
	for _, v := range b.Values() {
		*r.out = append(*r.out, string(v.Elems[0].Str))
	}
}
