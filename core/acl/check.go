package acl

import "strings"

// Result is the outcome of a permission check, ordered as Redis orders
// them when picking the error to report.
type Result int

const (
	OK Result = iota
	DeniedCmd
	DeniedKey
	DeniedAuth
	DeniedChannel
)

// KeyRef is a key argument: its position and whether the command reads
// (Access) and/or writes (Write) it.
type KeyRef struct {
	Pos    int
	Access bool
	Write  bool
}

// ChanRef is a channel argument; Pattern for PSUBSCRIBE's patterns, which
// must be allowed literally.
type ChanRef struct {
	Pos     int
	Pattern bool
}

// Request is a command to check. Keys and Channels are computed only when
// a selector restricts them.
type Request struct {
	Cmd      *Cmd
	NoAuth   bool // the command needs no authentication (always allowed)
	Args     [][]byte
	Keys     func() []KeyRef
	Channels func() []ChanRef
}

// Check decides whether usr may run req. On denial pos is the argument
// (key or channel) at fault, as Redis picks it: the most severe denial
// over all selectors, then the latest position.
func (usr *User) Check(req *Request) (res Result, pos int) {
	if usr.Unrestricted {
		return OK, 0
	}
	relevant, last := DeniedCmd, 0
	var keys []KeyRef
	keysDone := false
	for _, s := range usr.Selectors {
		r, p := s.check(req, &keys, &keysDone)
		if r == OK {
			return OK, 0
		}
		if r > relevant || (r == relevant && p > last) {
			relevant, last = r, p
		}
	}
	return relevant, last
}

func (s *Selector) check(req *Request, keys *[]KeyRef, keysDone *bool) (Result, int) {
	c := req.Cmd
	if !s.AllCommands && !req.NoAuth && !s.bit(c.ID) {
		idx := 1
		if c.Parent != nil {
			idx = 2
		}
		fas := s.firstArgs[c.ID]
		if len(fas) == 0 || len(req.Args) <= idx {
			return DeniedCmd, 0
		}
		found := false
		for _, fa := range fas {
			if strings.EqualFold(fa, string(req.Args[idx])) {
				found = true
				break
			}
		}
		if !found {
			return DeniedCmd, 0
		}
	}
	if !s.AllKeys && req.Keys != nil {
		if !*keysDone {
			*keys, *keysDone = req.Keys(), true
		}
		for _, k := range *keys {
			if !s.keyAllowed(string(req.Args[k.Pos]), k) {
				return DeniedKey, k.Pos
			}
		}
	}
	if !s.AllChannels && req.Channels != nil {
		for _, ch := range req.Channels() {
			if !s.channelAllowed(string(req.Args[ch.Pos]), ch.Pattern) {
				return DeniedChannel, ch.Pos
			}
		}
	}
	return OK, 0
}

func (s *Selector) keyAllowed(key string, k KeyRef) bool {
	need := 0
	if k.Access {
		need |= PermRead
	}
	if k.Write {
		need |= PermWrite
	}
	for _, p := range s.Keys {
		if p.Perm&need != need {
			continue
		}
		if Match(p.Pattern, key) {
			return true
		}
	}
	return false
}

func (s *Selector) channelAllowed(ch string, pattern bool) bool {
	for _, p := range s.Channels {
		if (pattern && p == ch) || (!pattern && Match(p, ch)) {
			return true
		}
	}
	return false
}

// CheckChannel reports whether the user may use channel (pattern: a
// PSUBSCRIBE pattern, compared literally), in any selector.
func (usr *User) CheckChannel(ch string, pattern bool) bool {
	for _, s := range usr.Selectors {
		if s.AllChannels || s.channelAllowed(ch, pattern) {
			return true
		}
	}
	return false
}

// Match is the glob matcher used for key and channel patterns; core
// installs Redis's stringmatchlen.
var Match func(pattern, s string) bool
