package acl

import (
	"strings"
)

// Key permissions of a key pattern (%R~, %W~, %RW~ or ~).
const (
	PermRead  = 1
	PermWrite = 2
	PermAll   = PermRead | PermWrite
)

// KeyPattern is one key pattern with the access it grants.
type KeyPattern struct {
	Pattern string
	Perm    int
}

// Selector is a set of permissions: the user's root permissions or one of
// its additional selectors. A command is allowed when one selector allows
// the command, all its keys and all its channels.
type Selector struct {
	Root        bool
	AllKeys     bool
	AllChannels bool
	// AllCommands is Redis's SELECTOR_FLAG_ALLCOMMANDS: set by +@all,
	// cleared as soon as any command is removed.
	AllCommands bool
	// future is Redis's reserved command bit: set by +@all / allcommands,
	// cleared by -@all / nocommands only. It decides whether rules render
	// as "+@all ..." or "-@all ...".
	future    bool
	cmds      []uint64
	firstArgs map[int][]string
	Keys      []KeyPattern
	Channels  []string
}

func newSelector(u *Universe, root bool, allChannels bool) *Selector {
	return &Selector{Root: root, AllChannels: allChannels, cmds: make([]uint64, (u.Len()+63)/64)}
}

func (s *Selector) clone() *Selector {
	c := *s
	c.cmds = append([]uint64(nil), s.cmds...)
	c.Keys = append([]KeyPattern(nil), s.Keys...)
	c.Channels = append([]string(nil), s.Channels...)
	if s.firstArgs != nil {
		c.firstArgs = map[int][]string{}
		for k, v := range s.firstArgs {
			c.firstArgs[k] = append([]string(nil), v...)
		}
	}
	return &c
}

func (s *Selector) bit(id int) bool { return s.cmds[id/64]&(1<<(id%64)) != 0 }

func (s *Selector) setBit(id int, v bool) {
	if v {
		s.cmds[id/64] |= 1 << (id % 64)
	} else {
		s.cmds[id/64] &^= 1 << (id % 64)
		s.AllCommands = false
	}
}

// changePerm allows or denies a command and all its subcommands.
func (s *Selector) changePerm(c *Cmd, allow bool) {
	s.setBit(c.ID, allow)
	delete(s.firstArgs, c.ID)
	for _, sub := range c.Subs {
		s.setBit(sub.ID, allow)
	}
}

func (s *Selector) setCategory(u *Universe, bit uint32, allow bool) {
	var walk func(cs []*Cmd)
	walk = func(cs []*Cmd) {
		for _, c := range cs {
			if c.Cats&bit != 0 {
				s.changePerm(c, allow)
			}
			walk(c.Subs)
		}
	}
	walk(u.top)
}

func (s *Selector) setAll(allow bool) {
	for i := range s.cmds {
		if allow {
			s.cmds[i] = ^uint64(0)
		} else {
			s.cmds[i] = 0
		}
	}
	s.AllCommands, s.future = allow, allow
	s.firstArgs = nil
}

func hasSpaces(s string) bool { return strings.ContainsAny(s, " \x00") }

// apply applies one selector rule.
func (s *Selector) apply(u *Universe, op string) error {
	if op == "" {
		return nil
	}
	switch lop := strings.ToLower(op); {
	case lop == "allkeys" || op == "~*":
		s.AllKeys, s.Keys = true, nil
		return nil
	case lop == "resetkeys":
		s.AllKeys, s.Keys = false, nil
		return nil
	case lop == "allchannels" || op == "&*":
		s.AllChannels, s.Channels = true, nil
		return nil
	case lop == "resetchannels":
		s.AllChannels, s.Channels = false, nil
		return nil
	case lop == "allcommands" || lop == "+@all":
		s.setAll(true)
		return nil
	case lop == "nocommands" || lop == "-@all":
		s.setAll(false)
		return nil
	}
	switch {
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.AllChannels {
			return ErrChannelsAll
		}
		ch := op[1:]
		if hasSpaces(ch) {
			return ErrSyntax
		}
		for _, c := range s.Channels {
			if c == ch {
				return nil
			}
		}
		s.Channels = append(s.Channels, ch)
		return nil
	case op[0] == '+' && !strings.HasPrefix(op, "+@"):
		return s.allowCommand(u, op[1:])
	case op[0] == '-' && !strings.HasPrefix(op, "-@"):
		c := u.Lookup(op[1:])
		if c == nil {
			return ErrUnknownCmd
		}
		s.changePerm(c, false)
		return nil
	case op[0] == '+' || op[0] == '-':
		bit := CategoryBit(op[2:])
		if bit == 0 {
			return ErrUnknownCmd
		}
		s.setCategory(u, bit, op[0] == '+')
		return nil
	}
	return ErrSyntax
}

func (s *Selector) addKeyPattern(op string) error {
	if s.AllKeys {
		return ErrKeysAll
	}
	perm, off := 0, 1
	if op[0] == '%' {
		for ; off < len(op); off++ {
			switch ch := op[off]; {
			case (ch == 'R' || ch == 'r') && perm&PermRead == 0:
				perm |= PermRead
			case (ch == 'W' || ch == 'w') && perm&PermWrite == 0:
				perm |= PermWrite
			case ch == '~':
				off++
				goto done
			default:
				return ErrSyntax
			}
		}
	done:
		if perm == 0 {
			return ErrSyntax
		}
	} else {
		perm = PermAll
	}
	pat := op[off:]
	if hasSpaces(pat) {
		return ErrSyntax
	}
	// Only "~*" itself (and allkeys) means all keys: "%RW~*" is a pattern
	// like any other, described as "~*", after which more may be added.
	for i := range s.Keys {
		if s.Keys[i].Pattern == pat {
			s.Keys[i].Perm |= perm
			return nil
		}
	}
	s.Keys = append(s.Keys, KeyPattern{pat, perm})
	return nil
}

func (s *Selector) allowCommand(u *Universe, name string) error {
	base, sub, hasSub := cutLast(name, '|')
	if !hasSub {
		c := u.Lookup(name)
		if c == nil {
			return ErrUnknownCmd
		}
		s.changePerm(c, true)
		return nil
	}
	c := u.Lookup(base)
	if c == nil {
		return ErrUnknownCmd
	}
	if c.Parent != nil {
		return ErrFirstArgSub
	}
	if sub == "" {
		return ErrSyntax
	}
	if c.Container {
		sc := u.Lookup(name)
		if sc == nil {
			return ErrUnknownCmd
		}
		s.changePerm(sc, true)
		return nil
	}
	if s.firstArgs == nil {
		s.firstArgs = map[int][]string{}
	}
	for _, a := range s.firstArgs[c.ID] {
		if strings.EqualFold(a, sub) {
			return nil
		}
	}
	s.firstArgs[c.ID] = append(s.firstArgs[c.ID], sub)
	return nil
}

func cutLast(s string, sep byte) (string, string, bool) {
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// unrestricted reports whether the selector allows everything.
func (s *Selector) unrestricted() bool { return s.AllCommands && s.AllKeys && s.AllChannels }
