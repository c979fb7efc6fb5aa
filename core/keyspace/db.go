// Package keyspace holds one logical database: keys, their values and their
// expiry times. It knows nothing of commands or the protocol; the core
// serialises access to it.
//
// Reads never delete: a key whose time has passed is simply reported absent
// (Get), so that read-only work can later run in parallel. Writers and the
// active expiry cycle remove expired keys (GetForWrite, ActiveExpire).
package keyspace

import (
	"unsafe"

	"github.com/polyfn/polyfn/core/dict"
)

// Kind is a value's Redis type.
type Kind uint8

const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

var kindNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream"}

// String returns the name TYPE reports.
func (k Kind) String() string { return kindNames[k] }

// Typed is implemented by every non-string value type.
type Typed interface {
	Kind() Kind
	// Encoding is the name OBJECT ENCODING reports ("listpack",
	// "hashtable", "quicklist", "intset", "skiplist", ...).
	Encoding() string
	// Copy returns a deep copy (COPY, and later snapshots).
	Copy() Typed
}

// Entry is one key's value and metadata. Strings are stored as []byte;
// other types as pointers implementing Typed.
type Entry struct {
	Value any
	// LRU is the access clock (seconds, see Clock) used by OBJECT IDLETIME.
	LRU uint32
	// Raw marks a string modified in place (APPEND, SETRANGE, SETBIT...),
	// which Redis reports with the "raw" encoding whatever its length.
	Raw bool
	// NotInt marks a short string that reads as an integer but that Redis
	// keeps as a string object (INCRBYFLOAT results: "embstr", not "int").
	NotInt    bool
	hasExpire bool
	// gen is the snapshot generation that already holds this key (see
	// COW); it fits in the struct's padding.
	gen uint8
}

// Kind returns the type of the entry's value.
func (e *Entry) Kind() Kind {
	switch v := e.Value.(type) {
	case []byte:
		return KindString
	case Typed:
		return v.Kind()
	}
	return KindNone
}

// DB is one numbered database.
type DB struct {
	ID      int
	keys    *dict.Dict[Entry]
	expires *dict.Dict[int64]
	// expireCursor is where the active expiry cycle resumes.
	expireCursor uint64
	// cow is the running background snapshot of this DB's tables, if any;
	// gen is the generation new keys are born into.
	cow *COW
	gen uint8
	// OnExpire, when set, is called with each key that GetForWrite or
	// the active expiry cycle removes because its time has passed, after
	// the removal (persistence records it as a DEL).
	OnExpire func(db *DB, key string)
}

// New returns an empty database.
func New(id int) *DB {
	return &DB{ID: id, keys: dict.New[Entry](), expires: dict.New[int64]()}
}

// Str views b as a string without copying, for lookups only: the result
// must not be retained.
func Str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Len is the number of keys, including expired keys not yet removed.
func (db *DB) Len() int { return db.keys.Len() }

// ExpiresLen is the number of keys with a time to live.
func (db *DB) ExpiresLen() int { return db.expires.Len() }

func (db *DB) expired(key string, e *Entry, now int64) bool {
	if !e.hasExpire {
		return false
	}
	at := db.expires.Get(key)
	return at != nil && *at <= now
}

// Get returns the live entry under key or nil; it never deletes.
func (db *DB) Get(key string, now int64) *Entry {
	e := db.keys.Get(key)
	if e == nil || db.expired(key, e, now) {
		return nil
	}
	return e
}

// GetForWrite returns the live entry under key or nil, first removing the
// key if it has expired.
func (db *DB) GetForWrite(key string, now int64) *Entry {
	e := db.keys.Get(key)
	if e == nil {
		return nil
	}
	if db.expired(key, e, now) {
		db.Delete(key)
		if db.OnExpire != nil {
			db.OnExpire(db, key)
		}
		return nil
	}
	db.beforeChange(key, e)
	return e
}

// Set stores value under key (key may be a view: it is copied when new). Unless keepTTL, any time to
// live is removed. The returned entry may be adjusted by the caller.
func (db *DB) Set(key string, value any, keepTTL bool) *Entry {
	e, created := db.keys.Upsert(key)
	if created {
		e.gen = db.gen
	} else {
		db.beforeChange(key, e)
	}
	had := e.hasExpire
	*e = Entry{Value: value, LRU: e.LRU, gen: e.gen}
	if had {
		if keepTTL {
			e.hasExpire = true
		} else {
			db.expires.Delete(key)
		}
	}
	return e
}

// SetEntry stores under key a copy of src: its value and every metadata
// field but the time to live, which is removed (RENAME, MOVE and COPY
// then set the source's). The returned entry may be adjusted.
func (db *DB) SetEntry(key string, src *Entry) *Entry {
	e := db.Set(key, src.Value, false)
	gen := e.gen
	*e = *src
	e.hasExpire = false
	e.gen = gen
	return e
}

// SetString stores a copy of val under key, as Set would with
// bytes.Clone(val). When key already holds a string whose buffer fits val
// snugly, that buffer is overwritten in place instead: no allocation at
// all when the length is unchanged (the hot path of SET on existing keys).
func (db *DB) SetString(key string, val []byte, keepTTL bool) *Entry {
	e, created := db.keys.Upsert(key)
	if created {
		e.gen = db.gen
	} else {
		db.beforeChange(key, e)
	}
	var v any
	if old, ok := e.Value.([]byte); !created && ok && len(val) <= cap(old) && cap(old) <= 2*len(val)+32 {
		if len(old) == len(val) {
			copy(old, val)
			v = e.Value // keep the boxed slice header
		} else {
			old = old[:len(val)]
			copy(old, val)
			v = old
		}
	} else {
		v = append(make([]byte, 0, len(val)), val...)
	}
	had := e.hasExpire
	*e = Entry{Value: v, LRU: e.LRU, gen: e.gen}
	if had {
		if keepTTL {
			e.hasExpire = true
		} else {
			db.expires.Delete(key)
		}
	}
	return e
}

