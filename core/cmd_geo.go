package core

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/polyfn/polyfn/core/geo"
	"github.com/polyfn/polyfn/core/keyspace"
)

// Geo commands. A geo set is a sorted set whose scores are 52-bit
// geohashes (package geo); GEOADD is ZADD with computed scores, and the
// searches scan the nine geohash boxes around the center (the parts of
// them that can hold matches).

func registerGeoCommands(t *Table) {
	t.Add("geoadd", cmdGeoAdd)
	t.Add("geopos", cmdGeoPos)
	t.Add("geodist", cmdGeoDist)
	t.Add("geohash", cmdGeoHash)
	t.Add("georadius", func(ctx *Ctx) { geoSearch(ctx, 1, geoByCoords) })
	t.Add("georadius_ro", func(ctx *Ctx) { geoSearch(ctx, 1, geoByCoords|geoNoStore) })
	t.Add("georadiusbymember", func(ctx *Ctx) { geoSearch(ctx, 1, geoByMember) })
	t.Add("georadiusbymember_ro", func(ctx *Ctx) { geoSearch(ctx, 1, geoByMember|geoNoStore) })
	t.Add("geosearch", func(ctx *Ctx) { geoSearch(ctx, 1, geoSearchCmd) })
	t.Add("geosearchstore", func(ctx *Ctx) { geoSearch(ctx, 2, geoSearchCmd|geoSearchStore) })
}

// parseLongLat parses a longitude and a latitude argument and checks the
// limits, replying on error.
func parseLongLat(ctx *Ctx, i int) (long, lat float64, ok bool) {
	var xy [2]float64
	for j := 0; j < 2; j++ {
		if xy[j], ok = parseScore(ctx.Args[i+j]); !ok {
			ctx.Error(ErrNotFloat)
			return 0, 0, false
		}
	}
	if xy[0] < geo.LongMin || xy[0] > geo.LongMax || xy[1] < geo.LatMin || xy[1] > geo.LatMax {
		ctx.Errorf(fmtGeoBadLonLat, cFloat(xy[0]), cFloat(xy[1]))
		return 0, 0, false
	}
	return xy[0], xy[1], true
}

// cFloat formats like C's "%f".
func cFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// geoUnit parses a distance unit, returning meters per unit (or replying).
func geoUnit(ctx *Ctx, a []byte) (float64, bool) {
	switch {
	case kw(a, "m"):
		return 1, true
	case kw(a, "km"):
		return 1000, true
	case kw(a, "ft"):
		return 0.3048, true
	case kw(a, "mi"):
		return 1609.34, true
	}
	ctx.Error(ErrGeoUnit)
	return 0, false
}

func cmdGeoAdd(ctx *Ctx) {
	args := ctx.Args
	i := 2
	nx, xx := false, false
	for ; i < len(args); i++ {
		if kw(args[i], "nx") {
			nx = true
		} else if kw(args[i], "xx") {
			xx = true
		} else if !kw(args[i], "ch") {
			break
		}
	}
	if (len(args)-i)%3 != 0 || (xx && nx) {
		ctx.SyntaxError()
		return
	}
	n := (len(args) - i) / 3
	zargs := make([][]byte, 0, i+2*n)
	zargs = append(zargs, []byte("zadd"))
	zargs = append(zargs, args[1:i]...)
	var sbuf [4]float64
	scores := sbuf[:0]
	nums := make([]byte, 0, 16*n) // the scores' text, one allocation
	for j := 0; j < n; j++ {
		long, lat, ok := parseLongLat(ctx, i+3*j)
		if !ok {
			return
		}
		h, _ := geo.Encode(long, lat, geo.StepMax)
		from := len(nums)
		nums = strconv.AppendUint(nums, geo.Align52(h), 10)
		zargs = append(zargs, nums[from:len(nums):len(nums)], args[i+3*j+2])
		scores = append(scores, float64(geo.Align52(h)))
	}
	ctx.Args = zargs
	zaddScores(ctx, 0, scores)
	ctx.Args = args
}

