// Package dict is the hash table under the keyspace and under the
// hashtable encodings of hashes, sets and sorted sets.
//
// Go's built-in map cannot resume an iteration, and SCAN/HSCAN/SSCAN/ZSCAN
// need a cursor that survives between calls and across table resizes. Dict
// is a chained hash table with a power-of-two bucket array, scanned with
// Redis's reverse-binary cursor, which visits every element present for the
// whole scan at least once however often the table grows or shrinks.
//
// A Dict is not safe for concurrent use; the keyspace serialises access.
package dict

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"strings"
)

type node[V any] struct {
	key  string
	next *node[V]
	val  V
}

// Dict maps string keys to values of type V.
type Dict[V any] struct {
	table []*node[V]
	count int
	seed  maphash.Seed
}

const minSize = 4

// New returns an empty dict.
func New[V any]() *Dict[V] {
	return &Dict[V]{seed: maphash.MakeSeed()}
}

func (d *Dict[V]) hash(key string) uint64 { return maphash.String(d.seed, key) }

// Len returns the number of elements.
func (d *Dict[V]) Len() int { return d.count }

// Buckets returns the size of the bucket array (for OBJECT/DEBUG reports).
func (d *Dict[V]) Buckets() int { return len(d.table) }

// Get returns a pointer to the value stored under key, or nil. The pointer
// stays valid until the key is deleted.
func (d *Dict[V]) Get(key string) *V {
	if d.count == 0 {
		return nil
	}
	for n := d.table[d.hash(key)&uint64(len(d.table)-1)]; n != nil; n = n.next {
		if n.key == key {
			return &n.val
		}
	}
	return nil
}

// Upsert returns a pointer to the value under key, creating a zero value
// first when the key is absent; created reports which happened. A new key
// is copied, so key may be a view of a buffer that will be reused.
func (d *Dict[V]) Upsert(key string) (v *V, created bool) { return d.upsert(key, true) }

// UpsertOwned is Upsert for a key string the caller hands over: a new key
// is stored as is, not copied, so it may share memory with the value
// (sorted sets keep one copy of each member). key must never change.
func (d *Dict[V]) UpsertOwned(key string) (v *V, created bool) { return d.upsert(key, false) }

func (d *Dict[V]) upsert(key string, clone bool) (v *V, created bool) {
	if d.table == nil {
		d.table = make([]*node[V], minSize)
	}
	h := d.hash(key)
	b := h & uint64(len(d.table)-1)
	for n := d.table[b]; n != nil; n = n.next {
		if n.key == key {
			return &n.val, false
		}
	}
	if d.count >= len(d.table) {
		d.resize(len(d.table) * 2)
		b = h & uint64(len(d.table)-1)
	}
	if clone {
		key = strings.Clone(key)
	}
	n := &node[V]{key: key, next: d.table[b]}
	d.table[b] = n
	d.count++
	return &n.val, true
}

// Set stores v under key and reports whether the key was new.
func (d *Dict[V]) Set(key string, v V) bool {
	p, created := d.Upsert(key)
	*p = v
	return created
}

// Delete removes key and reports whether it was present.
func (d *Dict[V]) Delete(key string) bool {
	if d.count == 0 {
		return false
	}
	b := d.hash(key) & uint64(len(d.table)-1)
	for pp := &d.table[b]; *pp != nil; pp = &(*pp).next {
		if (*pp).key == key {
			*pp = (*pp).next
			d.count--
			if len(d.table) > minSize && d.count*8 < len(d.table) {
				d.resize(len(d.table) / 2)
			}
			return true
		}
	}
	return false
}

// Clear removes every element.
func (d *Dict[V]) Clear() {
	d.table = nil
	d.count = 0
}

func (d *Dict[V]) resize(size int) {
	if size < minSize {
		size = minSize
	}
	old := d.table
	d.table = make([]*node[V], size)
	mask := uint64(size - 1)
	for _, n := range old {
		for n != nil {
			next := n.next
			b := d.hash(n.key) & mask
			n.next = d.table[b]
			d.table[b] = n
			n = next
		}
	}
}

// Range calls fn for every element until fn returns false. fn must not
// add or delete keys.
func (d *Dict[V]) Range(fn func(key string, v *V) bool) {
	for _, n := range d.table {
		for ; n != nil; n = n.next {
			if !fn(n.key, &n.val) {
				return
			}
		}
	}
}

// Scan visits the bucket named by cursor (every element in it) and returns
// the next cursor; 0 means the scan is complete. fn must not modify d.
func (d *Dict[V]) Scan(cursor uint64, fn func(key string, v *V)) uint64 {
	if d.count == 0 {
		return 0
	}
	mask := uint64(len(d.table) - 1)
	for n := d.table[cursor&mask]; n != nil; n = n.next {
		fn(n.key, &n.val)
	}
	// Increment the reversed cursor over the bits covered by mask.
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

// Random returns a random element, or ok == false when empty. Buckets are
// sampled uniformly, then a node within the chain, as Redis does.
func (d *Dict[V]) Random() (key string, v *V, ok bool) {
	if d.count == 0 {
		return "", nil, false
	}
	mask := uint64(len(d.table) - 1)
	for {
		n := d.table[rand.Uint64()&mask]
		if n == nil {
			continue
		}
		l := 0
		for c := n; c != nil; c = c.next {
			l++
		}
		for i := rand.IntN(l); i > 0; i-- {
			n = n.next
		}
		return n.key, &n.val, true
	}
}

// Sample calls fn for up to n elements found by walking the bucket array
// from a random bucket, stopping after 10*n buckets, as Redis's
// dictGetSomeKeys does for eviction: cheap, close to random, and allowed
// to return fewer elements than asked. fn must not modify d.
func (d *Dict[V]) Sample(n int, fn func(key string, v *V)) {
	if d.count == 0 || n <= 0 {
		return
	}
	mask := uint64(len(d.table) - 1)
	i := rand.Uint64() & mask
	found, empty := 0, 0
	for steps := 0; steps < 10*n && found < n; steps++ {
		nd := d.table[i]
		if nd == nil {
			// A run of empty buckets: jump elsewhere rather than crawl
			// through a sparse stretch.
			if empty++; empty >= 5 && empty > n {
				i, empty = rand.Uint64()&mask, 0
				continue
			}
		} else {
			empty = 0
		}
		for ; nd != nil && found < n; nd = nd.next {
			fn(nd.key, &nd.val)
			found++
		}
		i = (i + 1) & mask
	}
}
