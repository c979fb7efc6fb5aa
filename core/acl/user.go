package acl

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
)

// Rule errors, with the texts Redis appends to "Error in ACL SETUSER
// modifier '...': ".
var (
	ErrUnknownCmd  = errors.New("Unknown command or category name in ACL")
	ErrSyntax      = errors.New("Syntax error")
	ErrKeysAll     = errors.New("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
	ErrChannelsAll = errors.New("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
	ErrNoSuchPass  = errors.New("The password you are trying to remove from the user does not exist")
	ErrBadHash     = errors.New("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	ErrDuplicate   = errors.New("Duplicate user found. A user can only be defined once in config files")
	ErrFirstArgSub = errors.New("Allowing first-arg of a subcommand is not supported")
)

// User flags, in Redis's rendering order.
const (
	FlagOn = 1 << iota
	FlagOff
	FlagNoPass
	FlagSkipSanitize
	FlagSanitize
)

var flagNames = []string{"on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"}

// User is one ACL user. A user is changed in place (ACL SETUSER copies the
// validated copy over it), so clients authenticated as it see the change.
type User struct {
	Name      string
	Flags     int
	Passwords []string // SHA-256 hex digests, in insertion order
	Selectors []*Selector
	// Unrestricted caches "the root selector allows everything": the
	// dispatcher's fast path. Recomputed on every change.
	Unrestricted bool
	// Deleted is set when the user is removed (clients still pointing at
	// it are being disconnected).
	Deleted bool
}

func newUser(u *Universe, name string, allChannels bool) *User {
	usr := &User{Name: name, Flags: FlagOff}
	usr.Selectors = []*Selector{newSelector(u, true, allChannels)}
	return usr
}

// Root is the user's root selector.
func (usr *User) Root() *Selector { return usr.Selectors[0] }

// Enabled reports whether the user is on.
func (usr *User) Enabled() bool { return usr.Flags&FlagOn != 0 }

// NoPass reports whether any password is accepted.
func (usr *User) NoPass() bool { return usr.Flags&FlagNoPass != 0 }

func (usr *User) clone() *User {
	c := *usr
	c.Passwords = append([]string(nil), usr.Passwords...)
	c.Selectors = make([]*Selector, len(usr.Selectors))
	for i, s := range usr.Selectors {
		c.Selectors[i] = s.clone()
	}
	return &c
}

func (usr *User) copyFrom(o *User) {
	name, deleted := usr.Name, usr.Deleted
	*usr = *o
	usr.Name, usr.Deleted = name, deleted
	usr.refresh()
}

func (usr *User) refresh() { usr.Unrestricted = usr.Root().unrestricted() }

// HashPassword is the SHA-256 hex digest ACL stores for a password.
func HashPassword(p string) string {
	h := sha256.Sum256([]byte(p))
	return hex.EncodeToString(h[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CheckPassword reports whether pass is one of the user's passwords (or
// the user is nopass). Comparisons take the same time for every hash.
func (usr *User) CheckPassword(pass string) bool {
	if usr.NoPass() {
		return true
	}
	h := HashPassword(pass)
	ok := false
	for _, p := range usr.Passwords {
		if subtle.ConstantTimeCompare([]byte(p), []byte(h)) == 1 {
			ok = true
		}
	}
	return ok
}

// apply applies one user rule (a selector rule goes to the root).
func (usr *User) apply(a *ACL, op string) error {
	if op == "" {
		return nil
	}
	lop := strings.ToLower(op)
	switch lop {
	case "on":
		usr.Flags = usr.Flags&^FlagOff | FlagOn
		return nil
	case "off":
		usr.Flags = usr.Flags&^FlagOn | FlagOff
		return nil
	case "skip-sanitize-payload":
		usr.Flags = usr.Flags&^FlagSanitize | FlagSkipSanitize
		return nil
	case "sanitize-payload":
		usr.Flags = usr.Flags&^FlagSkipSanitize | FlagSanitize
		return nil
	case "nopass":
		usr.Flags |= FlagNoPass
		usr.Passwords = nil
		return nil
	case "resetpass":
		usr.Flags &^= FlagNoPass
		usr.Passwords = nil
		return nil
	case "clearselectors":
		usr.Selectors = usr.Selectors[:1]
		return nil
	case "reset":
		for _, r := range []string{"resetpass", "resetkeys", "resetchannels"} {
			_ = usr.apply(a, r)
		}
		if a.PubSubDefaultAll {
			_ = usr.apply(a, "allchannels")
		}
		for _, r := range []string{"off", "sanitize-payload", "clearselectors", "-@all"} {
			_ = usr.apply(a, r)
		}
		return nil
	}
	switch op[0] {
	case '>', '#':
		h := op[1:]
		if op[0] == '>' {
			h = HashPassword(h)
		} else if !validHash(h) {
			return ErrBadHash
		}
		found := false
		for _, p := range usr.Passwords {
			if p == h {
				found = true
			}
		}
		if !found {
			usr.Passwords = append(usr.Passwords, h)
		}
		usr.Flags &^= FlagNoPass
		return nil
	case '<', '!':
		h := op[1:]
		if op[0] == '<' {
			h = HashPassword(h)
		} else if !validHash(h) {
			return ErrBadHash
		}
		for i, p := range usr.Passwords {
			if p == h {
				usr.Passwords = append(usr.Passwords[:i:i], usr.Passwords[i+1:]...)
				return nil
			}
		}
		return ErrNoSuchPass
	case '(':
		if op[len(op)-1] == ')' {
			sel := newSelector(a.U, false, a.PubSubDefaultAll)
			args, ok := SplitArgs(op[1 : len(op)-1])
			if !ok {
				return ErrSyntax
			}
			for _, r := range args {
				if err := sel.apply(a.U, r); err != nil {
					return err
				}
			}
			usr.Selectors = append(usr.Selectors, sel)
			return nil
		}
	}
	return usr.Root().apply(a.U, op)
}