// writeCoord writes a coordinate as Redis's addReplyHumanLongDouble: "%.17Lf"
// without trailing zeros, a bulk string in RESP2 and a double in RESP3.
func writeCoord(ctx *Ctx, f float64) {
	// A fresh buffer each time: writers may keep what WriteBulk gets
	// (the scripting one does).
	var buf [48]byte
	b := append(buf[:0], ',')
	b = strconv.AppendFloat(b, f, 'f', 17, 64)
	b = bytes.TrimRight(b, "0")
	b = bytes.TrimSuffix(b, []byte("."))
	if string(b) == ",-0" {
		b = append(b[:1], '0')
	}
	if ctx.W.Resp() == 3 {
		if raw, ok := ctx.W.(interface{ WriteRaw([]byte) }); ok {
			raw.WriteRaw(append(b, '\r', '\n'))
			return
		}
		ctx.W.WriteDouble(f)
		return
	}
	ctx.W.WriteBulk(b[1:])
}

// writeDistance writes a distance with four decimals.
func writeDistance(ctx *Ctx, d float64) {
	var buf [48]byte
	ctx.W.WriteBulk(strconv.AppendFloat(buf[:0], d, 'f', 4, 64))
}

func cmdGeoPos(ctx *Ctx) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, m := range ctx.Args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(keyspace.Str(m))
		}
		if !found {
			ctx.W.WriteNullArray()
			continue
		}
		long, lat := geo.FromScore(score)
		ctx.W.WriteArray(2)
		writeCoord(ctx, long)
		writeCoord(ctx, lat)
	}
}

func cmdGeoHash(ctx *Ctx) {
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	ctx.W.WriteArray(len(ctx.Args) - 2)
	for _, m := range ctx.Args[2:] {
		var score float64
		found := false
		if z != nil {
			score, found = z.Score(keyspace.Str(m))
		}
		if !found {
			ctx.W.WriteNull()
			continue
		}
		ctx.W.WriteBulkString(geo.Base32(geo.FromScore(score)))
	}
}

func cmdGeoDist(ctx *Ctx) {
	toMeter := 1.0
	if len(ctx.Args) == 5 {
		var ok bool
		if toMeter, ok = geoUnit(ctx, ctx.Args[4]); !ok {
			return
		}
	} else if len(ctx.Args) > 5 {
		ctx.SyntaxError()
		return
	}
	z, ok := ctx.readZSet(ctx.Args[1])
	if !ok {
		return
	}
	if z == nil {
		ctx.W.WriteNull()
		return
	}
	s1, ok1 := z.Score(keyspace.Str(ctx.Args[2]))
	s2, ok2 := z.Score(keyspace.Str(ctx.Args[3]))
	if !ok1 || !ok2 {
		ctx.W.WriteNull()
		return
	}
	lon1, lat1 := geo.FromScore(s1)
	lon2, lat2 := geo.FromScore(s2)
	writeDistance(ctx, geo.Distance(lon1, lat1, lon2, lat2)/toMeter)
}

// Search flavours.
const (
	geoByCoords = 1 << iota
	geoByMember
	geoNoStore
	geoSearchCmd
	geoSearchStore
)

type geoPoint struct {
	member                 string
	long, lat, dist, score float64
	exact                  bool // dist is exact (else a few ulps off)
}

func (p *geoPoint) makeExact(s *geo.Shape) {
	if !p.exact {
		p.dist, p.exact = s.Exact(p.long, p.lat), true
	}
}

// geoBufs are a search's scratch slices, reused through geoBufPool.
type geoBufs struct{ pts, orig []geoPoint }

var geoBufPool = sync.Pool{New: func() any { return new(geoBufs) }}

