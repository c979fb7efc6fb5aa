package core

import (
	"bytes"
	"strings"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Stream commands: XADD, XTRIM, XDEL, XLEN, XRANGE, XREVRANGE, XSETID
// (here), XREAD / XREADGROUP (cmd_stream_read.go), consumer groups
// (cmd_stream_group.go) and XINFO (cmd_stream_info.go). The data
// structure is keyspace.Stream.

type StreamID = keyspace.StreamID

func registerStreamCommands(t *Table) {
	t.Add("xadd", cmdXAdd)
	t.Add("xtrim", cmdXTrim)
	t.Add("xdel", cmdXDel)
	t.Add("xlen", cmdXLen)
	t.Add("xrange", func(ctx *Ctx) { xrangeGeneric(ctx, false) })
	t.Add("xrevrange", func(ctx *Ctx) { xrangeGeneric(ctx, true) })
	t.Add("xsetid", cmdXSetID)
	t.Add("xread", cmdXRead)
	t.Add("xreadgroup", cmdXRead)
	t.Add("xack", cmdXAck)
	t.Add("xpending", cmdXPending)
	t.Add("xclaim", cmdXClaim)
	t.Add("xautoclaim", cmdXAutoClaim)
	t.Add("xgroup", nil)
	for _, sub := range []string{"create", "setid", "destroy", "createconsumer", "delconsumer"} {
		t.Add("xgroup|"+sub, cmdXGroup)
	}
	t.Add("xgroup|help", func(ctx *Ctx) { writeHelpLines(ctx, "XGROUP", xgroupHelp) })
	t.Add("xinfo", nil)
	t.Add("xinfo|stream", cmdXInfoStream)
	t.Add("xinfo|groups", cmdXInfoGroups)
	t.Add("xinfo|consumers", cmdXInfoConsumers)
	t.Add("xinfo|help", func(ctx *Ctx) { writeHelpLines(ctx, "XINFO", xinfoHelp) })
}

// strtoull parses an unsigned decimal as Redis's string2ull: a canonical
// integer, or else whatever strtoull(3) accepts in full (leading blanks,
// a sign, leading zeros; a '-' negates modulo 2^64).
func strtoull(s []byte) (uint64, bool) {
	if v, ok := ParseInt(s); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return 0, false
	}
	var v uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false // ERANGE
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseID parses a stream ID as Redis's streamGenericParseIDOrReply:
// "-" and "+" (unless strict), "<ms>" (seq = missingSeq) or "<ms>-<seq>";
// with seqGiven non-nil, "<ms>-*" too (*seqGiven false). It replies the
// error when ctx is not nil.
func parseID(ctx *Ctx, arg []byte, missingSeq uint64, strict bool, seqGiven *bool) (StreamID, bool) {
	bad := func() (StreamID, bool) {
		if ctx != nil {
			ctx.Error(ErrStreamInvalidID)
		}
		return StreamID{}, false
	}
	if len(arg) > 127 {
		return bad()
	}
	if i := bytes.IndexByte(arg, 0); i >= 0 {
		arg = arg[:i]
	}
	if seqGiven != nil {
		*seqGiven = true
	}
	if len(arg) == 1 && (arg[0] == '-' || arg[0] == '+') {
		if strict {
			return bad()
		}
		if arg[0] == '-' {
			return StreamID{}, true
		}
		return keyspace.MaxStreamID, true
	}
	msPart, seqPart, dash := bytes.Cut(arg, []byte{'-'})
	ms, ok := strtoull(msPart)
	if !ok {
		return bad()
	}
	seq := missingSeq
	if dash {
		if seqGiven != nil && len(seqPart) == 1 && seqPart[0] == '*' {
			seq = 0
			*seqGiven = false
		} else if seq, ok = strtoull(seqPart); !ok {
			return bad()
		}
	}
	return StreamID{Ms: ms, Seq: seq}, true
}

// parseIntervalID parses a range bound: "(" makes it exclusive (and
// strict). The caller adjusts an exclusive bound.
func parseIntervalID(ctx *Ctx, arg []byte, missingSeq uint64) (id StreamID, exclusive, ok bool) {
	if len(arg) > 1 && arg[0] == '(' {
		id, ok = parseID(ctx, arg[1:], missingSeq, true, nil)
		return id, true, ok
	}
	id, ok = parseID(ctx, arg, missingSeq, false, nil)
	return id, false, ok
}

// parseRangeStart / parseRangeEnd parse inclusive-adjusted bounds.
func parseRangeStart(ctx *Ctx, arg []byte) (StreamID, bool) {
	id, ex, ok := parseIntervalID(ctx, arg, 0)
	if ok && ex {
		if id, ok = id.Incr(); !ok {
			ctx.Error(ErrStreamInvalidStart)
		}
	}
	return id, ok
}

func parseRangeEnd(ctx *Ctx, arg []byte) (StreamID, bool) {
	id, ex, ok := parseIntervalID(ctx, arg, ^uint64(0))
	if ok && ex {
		if id, ok = id.Decr(); !ok {
			ctx.Error(ErrStreamInvalidEnd)
		}
	}
	return id, ok
}

// readStream returns the stream at key (nil if missing); ok is false
// after a WRONGTYPE reply.
func readStream(ctx *Ctx, key []byte) (*keyspace.Stream, bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindStream)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.Stream), true
}

