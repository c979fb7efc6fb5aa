package keyspace

import "github.com/polyfn/polyfn/core/dict"

// Copy-on-write snapshots: a consistent view of a DB as it was at one
// instant, read a little at a time while commands keep changing the DB
// (BGSAVE without fork; see core/persist/RATIONALE.md).
//
// Every entry carries a generation mark. A snapshot of generation g
// walks the DB's tables with a resumable Scan cursor and hands each entry
// whose mark is not g to its consumer, marking it g. Before any change to
// an entry (GetForWrite, Set, SetString, SetEntry, Delete, SetExpire,
// Persist, and deletions by expiry) the DB calls beforeChange, which hands
// the entry's old value to the consumer first when its mark is not g yet,
// and marks it. Keys created during the snapshot are born with mark g and
// are never seen. So each key present when the snapshot started is handed
// over exactly once, with the value and expiry it had at the start.
//
// Flush hands the whole tables over to the snapshot (new tables replace
// them) and SwapContents moves the hook along with the tables, so a
// snapshot always describes the tables of the DB it started on.

// COW is a snapshot's hook on the tables of one DB.
type COW struct {
	// Gen is the snapshot's generation mark.
	Gen uint8
	// Save receives a key present at the start that is about to change
	// or vanish, with its entry and expiry time (unix ms, -1 for none),
	// before the change. It must copy or serialise what it keeps: the
	// entry changes right after it returns.
	Save func(key string, e *Entry, expireAt int64)
}

// beforeChange runs the snapshot hook on an entry about to change.
func (db *DB) beforeChange(key string, e *Entry) {
	if c := db.cow; c != nil && e.gen != c.Gen {
		e.gen = c.Gen
		c.Save(key, e, db.expireOf(key, e))
	}
}

// BeforeChange must be called before changing in place the entry of a
// key obtained by Get rather than GetForWrite (XREADGROUP updating a
// consumer group): it lets a running snapshot save the old value.
func (db *DB) BeforeChange(key string) {
	if db.cow != nil {
		if e := db.keys.Get(key); e != nil {
			db.beforeChange(key, e)
		}
	}
}

func (db *DB) expireOf(key string, e *Entry) int64 {
	if e.hasExpire {
		if at := db.expires.Get(key); at != nil {
			return *at
		}
	}
	return -1
}

// Snapshot walks the tables a DB had when StartSnapshot was called.
type Snapshot struct {
	cow     *COW
	keys    *dict.Dict[Entry]
	expires *dict.Dict[int64]
	cursor  uint64
	done    bool
	// Keys and Expires are the table sizes at the start (RESIZEDB).
	Keys, Expires int
}

// StartSnapshot installs c as the DB's snapshot hook and returns the
// walker of its current tables. New keys are born with mark c.Gen from
// now on. The caller holds the keyspace lock.
func (db *DB) StartSnapshot(c *COW) *Snapshot {
	db.cow = c
	db.gen = c.Gen
	return &Snapshot{cow: c, keys: db.keys, expires: db.expires, Keys: db.keys.Len(), Expires: db.expires.Len()}
}

// StopSnapshot removes c from the DB if it is installed there (after a
// SWAPDB it may be on another DB: call it on every DB).
func (db *DB) StopSnapshot(c *COW) {
	if db.cow == c {
		db.cow = nil
	}
}

// Step visits up to buckets buckets of the snapshot's key table, calling
// fn with each entry not handed over yet (and marking it), and reports
// whether keys remain. The caller holds the keyspace lock.
func (sn *Snapshot) Step(buckets int, fn func(key string, e *Entry, expireAt int64)) bool {
	if sn.done {
		return false
	}
	g := sn.cow.Gen
	visit := func(key string, e *Entry) {
		if e.gen == g {
			return
		}
		e.gen = g
		at := int64(-1)
		if e.hasExpire {
			if p := sn.expires.Get(key); p != nil {
				at = *p
			}
		}
		fn(key, e, at)
	}
	for i := 0; i < buckets; i++ {
		sn.cursor = sn.keys.Scan(sn.cursor, visit)
		if sn.cursor == 0 {
			sn.done = true
			return false
		}
	}
	return true
}