// Delete removes key and reports whether it existed (expired or not).
func (db *DB) Delete(key string) bool {
	e := db.keys.Get(key)
	if e == nil {
		return false
	}
	db.beforeChange(key, e)
	if e.hasExpire {
		db.expires.Delete(key)
	}
	return db.keys.Delete(key)
}

// Expire returns the key's expiry time in unix milliseconds, if it has one.
func (db *DB) Expire(key string) (int64, bool) {
	if at := db.expires.Get(key); at != nil {
		return *at, true
	}
	return 0, false
}

// SetExpire sets the expiry time (unix ms) of an existing key.
func (db *DB) SetExpire(key string, at int64) {
	e := db.keys.Get(key)
	if e == nil {
		return
	}
	db.beforeChange(key, e)
	if !e.hasExpire {
		e.hasExpire = true
		db.expires.Set(key, at)
		return
	}
	*db.expires.Get(key) = at
}

// Persist removes the key's time to live and reports whether it had one.
func (db *DB) Persist(key string) bool {
	e := db.keys.Get(key)
	if e == nil || !e.hasExpire {
		return false
	}
	db.beforeChange(key, e)
	e.hasExpire = false
	return db.expires.Delete(key)
}

// Flush removes every key.
func (db *DB) Flush() {
	if db.cow != nil {
		// A snapshot is walking these tables: hand them over to it whole
		// and start afresh, instead of saving every key one by one.
		db.keys, db.expires, db.cow = dict.New[Entry](), dict.New[int64](), nil
	} else {
		db.keys.Clear()
		db.expires.Clear()
	}
	db.expireCursor = 0
}

// SwapContents exchanges the keys of two databases (SWAPDB).
func SwapContents(a, b *DB) {
	a.keys, b.keys = b.keys, a.keys
	a.expires, b.expires = b.expires, a.expires
	// A snapshot's hook belongs to the tables it walks.
	a.cow, b.cow = b.cow, a.cow
	a.expireCursor, b.expireCursor = 0, 0
}

// Scan visits one bucket of the key table; see dict.Dict.Scan. Expired
// keys are included: callers filter with Get.
func (db *DB) Scan(cursor uint64, fn func(key string, e *Entry)) uint64 {
	return db.keys.Scan(cursor, fn)
}

// Range calls fn for every key (expired ones included) until it returns
// false. fn must not add or remove keys.
func (db *DB) Range(fn func(key string, e *Entry) bool) { db.keys.Range(fn) }

// Random returns a random key that is not expired, or false when there is
// none. Like Redis it gives up after a bounded number of expired samples.
func (db *DB) Random(now int64) (string, bool) {
	for tries := 0; tries < 100; tries++ {
		k, e, ok := db.keys.Random()
		if !ok {
			return "", false
		}
		if !db.expired(k, e, now) {
			return k, true
		}
	}
	return "", false
}

// ActiveExpire samples keys with a time to live, resuming where the last
// call stopped, and deletes up to budget buckets' worth of expired ones.
// It returns how many keys it sampled and how many it deleted.
func (db *DB) ActiveExpire(now int64, budget int) (sampled, deleted int) {
	return db.ActiveExpireFunc(now, budget, nil)
}

// ActiveExpireFunc is ActiveExpire calling gone (when not nil) with each
// key it deletes.
func (db *DB) ActiveExpireFunc(now int64, budget int, gone func(key string)) (sampled, deleted int) {
	var dead []string
	for i := 0; i < budget && db.expires.Len() > 0; i++ {
		db.expireCursor = db.expires.Scan(db.expireCursor, func(k string, at *int64) {
			sampled++
			if *at <= now {
				dead = append(dead, k)
			}
		})
		if db.expireCursor == 0 {
			break
		}
	}
	for _, k := range dead {
		db.Delete(k)
		if db.OnExpire != nil {
			db.OnExpire(db, k)
		}
		if gone != nil {
			gone(k)
		}
	}
	return sampled, len(dead)
}

// SampleKeys calls fn for up to n keys taken near a random spot of the
// key table (expired keys included), for eviction's sampling.
func (db *DB) SampleKeys(n int, fn func(key string, e *Entry)) { db.keys.Sample(n, fn) }

// SampleVolatile is SampleKeys over the keys with a time to live, with
// each key's expiry time (unix ms).
func (db *DB) SampleVolatile(n int, fn func(key string, e *Entry, at int64)) {
	db.expires.Sample(n, func(k string, at *int64) {
		if e := db.keys.Get(k); e != nil {
			fn(k, e, *at)
		}
	})
}

// RandomKey returns a random key, expired or not, and whether there was
// one; volatile restricts the choice to keys with a time to live.
func (db *DB) RandomKey(volatile bool) (string, bool) {
	var k string
	var ok bool
	if volatile {
		k, _, ok = db.expires.Random()
	} else {
		k, _, ok = db.keys.Random()
	}
	return k, ok
}