func writeStream(ctx *Ctx, key []byte) (*keyspace.Stream, bool) {
	e, ok := ctx.WriteKind(key, keyspace.KindStream)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Value.(*keyspace.Stream), true
}

// writeID writes an ID as a bulk string.
func writeID(w ReplyWriter, id StreamID) {
	var buf [44]byte
	w.WriteBulk(id.AppendTo(buf[:0]))
}

// idText formats the IDs of one reply into one buffer, sparing an
// allocation per ID. Writers may keep the bytes WriteBulk gets until the
// command ends (the scripting one does), so nothing written is ever
// overwritten: a full buffer is left to the slices already handed out
// and a larger one started.
type idText struct{ buf []byte }

func (t *idText) write(w ReplyWriter, id StreamID) {
	const maxLen = 41 // two 20-digit numbers and a dash
	if cap(t.buf)-len(t.buf) < maxLen {
		t.buf = make([]byte, 0, max(2*cap(t.buf), 4*maxLen))
	}
	n := len(t.buf)
	t.buf = id.AppendTo(t.buf)
	w.WriteBulk(t.buf[n:len(t.buf):len(t.buf)])
}

// writeEntry writes [id, [field, value, ...]].
func writeEntry(w ReplyWriter, e *keyspace.StreamEntry) { writeEntryIn(w, e, nil) }

// writeEntryIn is writeEntry formatting the ID in t (unless nil).
func writeEntryIn(w ReplyWriter, e *keyspace.StreamEntry, t *idText) {
	w.WriteArray(2)
	if t != nil {
		t.write(w, e.ID)
	} else {
		writeID(w, e.ID)
	}
	w.WriteArray(2 * e.NumFields())
	e.Fields(func(f, v []byte) {
		w.WriteBulk(f)
		w.WriteBulk(v)
	})
}

// collectRange returns up to count (0: all) live entries in [start, end].
func collectRange(s *keyspace.Stream, start, end StreamID, rev bool, count int64, buf []keyspace.StreamEntry) []keyspace.StreamEntry {
	out := buf[:0]
	s.Range(start, end, rev, func(e *keyspace.StreamEntry) bool {
		out = append(out, *e)
		return count == 0 || int64(len(out)) < count
	})
	return out
}

// writeRange writes up to count (0: all) live entries in [start, end]:
// one pass counts them, a second writes them (no copies, no allocation).
func writeRange(w ReplyWriter, s *keyspace.Stream, start, end StreamID, rev bool, count int64) {
	n := int64(0)
	s.Range(start, end, rev, func(*keyspace.StreamEntry) bool {
		n++
		return count == 0 || n < count
	})
	w.WriteArray(int(n))
	if n == 0 {
		return
	}
	var t idText
	s.Range(start, end, rev, func(e *keyspace.StreamEntry) bool {
		writeEntryIn(w, e, &t)
		n--
		return n > 0
	})
}

func writeEntries(w ReplyWriter, es []keyspace.StreamEntry) {
	w.WriteArray(len(es))
	var t idText
	for i := range es {
		writeEntryIn(w, &es[i], &t)
	}
}

// writeOneEntry writes the entry id as an [id, fields] pair and reports
// whether it exists.
func writeOneEntry(w ReplyWriter, s *keyspace.Stream, id StreamID) bool {
	found := false
	s.Range(id, id, false, func(e *keyspace.StreamEntry) bool {
		writeEntry(w, e)
		found = true
		return false
	})
	return found
}

