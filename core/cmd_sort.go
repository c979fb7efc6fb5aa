package core

import (
	"bytes"
	"math"
	"slices"

	"github.com/polyfn/polyfn/core/keyspace"
)

// SORT and SORT_RO: sort a list, set or sorted set numerically or
// lexicographically, by the elements or by keys built from a pattern
// (BY), return or STORE (as a list) the elements or values fetched with
// GET patterns, as Redis's sortCommandGeneric does.

func registerSortCommands(t *Table) {
	t.Add("sort", func(ctx *Ctx) { sortGeneric(ctx, false) })
	t.Add("sort_ro", func(ctx *Ctx) { sortGeneric(ctx, true) })
}

type sortItem struct {
	obj   []byte
	score float64
	cmp   []byte // BY value for ALPHA sorting (nil when missing)
	hasBy bool
}

func sortGeneric(ctx *Ctx, readonly bool) {
	args := ctx.Args
	desc, alpha, dontsort := false, false, false
	var limitStart, limitCount int64 = 0, -1
	var sortBy, storeKey []byte
	var gets [][]byte
	for j := 2; j < len(args); j++ {
		left := len(args) - j - 1
		a := args[j]
		switch {
		case kw(a, "asc"):
			desc = false
		case kw(a, "desc"):
			desc = true
		case kw(a, "alpha"):
			alpha = true
		case kw(a, "limit") && left >= 2:
			var ok bool
			if limitStart, ok = ctx.Int(j + 1); !ok {
				return
			}
			if limitCount, ok = ctx.Int(j + 2); !ok {
				return
			}
			j += 2
		case !readonly && kw(a, "store") && left >= 1:
			storeKey = args[j+1]
			j++
		case kw(a, "by") && left >= 1:
			sortBy = args[j+1]
			if bytes.IndexByte(cString(sortBy), '*') < 0 {
				dontsort = true
			}
			j++
		case kw(a, "get") && left >= 1:
			gets = append(gets, args[j+1])
			j++
		default:
			ctx.SyntaxError()
			return
		}
	}
	e := ctx.Read(args[1])
	var kind keyspace.Kind = keyspace.KindList
	if e != nil {
		kind = e.Kind()
		if kind != keyspace.KindList && kind != keyspace.KindSet && kind != keyspace.KindZSet {
			ctx.Error(ErrWrongType)
			return
		}
	}
	if dontsort && kind == keyspace.KindSet && (storeKey != nil || ctx.C == ctx.S.scripts.client) {
		dontsort, alpha, sortBy = false, true, nil
	}
	var n int64
	if e != nil {
		if z, ok := e.Value.(*keyspace.ZSet); ok {
			z.Convert() // Redis converts sorted sets to skiplists for SORT
		}
	}
	if e != nil {
		switch v := e.Value.(type) {
		case *keyspace.List:
			n = int64(v.Len())
		case *keyspace.Set:
			n = int64(v.Len())
		case *keyspace.ZSet:
			n = int64(v.Len())
		}
	}
	// As Redis, both are first brought within the input's size, so that
	// start+count cannot overflow.
	start := min(max(limitStart, 0), n)
	limitCount = min(max(limitCount, -1), n)
	end := n - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= n {
		start, end = n-1, n-2
	}
	if end >= n {
		end = n - 1
	}
	var items []sortItem
	if e != nil {
		items = sortLoad(e, kind, dontsort, desc, &start, &end, n)
	}
	if !dontsort {
		bad := false
		for i := range items {
			it := &items[i]
			by := it.obj
			if sortBy != nil {
				v, ok := sortLookup(ctx, sortBy, it.obj)
				if !ok {
					continue
				}
				by = v
			}
			if alpha {
				if sortBy != nil {
					it.cmp, it.hasBy = by, true
				}
				continue
			}
			f, ok := sortStrtod(by)
			it.score = f
			if !ok {
				bad = true
			}
		}
		cmp := sortComparator(alpha, sortBy != nil, storeKey != nil)
		if desc {
			asc := cmp
			cmp = func(a, b *sortItem) int { return -asc(a, b) }
		}
		if sortBy != nil && (start != 0 || end != int64(len(items))-1) {
			pqsort(items, cmp, int(start), int(end))
		} else {
			slices.SortStableFunc(items, func(a, b sortItem) int { return cmp(&a, &b) })
		}
		if bad {
			ctx.Error(ErrSortScoreNotDouble)
			return
		}
	}
	span := end - start + 1
	outLen := span
	if len(gets) > 0 {
		outLen = int64(len(gets)) * span
	}
	if storeKey == nil {
		ctx.W.WriteArray(int(max(outLen, 0)))
		for j := start; j <= end; j++ {
			obj := items[j].obj
			if len(gets) == 0 {
				ctx.W.WriteBulk(obj)
			}
			for _, g := range gets {
				if v, ok := sortLookup(ctx, g, obj); ok {
					ctx.W.WriteBulk(v)
				} else {
					ctx.W.WriteNull()
				}
			}
		}
		return
	}
	l := keyspace.NewList()
	for j := start; j <= end; j++ {
		obj := items[j].obj
		if len(gets) == 0 {
			l.PushBack(bytes.Clone(obj))
			continue
		}
		for _, g := range gets {
			v, _ := sortLookup(ctx, g, obj)
			l.PushBack(bytes.Clone(v))
		}
	}
	if outLen > 0 {
		ctx.Store(storeKey, l, false)
		ctx.Notify(NotifyList, "sortstore", storeKey)
		ctx.S.Dirty += outLen - 1
	} else if ctx.Delete(storeKey) {
		ctx.Notify(NotifyGeneric, "del", storeKey)
	}
	ctx.W.WriteInt(outLen)
}

