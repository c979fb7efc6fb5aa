package core

import (
	"github.com/polyfn/polyfn/core/hll"
	"github.com/polyfn/polyfn/core/keyspace"
)

// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST. The
// values are plain strings in Redis's HLL format (package hll); commands
// that rewrite one mark the entry "raw", as Redis's unsharing does.

func registerHLLCommands(t *Table) {
	t.Add("pfadd", cmdPFAdd)
	t.Add("pfcount", cmdPFCount)
	t.Add("pfmerge", cmdPFMerge)
	t.Add("pfdebug", cmdPFDebug)
	t.Add("pfselftest", cmdPFSelfTest)
}

func (ctx *Ctx) hllSparseMax() int {
	return int(ctx.S.Config.Int("hll-sparse-max-bytes"))
}

// hllValue checks that e (not nil) holds a HyperLogLog, replying
// WRONGTYPE otherwise.
func hllValue(ctx *Ctx, e *keyspace.Entry) ([]byte, bool) {
	b, isStr := e.Value.([]byte)
	if !isStr {
		ctx.Error(ErrWrongType)
		return nil, false
	}
	if !hll.Valid(b) {
		ctx.Error(ErrHLLWrongType)
		return nil, false
	}
	return b, true
}

func cmdPFAdd(ctx *Ctx) {
	key := ctx.Args[1]
	e := ctx.Write(key)
	updated := 0
	var b []byte
	if e == nil {
		b = hll.New()
		e = ctx.DB.Set(keyspace.Str(key), b, false)
		ctx.S.created(e, ctx.Now)
		ctx.Notify(NotifyNew, "new", key)
		updated++
	} else {
		var ok bool
		if b, ok = hllValue(ctx, e); !ok {
			return
		}
	}
	e.Raw = true
	max := ctx.hllSparseMax()
	for _, ele := range ctx.Args[2:] {
		var r int
		b, r = hll.Add(b, ele, max)
		e.Value = b
		switch r {
		case 1:
			updated++
		case -1:
			ctx.Error(ErrHLLCorrupt)
			return
		}
	}
	if updated > 0 {
		hll.Invalidate(b)
		ctx.Modified(key)
		ctx.Notify(NotifyString, "pfadd", key)
		ctx.S.Dirty += int64(updated - 1)
		ctx.W.WriteInt(1)
		return
	}
	ctx.W.WriteInt(0)
}

func cmdPFCount(ctx *Ctx) {
	if len(ctx.Args) > 2 {
		var m hll.Max
		for _, key := range ctx.Args[1:] {
			e := ctx.Read(key)
			if e == nil {
				continue
			}
			b, ok := hllValue(ctx, e)
			if !ok {
				return
			}
			if !m.Merge(b) {
				ctx.Error(ErrHLLCorrupt)
				return
			}
		}
		ctx.W.WriteInt(int64(m.Count()))
		return
	}
	key := ctx.Args[1]
	e := ctx.Read(key)
	if e == nil {
		ctx.W.WriteInt(0)
		return
	}
	b, ok := hllValue(ctx, e)
	if !ok {
		return
	}
	e.Raw = true
	card, valid := hll.Cached(b)
	if !valid {
		if card, ok = hll.Count(b); !ok {
			ctx.Error(ErrHLLCorrupt)
			return
		}
		hll.SetCached(b, card)
		ctx.Modified(key)
	}
	ctx.W.WriteInt(int64(card))
}

func cmdPFMerge(ctx *Ctx) {
	var m hll.Max
	dense := false
	for _, key := range ctx.Args[1:] {
		e := ctx.Read(key)
		if e == nil {
			continue
		}
		b, ok := hllValue(ctx, e)
		if !ok {
			return
		}
		if !hll.IsSparse(b) {
			dense = true
		}
		if !m.Merge(b) {
			ctx.Error(ErrHLLCorrupt)
			return
		}
	}
	key := ctx.Args[1]
	e := ctx.Write(key)
	var b []byte
	if e == nil {
		b = hll.New()
		e = ctx.DB.Set(keyspace.Str(key), b, false)
		ctx.S.created(e, ctx.Now)
		ctx.Notify(NotifyNew, "new", key)
	} else {
		b = e.Value.([]byte)
	}
	e.Raw = true
	if dense {
		d, ok := hll.ToDense(b)
		if !ok {
			ctx.Error(ErrHLLCorrupt)
			return
		}
		b = d
	}
	b = m.Store(b, ctx.hllSparseMax())
	hll.Invalidate(b)
	e.Value = b
	ctx.Modified(key)
	ctx.Notify(NotifyString, "pfadd", key)
	ctx.OK()
}

func cmdPFDebug(ctx *Ctx) {
	sub := ctx.Args[1]
	key := ctx.Args[2]
	e := ctx.Write(key)
	if e == nil {
		ctx.Error(ErrHLLNoKey)
		return
	}
	b, ok := hllValue(ctx, e)
	if !ok {
		return
	}
	e.Raw = true
	switch {
	case kw(sub, "getreg"):
		if hll.IsSparse(b) {
			d, ok := hll.ToDense(b)
			if !ok {
				ctx.Error(ErrHLLCorrupt)
				return
			}
			b = d
			e.Value = b
			ctx.S.Dirty++
		}
		regs := hll.DenseRegisters(b)
		ctx.W.WriteArray(len(regs))
		for _, v := range regs {
			ctx.W.WriteInt(int64(v))
		}
	case kw(sub, "decode"):
		if !hll.IsSparse(b) {
			ctx.Error(ErrHLLNotSparse)
			return
		}
		ctx.W.WriteBulkString(hll.Decode(b))
	case kw(sub, "encoding"):
		if hll.IsSparse(b) {
			ctx.W.WriteStatus("sparse")
		} else {
			ctx.W.WriteStatus("dense")
		}
	case kw(sub, "todense"):
		if !hll.IsSparse(b) {
			ctx.W.WriteInt(0)
			return
		}
		d, ok := hll.ToDense(b)
		if !ok {
			ctx.Error(ErrHLLCorrupt)
			return
		}
		e.Value = d
		ctx.S.Dirty++
		ctx.W.WriteInt(1)
	default:
		ctx.Errorf(fmtHLLUnknownDebug, cString(sub))
	}
}

// cmdPFSelfTest answers as Redis does when its self test passes; the
// package's unit tests play that role here.
func cmdPFSelfTest(ctx *Ctx) { ctx.OK() }
