package acl

import "strings"

// Rendering of users and selectors as Redis 7.0 does it (ACL LIST, ACL
// GETUSER, ACL SAVE). Command rules are not kept as given: they are
// rebuilt from the permission bits, starting from +@all or -@all, then
// the best-fitting categories one by one, then the single commands still
// differing. Redis lists
// those single commands in its command table's hash order, which changes
// from run to run; polyfn lists them in name order.

// DescribeUser is the user's rules as ACL LIST shows them (without the
// leading "user <name> ").
func (a *ACL) DescribeUser(u *User) string {
	var b strings.Builder
	for i, n := range flagNames {
		if u.Flags&(1<<i) != 0 {
			b.WriteString(n)
			b.WriteByte(' ')
		}
	}
	for _, p := range u.Passwords {
		b.WriteByte('#')
		b.WriteString(p)
		b.WriteByte(' ')
	}
	for _, s := range u.Selectors {
		d := a.DescribeSelector(s)
		if s.Root {
			b.WriteString(d)
		} else {
			b.WriteString(" (")
			b.WriteString(d)
			b.WriteByte(')')
		}
	}
	return b.String()
}

// DescribeSelector renders keys, channels and command rules.
func (a *ACL) DescribeSelector(s *Selector) string {
	var b strings.Builder
	if s.AllKeys {
		b.WriteString("~* ")
	} else {
		for _, k := range s.Keys {
			b.WriteString(keyPatternString(k))
			b.WriteByte(' ')
		}
	}
	if s.AllChannels {
		b.WriteString("&* ")
	} else {
		b.WriteString("resetchannels ")
		for _, c := range s.Channels {
			b.WriteByte('&')
			b.WriteString(c)
			b.WriteByte(' ')
		}
	}
	b.WriteString(a.DescribeCommands(s))
	return b.String()
}

func keyPatternString(k KeyPattern) string {
	switch k.Perm {
	case PermAll:
		return "~" + k.Pattern
	case PermRead:
		return "%R~" + k.Pattern
	case PermWrite:
		return "%W~" + k.Pattern
	}
	return "%~" + k.Pattern
}

// DescribeKeys is the key patterns as ACL GETUSER shows them.
func DescribeKeys(s *Selector) string {
	if s.AllKeys {
		return "~*"
	}
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		parts[i] = keyPatternString(k)
	}
	return strings.Join(parts, " ")
}

// DescribeChannels is the channel patterns as ACL GETUSER shows them.
func DescribeChannels(s *Selector) string {
	if s.AllChannels {
		return "&*"
	}
	parts := make([]string, len(s.Channels))
	for i, c := range s.Channels {
		parts[i] = "&" + c
	}
	return strings.Join(parts, " ")
}

// DescribeCommands renders the selector's command rules.
func (a *ACL) DescribeCommands(s *Selector) string {
	u := a.U
	var b strings.Builder
	fake := newSelector(u, false, false)
	additive := !s.future
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	// Greedy: apply the category that fits best (more commands in
	// common with the user than different, fewest differences, then most
	// in common) until none fits. temp tracks what is left to explain.
	temp := newSelector(u, false, false)
	copy(temp.cmds, s.cmds)
	applied := make([]bool, len(Categories))
	for {
		best, minDiff, maxSame := -1, int(^uint(0)>>1), 0
		for i := range Categories {
			if applied[i] {
				continue
			}
			bit := uint32(1) << i
			on, off := 0, 0
			for _, c := range u.all {
				if c.Cats&bit != 0 {
					if temp.bit(c.ID) {
						on++
					} else {
						off++
					}
				}
			}
			diff, same := off, on
			if !additive {
				diff, same = on, off
			}
			if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
				best, minDiff, maxSame = i, diff, same
			}
		}
		if best < 0 {
			break
		}
		bit := uint32(1) << best
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(Categories[best])
		b.WriteByte(' ')
		fake.setCategory(u, bit, additive)
		temp.setCategory(u, bit, !additive)
		applied[best] = true
	}
	var walk func(cs []*Cmd)
	walk = func(cs []*Cmd) {
		for _, c := range cs {
			user := s.bit(c.ID)
			if user != fake.bit(c.ID) {
				if user {
					b.WriteByte('+')
				} else {
					b.WriteByte('-')
				}
				b.WriteString(c.Name)
				b.WriteByte(' ')
				fake.changePerm(c, user)
			}
			walk(c.Subs)
			if !user {
				for _, fa := range s.firstArgs[c.ID] {
					b.WriteByte('+')
					b.WriteString(c.Name)
					b.WriteByte('|')
					b.WriteString(fa)
					b.WriteByte(' ')
				}
			}
		}
	}
	walk(u.top)
	out := b.String()
	return out[:len(out)-1]
}
