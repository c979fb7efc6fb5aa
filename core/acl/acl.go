package acl

import (
	"sort"
	"strconv"
	"strings"
)

// ACL is the set of users.
type ACL struct {
	U     *Universe
	users map[string]*User
	// Default is the default user (never removed).
	Default *User
	// PubSubDefaultAll is acl-pubsub-default allchannels: new users and
	// selectors start with all channels.
	PubSubDefaultAll bool
}

// New returns an ACL with only the default user: on, nopass, all
// commands, keys and channels.
func New(u *Universe) *ACL {
	a := &ACL{U: u, users: map[string]*User{}}
	a.Default = a.newDefault()
	a.users["default"] = a.Default
	return a
}

func (a *ACL) newDefault() *User {
	d := newUser(a.U, "default", false)
	for _, r := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		_ = d.apply(a, r)
	}
	d.refresh()
	return d
}

// Get returns a user by name (nil when none).
func (a *ACL) Get(name string) *User { return a.users[name] }

// Names returns the user names, sorted.
func (a *ACL) Names() []string {
	out := make([]string, 0, len(a.users))
	for n := range a.users {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SetUserError is a rule that failed: Op is the rule as given.
type SetUserError struct {
	Op  string
	Err error
}

func (e *SetUserError) Error() string {
	return "Error in ACL SETUSER modifier '" + e.Op + "': " + e.Err.Error()
}

// MergeSelectors joins arguments that form one "(...)" selector written
// over several arguments. bad is the index of an unterminated one (-1).
func MergeSelectors(args []string) (out []string, bad int) {
	open := -1
	var cur string
	for j, op := range args {
		// As Redis, an opening token starts a selector even inside
		// another one, which is then dropped.
		if len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			cur, open = op, j
			continue
		}
		if open != -1 {
			cur += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				out = append(out, cur)
			}
			continue
		}
		out = append(out, op)
	}
	if open != -1 {
		return nil, open
	}
	return out, -1
}

// SetUser applies rules (already merged) to the named user, creating it if
// needed. Either all rules apply or none. It returns the user and, when
// it existed, the state before the change.
func (a *ACL) SetUser(name string, rules []string) (usr, old *User, err error) {
	existing := a.users[name]
	var tmp *User
	if existing != nil {
		tmp = existing.clone()
	} else {
		tmp = newUser(a.U, name, a.PubSubDefaultAll)
	}
	for _, r := range rules {
		if err := tmp.apply(a, r); err != nil {
			return nil, nil, &SetUserError{r, err}
		}
	}
	if existing == nil {
		tmp.refresh()
		a.users[name] = tmp
		return tmp, nil, nil
	}
	old = existing.clone()
	existing.copyFrom(tmp)
	return existing, old, nil
}

// Delete removes a user; it reports whether it existed. The default user
// cannot be removed (the caller checks).
func (a *ACL) Delete(name string) *User {
	u := a.users[name]
	if u != nil {
		delete(a.users, name)
		u.Deleted = true
	}
	return u
}

// Replace installs a new set of users (ACL LOAD). The default user
// object is kept and updated in place.
func (a *ACL) Replace(users map[string]*User) {
	for n, u := range a.users {
		if users[n] == nil || n != "default" {
			if n != "default" {
				u.Deleted = true
			}
		}
	}
	d := users["default"]
	if d == nil {
		d = a.newDefault()
	}
	a.Default.copyFrom(d)
	users["default"] = a.Default
	a.users = users
}

// Parse builds users from ACL file lines ("user name rules..."), without
// installing them. Errors name the line.
func (a *ACL) Parse(lines []string) (map[string]*User, []string) {
	users := map[string]*User{}
	var errs []string
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		args, ok := SplitArgs(line)
		if !ok {
			errs = append(errs, strconv.Itoa(i+1)+": unbalanced quotes in acl line. ")
			continue
		}
		if len(args) == 0 {
			continue
		}
		if args[0] != "user" || len(args) < 2 {
			errs = append(errs, strconv.Itoa(i+1)+": line should start with user keyword. ")
			continue
		}
		name := args[1]
		if hasSpaces(name) {
			errs = append(errs, strconv.Itoa(i+1)+": username can't contain spaces or null characters. ")
			continue
		}
		if users[name] != nil {
			errs = append(errs, strconv.Itoa(i+1)+": "+ErrDuplicate.Error()+". ")
			continue
		}
		rules, bad := MergeSelectors(args[2:])
		if bad >= 0 {
			errs = append(errs, strconv.Itoa(i+1)+": Unmatched parenthesis in acl selector starting at '"+args[2+bad]+"'. ")
			continue
		}
		u := newUser(a.U, name, a.PubSubDefaultAll)
		failed := false
		for _, r := range rules {
			if err := u.apply(a, r); err != nil {
				errs = append(errs, strconv.Itoa(i+1)+": Error in applying operation '"+r+"': "+err.Error()+". ")
				failed = true
				break
			}
		}
		if failed {
			continue
		}
		u.refresh()
		users[name] = u
	}
	return users, errs
}

// SplitArgs splits a line as redis-cli and config files do: spaces
// separate arguments, "..." (with escapes) and '...' quote them.
func SplitArgs(line string) ([]string, bool) {
	var out []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r') {
			i++
		}
		if i >= len(line) {
			return out, true
		}
		var b strings.Builder
		inq, insq := false, false
		for ; i < len(line); i++ {
			c := line[i]
			switch {
			case inq:
				if c == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					case 'a':
						b.WriteByte('\a')
					case 'b':
						b.WriteByte('\b')
					case 'x':
						if i+2 < len(line) {
							if v, err := strconv.ParseUint(line[i+1:i+3], 16, 8); err == nil {
								b.WriteByte(byte(v))
								i += 2
								continue
							}
						}
						b.WriteByte('x')
					default:
						b.WriteByte(line[i])
					}
				} else if c == '"' {
					if i+1 < len(line) && line[i+1] != ' ' {
						return nil, false
					}
					inq = false
					i++
					goto next
				} else {
					b.WriteByte(c)
				}
			case insq:
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					i++
					b.WriteByte('\'')
				} else if c == '\'' {
					if i+1 < len(line) && line[i+1] != ' ' {
						return nil, false
					}
					insq = false
					i++
					goto next
				} else {
					b.WriteByte(c)
				}
			default:
				switch c {
				case ' ', '\n', '\r', '\t':
					goto next
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					b.WriteByte(c)
				}
			}
		}
		if inq || insq {
			return nil, false
		}
	next:
		out = append(out, b.String())
	}
}