func streamNodeLimits(ctx *Ctx) (maxBytes, maxEntries int64) {
	return ctx.S.Config.Int("stream-node-max-bytes"), ctx.S.Config.Int("stream-node-max-entries")
}

type addTrimArgs struct {
	keyspace.TrimArgs
	id         StreamID
	idGiven    bool
	seqGiven   bool
	noMkStream bool
}

// parseAddTrimArgs parses XADD's (xadd) or XTRIM's options from argument
// 2 on, as Redis's streamParseAddOrTrimArgsOrReply; for XADD it returns
// the position of the ID argument. -1 after an error reply.
func parseAddTrimArgs(ctx *Ctx, a *addTrimArgs, xadd bool) int {
	args := ctx.Args
	i := 2
	limitGiven := false
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case kw(opt, "maxlen") && more > 0, kw(opt, "minid") && more > 0:
			if a.Strategy != keyspace.TrimNone {
				ctx.Error(ErrStreamMaxlenMinid)
				return -1
			}
			a.Approx = false
			next := args[i+1]
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			if kw(opt, "maxlen") {
				n, ok := ctx.Int(i + 1)
				if !ok {
					return -1
				}
				if n < 0 {
					ctx.Error(ErrStreamMaxlenNeg)
					return -1
				}
				a.MaxLen = n
				a.Strategy = keyspace.TrimMaxLen
			} else {
				id, ok := parseID(ctx, args[i+1], 0, true, nil)
				if !ok {
					return -1
				}
				a.MinID = id
				a.Strategy = keyspace.TrimMinID
			}
			i++
		case kw(opt, "limit") && more > 0:
			n, ok := ctx.Int(i + 1)
			if !ok {
				return -1
			}
			if n < 0 {
				ctx.Error(ErrStreamLimitNeg)
				return -1
			}
			a.Limit = n
			limitGiven = true
			i++
		case xadd && kw(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, ok := parseID(ctx, opt, 0, true, &a.seqGiven)
			if !ok {
				return -1
			}
			a.id, a.idGiven = id, true
			goto done
		default:
			ctx.SyntaxError()
			return -1
		}
	}
done:
	if a.Limit != 0 && a.Strategy == keyspace.TrimNone {
		ctx.Error(ErrStreamLimitNoStrategy)
		return -1
	}
	if !xadd && a.Strategy == keyspace.TrimNone {
		ctx.Error(ErrStreamXTrimNoStrategy)
		return -1
	}
	if limitGiven {
		if !a.Approx {
			ctx.Error(ErrStreamLimitNoApprox)
			return -1
		}
	} else if a.Approx {
		a.Limit = 100 * ctx.S.Config.Int("stream-node-max-entries")
	} else {
		a.Limit = 0
	}
	return i
}

func cmdXAdd(ctx *Ctx) {
	var a addTrimArgs
	idpos := parseAddTrimArgs(ctx, &a, true)
	if idpos < 0 {
		return
	}
	fieldPos := idpos + 1
	n := len(ctx.Args) - fieldPos
	if n < 2 || n%2 == 1 {
		ctx.WrongArity()
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		ctx.Error(ErrStreamXAddZero)
		return
	}
	key := ctx.Args[1]
	s, ok := writeStream(ctx, key)
	if !ok {
		return
	}
	if s == nil {
		if a.noMkStream {
			ctx.W.WriteNull()
			return
		}
		s = keyspace.NewStream()
		ctx.S.created(ctx.DB.Set(keyspace.Str(key), s, false), ctx.Now)
		ctx.Notify(NotifyNew, "new", key)
	}
	if s.LastID == keyspace.MaxStreamID {
		ctx.Error(ErrStreamExhausted)
		return
	}
	var id StreamID
	switch {
	case !a.idGiven:
		ms := uint64(ctx.Now)
		if ms > s.LastID.Ms {
			id = StreamID{Ms: ms}
		} else {
			id, _ = s.LastID.Incr()
		}
	case a.seqGiven:
		id = a.id
	default:
		if s.LastID.Ms == a.id.Ms {
			if s.LastID.Seq == ^uint64(0) {
				ctx.Error(ErrStreamXAddSmall)
				return
			}
			id = StreamID{Ms: a.id.Ms, Seq: s.LastID.Seq + 1}
		} else {
			id = a.id
		}
	}
	if !s.LastID.Less(id) {
		ctx.Error(ErrStreamXAddSmall)
		return
	}
	maxBytes, maxEntries := streamNodeLimits(ctx)
	s.Append(id, ctx.Args[fieldPos:], maxBytes, maxEntries)
	writeID(ctx.W, id)
	ctx.Notify(NotifyStream, "xadd", key)
	if a.Strategy != keyspace.TrimNone && s.Trim(a.TrimArgs) > 0 {
		ctx.Notify(NotifyStream, "xtrim", key)
	}
	ctx.Modified(key)
}