// sortLoad builds the vector of elements. With dontsort, lists and sorted
// sets load only the LIMIT range, in the requested direction, and start /
// end are rebased on it.
func sortLoad(e *keyspace.Entry, kind keyspace.Kind, dontsort, desc bool, start, end *int64, n int64) []sortItem {
	var items []sortItem
	switch v := e.Value.(type) {
	case *keyspace.List:
		if dontsort {
			if *end >= *start {
				want := *end - *start + 1
				from := *start
				if desc {
					from = n - *start - 1
				}
				it := v.Iter(int(from), desc)
				for int64(len(items)) < want && it.Next() {
					items = append(items, sortItem{obj: bytes.Clone(it.Value())})
				}
				*end -= *start
				*start = 0
			}
			return items
		}
		items = make([]sortItem, 0, n)
		it := v.Iter(0, false)
		for it.Next() {
			items = append(items, sortItem{obj: bytes.Clone(it.Value())})
		}
	case *keyspace.Set:
		items = make([]sortItem, 0, n)
		v.Range(func(m []byte) bool {
			items = append(items, sortItem{obj: bytes.Clone(m)})
			return true
		})
	case *keyspace.ZSet:
		if dontsort {
			want := n
			if *start != 0 || *end != n-1 {
				want = *end - *start + 1
			}
			from := *start
			if desc {
				from = n - 1 - *start
			}
			if want > 0 {
				it := v.Iter(int(from), desc)
				for int64(len(items)) < want {
					m, _, ok := it.Next()
					if !ok {
						break
					}
					items = append(items, sortItem{obj: []byte(m)})
				}
			}
			*end -= *start
			*start = 0
			return items
		}
		items = make([]sortItem, 0, n)
		it := v.Iter(0, false)
		for {
			m, _, ok := it.Next()
			if !ok {
				break
			}
			items = append(items, sortItem{obj: []byte(m)})
		}
	}
	return items
}

// sortComparator returns Redis's sortCompare over items (ascending).
func sortComparator(alpha, byPattern, store bool) func(a, b *sortItem) int {
	if !alpha {
		return func(a, b *sortItem) int {
			switch {
			case a.score > b.score:
				return 1
			case a.score < b.score:
				return -1
			}
			return bytes.Compare(a.obj, b.obj)
		}
	}
	if byPattern {
		return func(a, b *sortItem) int {
			switch {
			case !a.hasBy && !b.hasBy:
				return 0
			case !a.hasBy:
				return -1
			case !b.hasBy:
				return 1
			case store:
				return bytes.Compare(a.cmp, b.cmp)
			}
			return bytes.Compare(cString(a.cmp), cString(b.cmp))
		}
	}
	return func(a, b *sortItem) int {
		if store {
			return bytes.Compare(a.obj, b.obj)
		}
		return bytes.Compare(cString(a.obj), cString(b.obj))
	}
}

// sortStrtod converts a sort weight as SORT does with strtod: leading
// space allowed, anything but a NUL after the number is an error, as are
// range errors and NaN. An empty string is 0.
func sortStrtod(b []byte) (float64, bool) {
	v, n, erange, _ := strtodPrefix(b)
	// glibc also reports ERANGE for results that underflow to subnormals.
	subnormal := v != 0 && math.Abs(v) < 0x1p-1022
	if n < len(b) && b[n] != 0 || erange || subnormal || math.IsNaN(v) {
		return v, false
	}
	return v, true
}

// sortLookup resolves a BY / GET pattern for element subst: "#" is the
// element itself; otherwise the first '*' is replaced by the element and
// the key read as a string, or, with "->field" after the '*', as a hash
// field. ok is false when nothing is found.
func sortLookup(ctx *Ctx, pattern, subst []byte) ([]byte, bool) {
	cs := cString(pattern)
	if len(cs) == 1 && cs[0] == '#' {
		return subst, true
	}
	p := bytes.IndexByte(cs, '*')
	if p < 0 {
		return nil, false
	}
	var field []byte
	keyEnd := len(pattern)
	if f := bytes.Index(cs[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(cs) {
		f += p + 1
		field = pattern[f+2:]
		keyEnd = f
	}
	key := make([]byte, 0, p+len(subst)+keyEnd-p-1)
	key = append(key, pattern[:p]...)
	key = append(key, subst...)
	key = append(key, pattern[p+1:keyEnd]...)
	e := ctx.Read(key)
	if e == nil {
		return nil, false
	}
	if field != nil {
		h, ok := e.Value.(*keyspace.Hash)
		if !ok {
			return nil, false
		}
		return h.Get(field)
	}
	b, ok := e.Value.([]byte)
	return b, ok
}
