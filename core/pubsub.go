package core

// PubSub is the server's channel and pattern subscription registry. The
// commands (SUBSCRIBE, PUBLISH, PUBSUB ...) live in cmd_pubsub.go; this is
// their state. Access it with the keyspace lock held.
type PubSub struct {
	Channels map[string]map[*Client]struct{}
	Patterns map[string]map[*Client]struct{}
}

func (p *PubSub) init() {
	p.Channels = map[string]map[*Client]struct{}{}
	p.Patterns = map[string]map[*Client]struct{}{}
}

// Subscribe adds c to channel (or pattern) and reports whether it was new.
func (p *PubSub) Subscribe(c *Client, name string, pattern bool) bool {
	reg, own := p.Channels, &c.Channels
	if pattern {
		reg, own = p.Patterns, &c.Patterns
	}
	if *own == nil {
		*own = map[string]struct{}{}
	}
	if _, ok := (*own)[name]; ok {
		return false
	}
	(*own)[name] = struct{}{}
	m := reg[name]
	if m == nil {
		m = map[*Client]struct{}{}
		reg[name] = m
	}
	m[c] = struct{}{}
	return true
}

// Unsubscribe removes c from channel (or pattern) and reports whether it
// was subscribed.
func (p *PubSub) Unsubscribe(c *Client, name string, pattern bool) bool {
	reg, own := p.Channels, c.Channels
	if pattern {
		reg, own = p.Patterns, c.Patterns
	}
	if _, ok := own[name]; !ok {
		return false
	}
	delete(own, name)
	if m := reg[name]; m != nil {
		delete(m, c)
		if len(m) == 0 {
			delete(reg, name)
		}
	}
	return true
}

func (p *PubSub) unsubscribeAll(c *Client) {
	for ch := range c.Channels {
		p.Unsubscribe(c, ch, false)
	}
	for pat := range c.Patterns {
		p.Unsubscribe(c, pat, true)
	}
}
