package core

import (
	"sort"
	"strconv"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Multi-key set operations: SINTER, SINTERCARD, SINTERSTORE, SUNION,
// SUNIONSTORE, SDIFF, SDIFFSTORE. Missing keys are empty sets; every key
// is type-checked, in order, before any work. Results other than SINTER's
// are built in a fresh set that starts as an intset, as Redis builds
// them, so a result of few integers comes back sorted.

// setReadAll looks up every key; missing ones are nil. ok is false after a
// WRONGTYPE reply.
func setReadAll(ctx *Ctx, keys [][]byte) (sets []*keyspace.Set, missing bool, ok bool) {
	sets = make([]*keyspace.Set, len(keys))
	for i, k := range keys {
		s, ok := setRead(ctx, k)
		if !ok {
			return nil, false, false
		}
		if s == nil {
			missing = true
		}
		sets[i] = s
	}
	return sets, missing, true
}

// setStore replaces dstKey with res and replies with its size; an empty
// result deletes dstKey instead and replies 0.
func setStore(ctx *Ctx, dstKey []byte, res *keyspace.Set) {
	if res != nil && res.Len() > 0 {
		ctx.Store(dstKey, res, false)
		ctx.W.WriteInt(int64(res.Len()))
		ctx.Notify(NotifySet, ctx.Cmd.Name, dstKey) // sinterstore, sunionstore, sdiffstore
		return
	}
	if ctx.Write(dstKey) != nil {
		ctx.Delete(dstKey)
		ctx.Notify(NotifyGeneric, "del", dstKey)
	}
	ctx.W.WriteInt(0)
}

// setInter serves SINTER (dstKey nil), SINTERSTORE and SINTERCARD
// (cardOnly, stopping at limit when it is positive).
func setInter(ctx *Ctx, keys [][]byte, dstKey []byte, cardOnly bool, limit int64) {
	sets, missing, ok := setReadAll(ctx, keys)
	if !ok {
		return
	}
	if missing {
		switch {
		case dstKey != nil:
			setStore(ctx, dstKey, nil)
		case cardOnly:
			ctx.W.WriteInt(0)
		default:
			ctx.W.WriteSet(0)
		}
		return
	}
	// Walk the smallest set, probing the others.
	sort.SliceStable(sets, func(i, j int) bool { return sets[i].Len() < sets[j].Len() })
	first := sets[0]
	inAll := func(m []byte) bool {
		for _, o := range sets[1:] {
			if o != first && !o.Has(m) {
				return false
			}
		}
		return true
	}
	switch {
	case cardOnly:
		card := int64(0)
		first.Range(func(m []byte) bool {
			if inAll(m) {
				card++
				if limit > 0 && card >= limit {
					return false
				}
			}
			return true
		})
		ctx.W.WriteInt(card)
	case dstKey != nil:
		res := keyspace.NewSet()
		maxIntset := setMaxIntset(ctx)
		first.Range(func(m []byte) bool {
			if inAll(m) {
				res.Add(m, maxIntset)
			}
			return true
		})
		setStore(ctx, dstKey, res)
	case first.IsIntset():
		var res []int64
		var buf [20]byte
		for _, v := range first.Ints() {
			if inAll(strconv.AppendInt(buf[:0], v, 10)) {
				res = append(res, v)
			}
		}
		ctx.W.WriteSet(len(res))
		for _, v := range res {
			ctx.W.WriteBulk(strconv.AppendInt(buf[:0], v, 10))
		}
	default:
		var res [][]byte // dict keys of first: stable during the command
		first.Range(func(m []byte) bool {
			if inAll(m) {
				res = append(res, m)
			}
			return true
		})
		ctx.W.WriteSet(len(res))
		for _, m := range res {
			ctx.W.WriteBulk(m)
		}
	}
}

// setUnionOf returns a new set holding the members of every non-nil set.
func setUnionOf(ctx *Ctx, sets []*keyspace.Set) *keyspace.Set {
	res := keyspace.NewSet()
	maxIntset := setMaxIntset(ctx)
	for _, s := range sets {
		if s == nil {
			continue
		}
		if s.IsIntset() {
			for _, v := range s.Ints() {
				res.AddInt(v, maxIntset)
			}
			continue
		}
		s.Range(func(m []byte) bool {
			res.Add(m, maxIntset)
			return true
		})
	}
	return res
}

// setUnionDiff serves SUNION, SDIFF and their STORE variants.
func setUnionDiff(ctx *Ctx, keys [][]byte, dstKey []byte, diff bool) {
	sets, _, ok := setReadAll(ctx, keys)
	if !ok {
		return
	}
	var res *keyspace.Set
	if !diff {
		res = setUnionOf(ctx, sets)
	} else {
		res = setDiff(ctx, sets)
	}
	if dstKey != nil {
		setStore(ctx, dstKey, res)
		return
	}
	writeSetMembers(ctx.W, res)
}

// setDiff returns the members of sets[0] found in none of the others,
// choosing between Redis's two algorithms by their estimated work.
func setDiff(ctx *Ctx, sets []*keyspace.Set) *keyspace.Set {
	res := keyspace.NewSet()
	first := sets[0]
	if first == nil {
		return res
	}
	maxIntset := setMaxIntset(ctx)
	oneWork, twoWork := 0, 0
	for _, s := range sets {
		if s != nil {
			oneWork += first.Len()
			twoWork += s.Len()
		}
	}
	others := sets[1:]
	if oneWork/2 <= twoWork {
		// Probe each member of the first set, the largest others first.
		others = append([]*keyspace.Set(nil), others...)
		sort.SliceStable(others, func(i, j int) bool {
			if others[i] == nil || others[j] == nil {
				return others[j] == nil && others[i] != nil
			}
			return others[i].Len() > others[j].Len()
		})
		first.Range(func(m []byte) bool {
			for _, o := range others {
				if o == nil {
					continue
				}
				if o == first || o.Has(m) {
					return true
				}
			}
			res.Add(m, maxIntset)
			return true
		})
		return res
	}
	// Copy the first set, then remove the others' members.
	first.Range(func(m []byte) bool {
		res.Add(m, maxIntset)
		return true
	})
	for _, o := range others {
		if o == nil {
			continue
		}
		o.Range(func(m []byte) bool {
			res.Remove(m)
			return res.Len() > 0
		})
		if res.Len() == 0 {
			break
		}
	}
	return res
}
