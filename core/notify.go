package core

import (
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Keyspace notifications (notify-keyspace-events): every handler that
// changes a key calls Ctx.Notify with the event's class and name, right
// after the change and in the order Redis 7.0 emits them (for example
// LMOVE publishes the push on the destination, then the pop on the
// source; a pop that empties a list publishes "lpop", then "del").
// Besides the command events, the server publishes:
//
//   - "new" (class n) when a key is added to the keyspace (Ctx.Store and
//     the handlers that create a collection), before the command's event;
//   - "expired" (class x) for keys removed because their time passed, by
//     a command (lazy expiry) or the active expiry cycle;
//   - "evicted" (class e) for keys removed by maxmemory (evict.go);
//   - "keymiss" (class m) for a read lookup of a missing key (Ctx.Read).
//
// With notifications off (the default) Notify costs one atomic load and
// a branch.

// Notify publishes the keyspace event of class for key in the command's
// database, when notify-keyspace-events enables the class.
func (ctx *Ctx) Notify(class int64, event string, key []byte) {
	if ctx.S.Config.notifyFlags.Load()&class != 0 {
		ctx.publish(event, key)
	}
}

// publish is Notify's slow path, kept apart so that Notify inlines.
//
//go:noinline
func (ctx *Ctx) publish(event string, key []byte) {
	ctx.S.publishKeyspaceEvent(event, key, ctx.DB.ID)
}

// notifyOn reports whether events of class are published.
func (s *Server) notifyOn(class int64) bool {
	return s.Config.notifyFlags.Load()&class != 0
}

// notifyKeyspaceEvent publishes the event of class for key in database
// db when notify-keyspace-events enables the class.
func (s *Server) notifyKeyspaceEvent(class int64, event string, key []byte, db int) {
	if s.notifyOn(class) {
		s.publishKeyspaceEvent(event, key, db)
	}
}

// publishKeyspaceEvent is the slow path of notifyKeyspaceEvent and
// Notify: it publishes on __keyspace@<db>__:<key> (the event as message)
// and on __keyevent@<db>__:<event> (the key as message), as the K and E
// flags ask.
func (s *Server) publishKeyspaceEvent(event string, key []byte, db int) {
	flags := s.Config.NotifyFlags()
	prefix := "@" + strconv.Itoa(db) + "__:"
	if flags&NotifyKeyspace != 0 {
		s.PubSub.Publish(append([]byte("__keyspace"+prefix), key...), []byte(event), false)
	}
	if flags&NotifyKeyevent != 0 {
		s.PubSub.Publish([]byte("__keyevent"+prefix+event), key, false)
	}
}

// notifyNewIfAbsent is called right before a handler stores key without
// having looked it up. As Redis's setKey does, it first removes the key
// if its time has passed ("expired"), then publishes "new" when the key
// is absent. With neither class enabled it does nothing.
func (ctx *Ctx) notifyNewIfAbsent(key []byte) {
	if ctx.S.notifyOn(NotifyNew|NotifyExpired) && ctx.DB.GetForWrite(keyspace.Str(key), ctx.Now) == nil {
		ctx.Notify(NotifyNew, "new", key)
	}
}
