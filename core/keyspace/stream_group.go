package keyspace

import "sort"

// Consumer groups. A group has a last delivered ID, a logical read counter
// (entries-read, -1 when unknown), its pending entries list (PEL: ID ->
// NACK, ordered) and its consumers, each with its own ordered PEL sharing
// the group's NACKs.

// EntriesReadInvalid marks an unknown entries-read counter.
const EntriesReadInvalid = -1

// NACK is a delivered but not yet acknowledged entry.
type NACK struct {
	DeliveryTime  int64
	DeliveryCount int64
	Consumer      *Consumer
}

// Consumer is one consumer of a group.
type Consumer struct {
	Name     string
	SeenTime int64
	PEL      *PEL
}

// Group is a consumer group.
type Group struct {
	Name        string
	LastID      StreamID
	EntriesRead int64
	PEL         *PEL
	consumers   map[string]*Consumer
	sorted      []string // consumer names in byte order, nil when stale
}

// PEL is an ordered map from IDs to NACKs.
type PEL struct{ l *idList[*NACK] }

// NewPEL returns an empty pending entries list.
func NewPEL() *PEL { return &PEL{newIDList[*NACK]()} }

func (p *PEL) Len() int                       { return p.l.Len() }
func (p *PEL) Get(id StreamID) (*NACK, bool)  { return p.l.Get(id) }
func (p *PEL) Set(id StreamID, n *NACK) bool  { return p.l.Set(id, n) }
func (p *PEL) Delete(id StreamID) bool        { return p.l.Delete(id) }
func (p *PEL) First() (StreamID, *NACK, bool) { return pelItem(p.l.First()) }
func (p *PEL) Last() (StreamID, *NACK, bool)  { return pelItem(p.l.Last()) }
func (p *PEL) Seek(id StreamID) *PELCursor    { return &PELCursor{p.l.SeekGE(id)} }
func pelItem(n *idNode[*NACK]) (StreamID, *NACK, bool) {
	if n == nil {
		return StreamID{}, nil, false
	}
	return n.id, n.val, true
}

// PELCursor walks a PEL in ascending order.
type PELCursor struct{ n *idNode[*NACK] }

// Valid reports whether the cursor is on an item.
func (c *PELCursor) Valid() bool { return c.n != nil }

// ID and NACK are the current item's.
func (c *PELCursor) ID() StreamID { return c.n.id }
func (c *PELCursor) NACK() *NACK  { return c.n.val }

// Next moves on (the current item may have been deleted from another
// list, not from this one's).
func (c *PELCursor) Next() { c.n = c.n.Next() }

type groupSet struct {
	m      map[string]*Group
	sorted []string
}

func (gs *groupSet) copy() *groupSet {
	c := &groupSet{m: map[string]*Group{}}
	for name, g := range gs.m {
		ng := &Group{Name: name, LastID: g.LastID, EntriesRead: g.EntriesRead, PEL: NewPEL(), consumers: map[string]*Consumer{}}
		nacks := map[*NACK]*NACK{}
		for n := g.PEL.l.First(); n != nil; n = n.Next() {
			x := &NACK{DeliveryTime: n.val.DeliveryTime, DeliveryCount: n.val.DeliveryCount}
			nacks[n.val] = x
			ng.PEL.Set(n.id, x)
		}
		for cname, con := range g.consumers {
			nc := &Consumer{Name: cname, SeenTime: con.SeenTime, PEL: NewPEL()}
			for n := con.PEL.l.First(); n != nil; n = n.Next() {
				x := nacks[n.val]
				x.Consumer = nc
				nc.PEL.Set(n.id, x)
			}
			ng.consumers[cname] = nc
		}
		c.m[name] = ng
	}
	return c
}

// NumGroups is the number of consumer groups.
func (s *Stream) NumGroups() int {
	if s.groups == nil {
		return 0
	}
	return len(s.groups.m)
}

// Group returns the named group or nil.
func (s *Stream) Group(name string) *Group {
	if s.groups == nil {
		return nil
	}
	return s.groups.m[name]
}

// CreateGroup adds a group; it returns nil when the name is taken.
func (s *Stream) CreateGroup(name string, last StreamID, entriesRead int64) *Group {
	if s.groups == nil {
		s.groups = &groupSet{m: map[string]*Group{}}
	}
	if s.groups.m[name] != nil {
		return nil
	}
	g := &Group{Name: name, LastID: last, EntriesRead: entriesRead, PEL: NewPEL(), consumers: map[string]*Consumer{}}
	s.groups.m[name] = g
	s.groups.sorted = nil
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name string) bool {
	if s.Group(name) == nil {
		return false
	}
	delete(s.groups.m, name)
	s.groups.sorted = nil
	return true
}

// Groups returns the groups in name (byte) order.
func (s *Stream) Groups() []*Group {
	if s.groups == nil {
		return nil
	}
	if s.groups.sorted == nil {
		s.groups.sorted = sortedKeys(s.groups.m)
	}
	out := make([]*Group, len(s.groups.sorted))
	for i, n := range s.groups.sorted {
		out[i] = s.groups.m[n]
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// NumConsumers is the number of consumers.
func (g *Group) NumConsumers() int { return len(g.consumers) }

// Consumer returns the named consumer or nil.
func (g *Group) Consumer(name string) *Consumer { return g.consumers[name] }

// CreateConsumer adds a consumer (the name must be new).
func (g *Group) CreateConsumer(name string, now int64) *Consumer {
	c := &Consumer{Name: name, SeenTime: now, PEL: NewPEL()}
	g.consumers[name] = c
	g.sorted = nil
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the
// group's PEL; it returns how many entries it had pending.
func (g *Group) DeleteConsumer(c *Consumer) int {
	n := c.PEL.Len()
	for it := c.PEL.l.First(); it != nil; it = it.Next() {
		g.PEL.Delete(it.id)
	}
	delete(g.consumers, c.Name)
	g.sorted = nil
	return n
}

// Consumers returns the consumers in name (byte) order.
func (g *Group) Consumers() []*Consumer {
	if g.sorted == nil {
		g.sorted = sortedKeys(g.consumers)
	}
	out := make([]*Consumer, len(g.sorted))
	for i, n := range g.sorted {
		out[i] = g.consumers[n]
	}
	return out
}

// RangeHasTombstones reports whether entries in [start, end] may have
// been deleted (Redis's streamRangeHasTombstones).
func (s *Stream) RangeHasTombstones(start, end StreamID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.MaxDeletedID.Less(s.FirstID()) {
		return false
	}
	return !s.MaxDeletedID.Less(start) && !end.Less(s.MaxDeletedID)
}

// EstimateDistance returns the logical read counter of id (how many
// entries were ever added up to it), or EntriesReadInvalid when it cannot
// be known (Redis's streamEstimateDistanceFromFirstEverEntry).
func (s *Stream) EstimateDistance(id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && !s.LastID.Less(id) {
		return int64(s.EntriesAdded)
	}
	switch id.Cmp(s.LastID) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return EntriesReadInvalid
	}
	first := s.FirstID()
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(first) {
		switch id.Cmp(first) {
		case -1:
			return int64(s.EntriesAdded - s.length)
		case 0:
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return EntriesReadInvalid
}

// Lag returns the group's lag, ok false when it cannot be known.
func (s *Stream) Lag(g *Group) (int64, bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != EntriesReadInvalid && !s.RangeHasTombstones(g.LastID, MaxStreamID) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if er := s.EstimateDistance(g.LastID); er != EntriesReadInvalid {
		return int64(s.EntriesAdded) - er, true
	}
	return 0, false
}
