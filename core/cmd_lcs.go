package core

import (
	"github.com/polyfn/polyfn/core/keyspace"
)

// LCS: longest common subsequence of two strings, by the classic dynamic
// programming table, walked back from the end as Redis does so that the
// IDX ranges come out in the same order (last match first).

func cmdLCS(ctx *Ctx) {
	ea, eb := ctx.Read(ctx.Args[1]), ctx.Read(ctx.Args[2])
	if (ea != nil && ea.Kind() != keyspace.KindString) || (eb != nil && eb.Kind() != keyspace.KindString) {
		ctx.Error(ErrLCSNotStrings)
		return
	}
	a, b := strValue(ea), strValue(eb)
	var getLen, getIdx, withLen bool
	var minLen int64
	args := ctx.Args
	for j := 3; j < len(args); j++ {
		switch {
		case kw(args[j], "idx"):
			getIdx = true
		case kw(args[j], "len"):
			getLen = true
		case kw(args[j], "withmatchlen"):
			withLen = true
		case kw(args[j], "minmatchlen") && j+1 < len(args):
			n, ok := ctx.intArg(args[j+1])
			if !ok {
				return
			}
			minLen = max(n, 0)
			j++
		default:
			ctx.SyntaxError()
			return
		}
	}
	if getIdx && getLen {
		ctx.Error(ErrLCSIdxAndLen)
		return
	}
	if uint64(len(a)) >= 1<<32-2 || uint64(len(b)) >= 1<<32-2 {
		ctx.Error(ErrLCSTooLong)
		return
	}
	alen, blen := len(a), len(b)
	cells := uint64(alen+1) * uint64(blen+1)
	if cells*4 > uint64(ctx.S.Config.ProtoMaxBulkLen()) {
		ctx.Error(ErrLCSMemory)
		return
	}
	w := blen + 1
	t := make([]uint32, cells)
	for i := 1; i <= alen; i++ {
		row, prev := t[i*w:(i+1)*w], t[(i-1)*w:i*w]
		ai := a[i-1]
		for j := 1; j <= blen; j++ {
			switch {
			case ai == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	total := t[alen*w+blen]
	if getLen {
		ctx.W.WriteInt(int64(total))
		return
	}

	// Walk back from the end, collecting the common subsequence and the
	// ranges of contiguous matches.
	type match struct{ a0, a1, b0, b1 int }
	var matches []match
	var result []byte
	if !getIdx {
		result = make([]byte, total)
	}
	idx := int(total)
	inRange := false
	var cur match
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			if result != nil {
				result[idx-1] = a[i-1]
			}
			if !inRange {
				cur = match{i - 1, i - 1, j - 1, j - 1}
				inRange = true
			} else {
				cur.a0--
				cur.b0--
			}
			if cur.a0 == 0 || cur.b0 == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if t[(i-1)*w+j] > t[i*w+j-1] {
				i--
			} else {
				j--
			}
			emit = inRange
		}
		if emit {
			if getIdx && (minLen == 0 || int64(cur.a1-cur.a0+1) >= minLen) {
				matches = append(matches, cur)
			}
			inRange = false
		}
	}
	if !getIdx {
		ctx.W.WriteBulk(result)
		return
	}
	ctx.W.WriteMap(2)
	ctx.W.WriteBulkString("matches")
	ctx.W.WriteArray(len(matches))
	for _, m := range matches {
		if withLen {
			ctx.W.WriteArray(3)
		} else {
			ctx.W.WriteArray(2)
		}
		ctx.W.WriteArray(2)
		ctx.W.WriteInt(int64(m.a0))
		ctx.W.WriteInt(int64(m.a1))
		ctx.W.WriteArray(2)
		ctx.W.WriteInt(int64(m.b0))
		ctx.W.WriteInt(int64(m.b1))
		if withLen {
			ctx.W.WriteInt(int64(m.a1 - m.a0 + 1))
		}
	}
	ctx.W.WriteBulkString("len")
	ctx.W.WriteInt(int64(total))
}
