package core

// PubSub is the server's channel and pattern subscription registry. The
// commands (SUBSCRIBE, PUBLISH, PUBSUB ...) live in cmd_pubsub.go; this is
// their state. Access it with the keyspace lock held.
//
// Shard channels (SSUBSCRIBE, SPUBLISH) behave like channels on a single
// node but are a separate namespace, as in Redis: PUBLISH does not reach
// shard subscribers, SPUBLISH reaches neither channel nor pattern ones.
type PubSub struct {
	Channels      map[string]map[*Client]struct{}
	Patterns      map[string]map[*Client]struct{}
	ShardChannels map[string]map[*Client]struct{}
}

// SubKind tells channels, patterns and shard channels apart.
type SubKind uint8

const (
	SubChannel SubKind = iota
	SubPattern
	SubShard
)

func (p *PubSub) init() {
	p.Channels = map[string]map[*Client]struct{}{}
	p.Patterns = map[string]map[*Client]struct{}{}
	p.ShardChannels = map[string]map[*Client]struct{}{}
}

func (p *PubSub) registry(kind SubKind) map[string]map[*Client]struct{} {
	switch kind {
	case SubPattern:
		return p.Patterns
	case SubShard:
		return p.ShardChannels
	}
	return p.Channels
}

func (c *Client) subs(kind SubKind) *map[string]struct{} {
	switch kind {
	case SubPattern:
		return &c.Patterns
	case SubShard:
		return &c.ShardChannels
	}
	return &c.Channels
}

// SubscriptionCount is the count Redis reports in (un)subscribe
// confirmations: channels plus patterns, or shard channels alone.
func (c *Client) SubscriptionCount(kind SubKind) int {
	if kind == SubShard {
		return len(c.ShardChannels)
	}
	return len(c.Channels) + len(c.Patterns)
}

// Subscribe adds c to a channel, pattern or shard channel and reports
// whether it was new. name is copied.
func (p *PubSub) Subscribe(c *Client, name []byte, kind SubKind) bool {
	own := c.subs(kind)
	if _, ok := (*own)[string(name)]; ok {
		return false
	}
	if *own == nil {
		*own = map[string]struct{}{}
	}
	n := string(name)
	(*own)[n] = struct{}{}
	if kind == SubPattern {
		c.patternOrder = append(c.patternOrder, n)
	}
	reg := p.registry(kind)
	m := reg[n]
	if m == nil {
		m = map[*Client]struct{}{}
		reg[n] = m
	}
	m[c] = struct{}{}
	return true
}

// Unsubscribe removes c from a channel, pattern or shard channel and
// reports whether it was subscribed.
func (p *PubSub) Unsubscribe(c *Client, name string, kind SubKind) bool {
	own := *c.subs(kind)
	if _, ok := own[name]; !ok {
		return false
	}
	delete(own, name)
	if kind == SubPattern {
		for i, pat := range c.patternOrder {
			if pat != name {
				continue
			}
			if i == 0 { // in order (PUNSUBSCRIBE without arguments): O(1)
				c.patternOrder = c.patternOrder[1:]
			} else {
				c.patternOrder = append(c.patternOrder[:i], c.patternOrder[i+1:]...)
			}
			break
		}
		if len(c.patternOrder) == 0 {
			c.patternOrder = nil
		}
	}
	reg := p.registry(kind)
	if m := reg[name]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(reg, name)
		}
	}
	return true
}

// subscribed lists c's subscriptions of a kind: patterns in the order
// they were subscribed (Redis keeps them in a list), channels in map
// order (Redis's dict order is not defined either).
func (c *Client) subscribed(kind SubKind) []string {
	if kind == SubPattern {
		return append([]string(nil), c.patternOrder...)
	}
	own := *c.subs(kind)
	out := make([]string, 0, len(own))
	for name := range own {
		out = append(out, name)
	}
	return out
}

// unsubscribeAll drops every subscription of c without replying
// (disconnect, RESET).
func (p *PubSub) unsubscribeAll(c *Client) {
	for _, kind := range []SubKind{SubChannel, SubPattern, SubShard} {
		own := c.subs(kind)
		reg := p.registry(kind)
		for name := range *own {
			if m := reg[name]; m != nil {
				delete(m, c)
				if len(m) == 0 {
					delete(reg, name)
				}
			}
		}
		*own = nil
	}
	c.patternOrder = nil
}