// release clears the slices (they point at members) and pools them
// unless they grew large.
func (b *geoBufs) release() {
	clear(b.pts)
	clear(b.orig)
	if cap(b.pts)+cap(b.orig) <= 1<<14 {
		b.pts, b.orig = b.pts[:0], b.orig[:0]
		geoBufPool.Put(b)
	}
}

const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// geoSearch is Redis's georadiusGeneric: GEORADIUS[BYMEMBER][_RO],
// GEOSEARCH and GEOSEARCHSTORE.
func geoSearch(ctx *Ctx, srcIdx int, flags int) {
	args := ctx.Args
	var storeKey []byte
	storeDist := false
	z, ok := ctx.readZSet(args[srcIdx])
	if !ok {
		return
	}
	var shape geo.Shape
	var base int
	switch {
	case flags&geoByCoords != 0:
		base = 6
		if shape.Long, shape.Lat, ok = parseLongLat(ctx, 2); !ok {
			return
		}
		if !geoDistanceArg(ctx, 4, &shape) {
			return
		}
	case flags&geoByMember != 0 && z == nil:
		base = 5
	case flags&geoByMember != 0:
		base = 5
		if !geoMemberPos(ctx, z, args[2], &shape) {
			return
		}
		if !geoDistanceArg(ctx, 3, &shape) {
			return
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}
	withDist, withHash, withCoord := false, false, false
	fromMember, fromLoc, byRadius, byBox := false, false, false, false
	order := geoSortNone
	anyOpt := false
	var count int64
	search := flags&geoSearchCmd != 0
	rem := len(args) - base
	for i := 0; i < rem; i++ {
		a := args[base+i]
		switch {
		case kw(a, "withdist"):
			withDist = true
		case kw(a, "withhash"):
			withHash = true
		case kw(a, "withcoord"):
			withCoord = true
		case kw(a, "any"):
			anyOpt = true
		case kw(a, "asc"):
			order = geoSortAsc
		case kw(a, "desc"):
			order = geoSortDesc
		case kw(a, "count") && i+1 < rem:
			if count, ok = ctx.Int(base + i + 1); !ok {
				return
			}
			if count <= 0 {
				ctx.Error(ErrGeoCount)
				return
			}
			i++
		case (kw(a, "store") || kw(a, "storedist")) && i+1 < rem && flags&geoNoStore == 0 && !search:
			storeKey = args[base+i+1]
			storeDist = kw(a, "storedist")
			i++
		case kw(a, "storedist") && search && flags&geoSearchStore != 0:
			storeDist = true
		case kw(a, "frommember") && i+1 < rem && search && !fromLoc:
			if z != nil && !geoMemberPos(ctx, z, args[base+i+1], &shape) {
				return
			}
			fromMember = true
			i++
		case kw(a, "fromlonlat") && i+2 < rem && search && !fromMember:
			if shape.Long, shape.Lat, ok = parseLongLat(ctx, base+i+1); !ok {
				return
			}
			fromLoc = true
			i += 2
		case kw(a, "byradius") && i+2 < rem && search && !byBox:
			if !geoDistanceArg(ctx, base+i+1, &shape) {
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case kw(a, "bybox") && i+3 < rem && search && !byRadius:
			if !geoBoxArg(ctx, base+i+1, &shape) {
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			ctx.SyntaxError()
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		ctx.Errorf(fmtGeoStoreWith, what)
		return
	}
	if search && !(fromMember || fromLoc) {
		ctx.Errorf(fmtGeoFromOne, args[0])
		return
	}
	if search && !(byRadius || byBox) {
		ctx.Errorf(fmtGeoByOne, args[0])
		return
	}
	if anyOpt && count == 0 {
		ctx.Error(ErrGeoAnyNeedsCount)
		return
	}
	if z == nil {
		if storeKey != nil {
			if ctx.Delete(storeKey) {
				ctx.Notify(NotifyGeneric, "del", storeKey)
			}
			ctx.W.WriteInt(0)
		} else {
			ctx.W.WriteArray(0)
		}
		return
	}
	if count != 0 && order == geoSortNone && !anyOpt {
		order = geoSortAsc
	}
	limit := 0
	if anyOpt {
		limit = int(count)
	}
	bufs := geoBufPool.Get().(*geoBufs)
	defer bufs.release()
	pts := geoCollect(z, &shape, limit, bufs.pts[:0])
	bufs.pts = pts
	if len(pts) == 0 && storeKey == nil {
		ctx.W.WriteArray(0)
		return
	}
	n := len(pts)
	if count != 0 && int64(n) > count {
		n = int(count)
	}
	geoSortPoints(pts, n, order, &shape, bufs)
	pts = pts[:n]
	if withDist || storeDist {
		for i := range pts {
			pts[i].makeExact(&shape)
		}
	}
	if storeKey == nil {
		opts := 0
		for _, w := range []bool{withDist, withCoord, withHash} {
			if w {
				opts++
			}
		}
		ctx.W.WriteArray(n)
		for i := range pts {
			p := &pts[i]
			if opts > 0 {
				ctx.W.WriteArray(opts + 1)
			}
			ctx.W.WriteBulkString(p.member)
			if withDist {
				writeDistance(ctx, p.dist/shape.Conversion)
			}
			if withHash {
				ctx.W.WriteInt(geo.CInt64(p.score))
			}
			if withCoord {
				ctx.W.WriteArray(2)
				writeCoord(ctx, p.long)
				writeCoord(ctx, p.lat)
			}
		}
		return
	}
	if n == 0 {
		if ctx.Delete(storeKey) {
			ctx.Notify(NotifyGeneric, "del", storeKey)
		}
		ctx.W.WriteInt(0)
		return
	}
	maxEntries, maxValue := ctx.zsetLimits()
	res := keyspace.NewZSet(true)
	for i := range pts {
		p := &pts[i]
		score := p.score
		if storeDist {
			score = p.dist / shape.Conversion
		}
		res.Insert(p.member, score, maxEntries, maxValue)
	}
	res.ConvertToListpackIfFits(maxEntries, maxValue)
	ctx.Store(storeKey, res, false)
	if search {
		ctx.Notify(NotifyZSet, "geosearchstore", storeKey)
	} else {
		ctx.Notify(NotifyZSet, "georadiusstore", storeKey)
	}
	ctx.S.Dirty += int64(n - 1)
	ctx.W.WriteInt(int64(n))
}

// geoSortPoints orders pts by exact distance as far as the first n
// matter, as Redis does: glibc's (stable, merge) qsort when all are
// returned, its partial quicksort (pqsort) otherwise. Distances are
// mostly approximate here (a few ulps off): the sort runs on them, and
// exact distances are computed only where near-equal values could make
// the order differ.
func geoSortPoints(pts []geoPoint, n int, order int, s *geo.Shape, bufs *geoBufs) {
	if order == geoSortNone || n == 0 {
		return
	}
	by := func(a, b *geoPoint) int { return cmp.Compare(a.dist, b.dist) }
	byVal := func(a, b geoPoint) int { return cmp.Compare(a.dist, b.dist) }
	if order == geoSortDesc {
		by = func(a, b *geoPoint) int { return cmp.Compare(b.dist, a.dist) }
		byVal = func(a, b geoPoint) int { return cmp.Compare(b.dist, a.dist) }
	}
	near := func(x, y float64) bool { return x != y && math.Abs(x-y) <= math.Abs(y)*1e-12+1e-12 }
	if n == len(pts) {
		slices.SortStableFunc(pts, byVal)
		// Exact distances for any run of near-equal neighbours, then
		// sort again (stable: exact ties keep their order).
		fix := false
		for i := 1; i < len(pts); i++ {
			if near(pts[i].dist, pts[i-1].dist) || (pts[i].dist == pts[i-1].dist && pts[i].exact != pts[i-1].exact) {
				pts[i].makeExact(s)
				pts[i-1].makeExact(s)
				fix = true
			}
		}
		if fix {
			for i := range pts {
				pts[i].makeExact(s)
			}
			slices.SortStableFunc(pts, byVal)
		}
		return
	}
	orig := append(bufs.orig[:0], pts...)
	bufs.orig = orig
	pqsort(pts, by, 0, n-1)
	exact := true
	for i := range pts {
		exact = exact && pts[i].exact
	}
	if exact {
		return
	}
	last := pts[n-1].dist
	for i := range pts {
		d := pts[i].dist
		if (i < n && i > 0 && near(d, pts[i-1].dist)) || (i >= n && (near(d, last) || d == last)) {
			// The approximation could decide this order: redo it exactly.
			copy(pts, orig)
			for i := range pts {
				pts[i].makeExact(s)
			}
			pqsort(pts, by, 0, n-1)
			return
		}
	}
}

func geoMemberPos(ctx *Ctx, z *keyspace.ZSet, member []byte, s *geo.Shape) bool {
	score, ok := z.Score(keyspace.Str(member))
	if !ok {
		ctx.Error(ErrGeoMember)
		return false
	}
	s.Long, s.Lat = geo.FromScore(score)
	return true
}

// geoDistanceArg parses "radius unit" at argument i.
func geoDistanceArg(ctx *Ctx, i int, s *geo.Shape) bool {
	r, ok := parseScore(ctx.Args[i])
	if !ok {
		ctx.Error(ErrGeoNeedRadius)
		return false
	}
	if r < 0 {
		ctx.Error(ErrGeoRadiusNegative)
		return false
	}
	s.Radius = r
	s.Conversion, ok = geoUnit(ctx, ctx.Args[i+1])
	return ok
}

// geoBoxArg parses "width height unit" at argument i.
func geoBoxArg(ctx *Ctx, i int, s *geo.Shape) bool {
	w, ok := parseScore(ctx.Args[i])
	if !ok {
		ctx.Error(ErrGeoNeedWidth)
		return false
	}
	h, ok := parseScore(ctx.Args[i+1])
	if !ok {
		ctx.Error(ErrGeoNeedHeight)
		return false
	}
	if h < 0 || w < 0 {
		ctx.Error(ErrGeoBoxNegative)
		return false
	}
	s.Width, s.Height = w, h
	s.Conversion, ok = geoUnit(ctx, ctx.Args[i+2])
	return ok
}

// geoCollect appends to pts the members inside the shape from its nine
// boxes, stopping at limit results when limit > 0 (ANY). Within each box
// it visits only the members in the shape's cell rectangle, in score
// order, jumping over the runs outside it: the points found, and their
// order, are those of a scan of the whole box.
func geoCollect(z *keyspace.ZSet, s *geo.Shape, limit int, pts []geoPoint) []geoPoint {
	boxes := geo.Boxes(s)
	rect := s.Rect()
	last := 0
	for i, h := range boxes {
		if h.IsZero() {
			continue
		}
		// Like Redis, skip a box equal to the last one searched (the
		// center never counts as searched here).
		if last != 0 && h == boxes[last] {
			continue
		}
		if len(pts) > 0 && limit > 0 && len(pts) >= limit {
			break
		}
		min, max := geo.ScoreRange(h)
		for it := z.IterFrom(min); ; {
			m, score, ok := it.Next()
			if !ok || score >= max {
				break
			}
			if bits := geo.Bits(score); !rect.Contains(bits) {
				next, ok := rect.Next(bits)
				if !ok || float64(next) >= max {
					break
				}
				it.SkipTo(float64(next))
				continue
			}
			if long, lat, dist, exact, ok := s.Within(score); ok {
				pts = append(pts, geoPoint{member: m, long: long, lat: lat, dist: dist, score: score, exact: exact})
				if limit > 0 && len(pts) >= limit {
					break
				}
			}
		}
		last = i
	}
	return pts
}