func cmdXTrim(ctx *Ctx) {
	var a addTrimArgs
	if parseAddTrimArgs(ctx, &a, false) < 0 {
		return
	}
	key := ctx.Args[1]
	s, ok := writeStream(ctx, key)
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteInt(0)
		return
	}
	n := s.Trim(a.TrimArgs)
	if n > 0 {
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xtrim", key)
	}
	ctx.W.WriteInt(n)
}

func cmdXDel(ctx *Ctx) {
	key := ctx.Args[1]
	s, ok := writeStream(ctx, key)
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteInt(0)
		return
	}
	var idbuf [8]StreamID
	ids := idbuf[:0]
	for _, a := range ctx.Args[2:] {
		id, ok := parseID(ctx, a, 0, true, nil)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted := 0
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
			if s.MaxDeletedID.Less(id) {
				s.MaxDeletedID = id
			}
		}
	}
	if deleted > 0 {
		ctx.Modified(key)
		ctx.Notify(NotifyStream, "xdel", key)
	}
	ctx.W.WriteInt(int64(deleted))
}

func cmdXLen(ctx *Ctx) {
	s, ok := readStream(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteInt(0)
		return
	}
	ctx.W.WriteInt(int64(s.Len()))
}

// xrangeGeneric is XRANGE key start end [COUNT n] and XREVRANGE key end
// start [COUNT n].
func xrangeGeneric(ctx *Ctx, rev bool) {
	startArg, endArg := ctx.Args[2], ctx.Args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ok := parseRangeStart(ctx, startArg)
	if !ok {
		return
	}
	end, ok := parseRangeEnd(ctx, endArg)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(ctx.Args); j++ {
		if kw(ctx.Args[j], "count") && j+1 < len(ctx.Args) {
			n, ok := ctx.Int(j + 1)
			if !ok {
				return
			}
			count = max(n, 0)
			j++
			continue
		}
		ctx.SyntaxError()
		return
	}
	s, ok := readStream(ctx, ctx.Args[1])
	if !ok {
		return
	}
	if s == nil {
		ctx.W.WriteArray(0)
		return
	}
	if count == 0 {
		ctx.W.WriteNullArray()
		return
	}
	writeRange(ctx.W, s, start, end, rev, max(count, 0))
}

func cmdXSetID(ctx *Ctx) {
	id, ok := parseID(ctx, ctx.Args[2], 0, true, nil)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel StreamID
	args := ctx.Args
	for i := 3; i < len(args); i += 2 {
		more := len(args) - 1 - i
		switch {
		case kw(args[i], "entriesadded") && more > 0:
			n, ok := ctx.Int(i + 1)
			if !ok {
				return
			}
			if n < 0 {
				ctx.Error(ErrStreamEntriesAddedNeg)
				return
			}
			entriesAdded = n
		case kw(args[i], "maxdeletedid") && more > 0:
			if maxDel, ok = parseID(ctx, args[i+1], 0, true, nil); !ok {
				return
			}
			if id.Less(maxDel) {
				ctx.Error(ErrStreamSetIDMaxDel)
				return
			}
		default:
			ctx.SyntaxError()
			return
		}
	}
	key := args[1]
	s, ok := writeStream(ctx, key)
	if !ok {
		return
	}
	if s == nil {
		ctx.Error(ErrNoSuchKey)
		return
	}
	if s.Len() > 0 {
		if id.Less(s.LastLiveID()) {
			ctx.Error(ErrStreamSetIDSmall)
			return
		}
		if entriesAdded != -1 && s.Len() > uint64(entriesAdded) {
			ctx.Error(ErrStreamSetIDEntriesAdded)
			return
		}
	}
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	// Counted as a change (persistence) but, as in Redis 7.0, not
	// signalled: WATCH and client-side caching do not see XSETID.
	ctx.S.Dirty++
	ctx.Notify(NotifyStream, "xsetid", key)
	ctx.OK()
}

// upper is strings.ToUpper of an argument.
func upper(b []byte) string { return strings.ToUpper(string(b)) }
