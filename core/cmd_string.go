package core

import (
	"bytes"
	"math"

	"github.com/polyfn/polyfn/core/keyspace"
)

// String commands: GET/SET and their variants, MSET/MGET, APPEND, STRLEN,
// GETRANGE/SETRANGE. Counters (INCR...) are in cmd_incr.go, LCS in
// cmd_lcs.go.
//
// String values are []byte in Entry.Value. Commands that edit a string
// (APPEND, SETRANGE, SETBIT, BITFIELD, INCR) may modify its bytes in
// place: whoever stores a string must own its bytes (clone them).

func registerStringCommands(t *Table) {
	t.Add("get", cmdGet)
	t.Add("set", cmdSet)
	t.Add("setnx", cmdSetNX)
	t.Add("setex", cmdSetEX)
	t.Add("psetex", cmdPSetEX)
	t.Add("getex", cmdGetEX)
	t.Add("getdel", cmdGetDel)
	t.Add("getset", cmdGetSet)
	t.Add("mset", cmdMSet)
	t.Add("msetnx", cmdMSetNX)
	t.Add("mget", cmdMGet)
	t.Add("append", cmdAppend)
	t.Add("strlen", cmdStrlen)
	t.Add("getrange", cmdGetRange)
	t.Add("substr", cmdGetRange)
	t.Add("setrange", cmdSetRange)
	t.Add("incr", cmdIncr)
	t.Add("decr", cmdDecr)
	t.Add("incrby", cmdIncrBy)
	t.Add("decrby", cmdDecrBy)
	t.Add("incrbyfloat", cmdIncrByFloat)
	t.Add("lcs", cmdLCS)
}

// StringEncoding returns the encoding OBJECT ENCODING reports for the
// string entry e, as Redis 7.0 would have stored it: "int" for a canonical
// 64-bit integer stored whole (SET, MSET, INCR...), "embstr" for other
// strings of at most 44 bytes, "raw" for longer strings and for strings
// edited in place (APPEND, SETRANGE, SETBIT, BITFIELD, BITOP results).
func StringEncoding(e *keyspace.Entry) string {
	b, _ := e.Value.([]byte)
	switch {
	case e.Raw:
		return "raw"
	case !e.NotInt && len(b) <= 20 && isCanonicalInt(b):
		return "int"
	case len(b) <= 44:
		return "embstr"
	}
	return "raw"
}

func isCanonicalInt(b []byte) bool {
	_, ok := ParseInt(b)
	return ok
}

// kw reports whether the option argument a is word, ignoring ASCII case
// and, as Redis's C string comparisons do, anything from a NUL byte on.
func kw(a []byte, word string) bool {
	if i := bytes.IndexByte(a, 0); i >= 0 {
		a = a[:i]
	}
	if len(a) != len(word) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// strValue returns the bytes of a string entry (nil for nil).
func strValue(e *keyspace.Entry) []byte {
	if e == nil {
		return nil
	}
	return e.Value.([]byte)
}

// Flags of SET and GETEX options.
const (
	optNX = 1 << iota
	optXX
	optGet
	optKeepTTL
	optPersist
	optEX
	optPX
	optEXAT
	optPXAT

	optExpire = optEX | optPX | optEXAT | optPXAT
)

// parseSetOptions parses SET's (getex false) or GETEX's options from
// argument from on, as Redis's parseExtendedStringArgumentsOrReply:
// conflicting or unknown options are a syntax error; a repeated option of
// the same kind is accepted and the last value wins.
func parseSetOptions(ctx *Ctx, from int, getex bool) (flags int, expire []byte, ok bool) {
	args := ctx.Args
	for j := from; j < len(args); j++ {
		a := args[j]
		more := j+1 < len(args)
		switch {
		case !getex && kw(a, "nx") && flags&optXX == 0:
			flags |= optNX
		case !getex && kw(a, "xx") && flags&optNX == 0:
			flags |= optXX
		case !getex && kw(a, "get"):
			flags |= optGet
		case !getex && kw(a, "keepttl") && flags&(optPersist|optExpire) == 0:
			flags |= optKeepTTL
		case getex && kw(a, "persist") && flags&(optExpire|optKeepTTL) == 0:
			flags |= optPersist
		case kw(a, "ex") && more && flags&(optKeepTTL|optPersist|optExpire&^optEX) == 0:
			flags |= optEX
			expire = args[j+1]
			j++
		case kw(a, "px") && more && flags&(optKeepTTL|optPersist|optExpire&^optPX) == 0:
			flags |= optPX
			expire = args[j+1]
			j++
		case kw(a, "exat") && more && flags&(optKeepTTL|optPersist|optExpire&^optEXAT) == 0:
			flags |= optEXAT
			expire = args[j+1]
			j++
		case kw(a, "pxat") && more && flags&(optKeepTTL|optPersist|optExpire&^optPXAT) == 0:
			flags |= optPXAT
			expire = args[j+1]
			j++
		default:
			ctx.SyntaxError()
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireAt converts an EX/PX/EXAT/PXAT argument to an absolute unix time
// in milliseconds, replying with Redis's errors when it is not an integer,
// not positive, or overflows.
func expireAt(ctx *Ctx, arg []byte, flags int) (int64, bool) {
	ms, ok := ctx.intArg(arg)
	if !ok {
		return 0, false
	}
	seconds := flags&(optEX|optEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		ctx.Errorf(ErrInvalidExpire, ctx.Cmd.FullName())
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(optEX|optPX) != 0 {
		ms += ctx.Now // wraps on overflow, caught below as in Redis
	}
	if ms <= 0 {
		ctx.Errorf(ErrInvalidExpire, ctx.Cmd.FullName())
		return 0, false
	}
	return ms, true
}

// storeString is Store for a string copied from val (see
// keyspace.DB.SetString: existing buffers are reused when they fit).
func (ctx *Ctx) storeString(key, val []byte, keepTTL bool) *keyspace.Entry {
	return ctx.storeStringLooked(key, val, keepTTL, false)
}

// storeStringLooked is storeString for a command that already looked key
// up (ctx.Write): the lookup was the access.
func (ctx *Ctx) storeStringLooked(key, val []byte, keepTTL, looked bool) *keyspace.Entry {
	ctx.notifyNewIfAbsent(key)
	e := ctx.DB.SetString(keyspace.Str(key), val, keepTTL)
	ctx.S.stored(e, ctx.Now, looked)
	ctx.Modified(key)
	return e
}

// intArg parses an integer argument, replying the integer error.
func (ctx *Ctx) intArg(b []byte) (int64, bool) {
	n, ok := ParseInt(b)
	if !ok {
		ctx.Error(ErrNotInteger)
	}
	return n, ok
}

func cmdGet(ctx *Ctx) {
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		ctx.W.WriteNull()
		return
	}
	ctx.W.WriteBulk(e.Value.([]byte))
}

func cmdSet(ctx *Ctx) {
	flags, expire := 0, []byte(nil)
	if len(ctx.Args) > 3 {
		var ok bool
		if flags, expire, ok = parseSetOptions(ctx, 3, false); !ok {
			return
		}
	}
	setGeneric(ctx, flags, ctx.Args[1], ctx.Args[2], expire, false)
}

func cmdSetNX(ctx *Ctx) { setGeneric(ctx, optNX, ctx.Args[1], ctx.Args[2], nil, true) }
func cmdSetEX(ctx *Ctx) { setGeneric(ctx, optEX, ctx.Args[1], ctx.Args[3], ctx.Args[2], false) }
func cmdPSetEX(ctx *Ctx) {
	setGeneric(ctx, optPX, ctx.Args[1], ctx.Args[3], ctx.Args[2], false)
}

// setGeneric is SET with parsed options. intReply selects SETNX's :1 / :0
// replies instead of +OK / null.
func setGeneric(ctx *Ctx, flags int, key, val, expire []byte, intReply bool) {
	var at int64
	if expire != nil {
		var ok bool
		if at, ok = expireAt(ctx, expire, flags); !ok {
			return
		}
	}
	get := flags&optGet != 0
	if get {
		e, ok := ctx.ReadKind(key, keyspace.KindString)
		if !ok {
			return
		}
		if e == nil {
			ctx.W.WriteNull()
		} else {
			ctx.W.WriteBulk(e.Value.([]byte))
		}
	}
	looked := flags&(optNX|optXX|optKeepTTL) != 0
	if looked {
		// Write also drops an expired key, so KEEPTTL cannot inherit a
		// time to live that has already passed.
		found := ctx.Write(key) != nil
		if (flags&optNX != 0 && found) || (flags&optXX != 0 && !found) {
			switch {
			case get:
			case intReply:
				ctx.W.WriteInt(0)
			default:
				ctx.W.WriteNull()
			}
			return
		}
	}
	ctx.storeStringLooked(key, val, flags&optKeepTTL != 0, looked)
	ctx.Notify(NotifyString, "set", key)
	if expire != nil {
		ctx.DB.SetExpire(keyspace.Str(key), at)
		ctx.Notify(NotifyGeneric, "expire", key)
	}
	switch {
	case get:
	case intReply:
		ctx.W.WriteInt(1)
	default:
		ctx.OK()
	}
}

func cmdGetEX(ctx *Ctx) {
	flags, expire, ok := parseSetOptions(ctx, 2, true)
	if !ok {
		return
	}
	key := ctx.Args[1]
	e, ok := ctx.ReadKind(key, keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		ctx.W.WriteNull()
		return
	}
	var at int64
	if expire != nil {
		if at, ok = expireAt(ctx, expire, flags); !ok {
			return
		}
	}
	ctx.W.WriteBulk(e.Value.([]byte))
	switch {
	case flags&(optEXAT|optPXAT) != 0 && at <= ctx.Now:
		ctx.Delete(key)
		ctx.Notify(NotifyGeneric, "del", key)
	case expire != nil:
		ctx.DB.SetExpire(keyspace.Str(key), at)
		ctx.Modified(key)
		ctx.Notify(NotifyGeneric, "expire", key)
	case flags&optPersist != 0:
		if ctx.DB.Persist(keyspace.Str(key)) {
			ctx.Modified(key)
			ctx.Notify(NotifyGeneric, "persist", key)
		}
	}
}

// getOrReply is Redis's getGenericCommand: it replies with the string at
// key or null, and returns false after a WRONGTYPE error.
func getOrReply(ctx *Ctx, key []byte) (*keyspace.Entry, bool) {
	e, ok := ctx.ReadKind(key, keyspace.KindString)
	if !ok {
		return nil, false
	}
	if e == nil {
		ctx.W.WriteNull()
	} else {
		ctx.W.WriteBulk(e.Value.([]byte))
	}
	return e, true
}

func cmdGetDel(ctx *Ctx) {
	e, ok := getOrReply(ctx, ctx.Args[1])
	if ok && e != nil {
		ctx.Delete(ctx.Args[1])
		ctx.Notify(NotifyGeneric, "del", ctx.Args[1])
	}
}

func cmdGetSet(ctx *Ctx) {
	if _, ok := getOrReply(ctx, ctx.Args[1]); !ok {
		return
	}
	ctx.storeString(ctx.Args[1], ctx.Args[2], false)
	ctx.Notify(NotifyString, "set", ctx.Args[1])
}

func cmdMSet(ctx *Ctx) { msetGeneric(ctx, false) }

func cmdMSetNX(ctx *Ctx) { msetGeneric(ctx, true) }

func msetGeneric(ctx *Ctx, nx bool) {
	args := ctx.Args
	if len(args)%2 == 0 {
		ctx.WrongArity()
		return
	}
	if nx {
		for j := 1; j < len(args); j += 2 {
			if ctx.Write(args[j]) != nil {
				ctx.W.WriteInt(0)
				return
			}
		}
	}
	for j := 1; j < len(args); j += 2 {
		ctx.storeString(args[j], args[j+1], false)
		ctx.Notify(NotifyString, "set", args[j])
	}
	if nx {
		ctx.W.WriteInt(1)
	} else {
		ctx.OK()
	}
}

func cmdMGet(ctx *Ctx) {
	keys := ctx.Args[1:]
	ctx.W.WriteArray(len(keys))
	for _, k := range keys {
		e := ctx.Read(k)
		if e == nil {
			ctx.W.WriteNull()
			continue
		}
		b, ok := e.Value.([]byte)
		if !ok {
			ctx.W.WriteNull()
			continue
		}
		ctx.W.WriteBulk(b)
	}
}

// checkStringLength is Redis's check that a string of size grown by add
// bytes stays within proto-max-bulk-len.
func checkStringLength(ctx *Ctx, size, add int64) bool {
	total := size + add
	if total > ctx.S.Config.ProtoMaxBulkLen() || total < size || total < add {
		ctx.Error(ErrStringTooLong)
		return false
	}
	return true
}

func cmdAppend(ctx *Ctx) {
	key, add := ctx.Args[1], ctx.Args[2]
	e, ok := ctx.WriteKind(key, keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		ctx.storeString(key, add, false)
		ctx.Notify(NotifyString, "append", key)
		ctx.W.WriteInt(int64(len(add)))
		return
	}
	b := e.Value.([]byte)
	if !checkStringLength(ctx, int64(len(b)), int64(len(add))) {
		return
	}
	b = append(b, add...)
	e.Value = b
	e.Raw = true
	ctx.Modified(key)
	ctx.Notify(NotifyString, "append", key)
	ctx.W.WriteInt(int64(len(b)))
}

func cmdStrlen(ctx *Ctx) {
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	ctx.W.WriteInt(int64(len(strValue(e))))
}

func cmdGetRange(ctx *Ctx) {
	start, ok := ctx.Int(2)
	if !ok {
		return
	}
	end, ok := ctx.Int(3)
	if !ok {
		return
	}
	e, ok := ctx.ReadKind(ctx.Args[1], keyspace.KindString)
	if !ok {
		return
	}
	b := strValue(e)
	n := int64(len(b))
	if (start < 0 && end < 0 && start > end) || n == 0 {
		ctx.W.WriteBulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end {
		ctx.W.WriteBulk(nil)
		return
	}
	ctx.W.WriteBulk(b[start : end+1])
}

func cmdSetRange(ctx *Ctx) {
	key, val := ctx.Args[1], ctx.Args[3]
	off, ok := ctx.Int(2)
	if !ok {
		return
	}
	if off < 0 {
		ctx.Error(ErrOffsetOutOfRange)
		return
	}
	e, ok := ctx.WriteKind(key, keyspace.KindString)
	if !ok {
		return
	}
	if e == nil {
		if len(val) == 0 {
			ctx.W.WriteInt(0)
			return
		}
		if !checkStringLength(ctx, off, int64(len(val))) {
			return
		}
		b := make([]byte, off+int64(len(val)))
		copy(b[off:], val)
		ctx.Store(key, b, false).Raw = true
		ctx.Notify(NotifyString, "setrange", key)
		ctx.W.WriteInt(int64(len(b)))
		return
	}
	b := e.Value.([]byte)
	if len(val) == 0 {
		ctx.W.WriteInt(int64(len(b)))
		return
	}
	if !checkStringLength(ctx, off, int64(len(val))) {
		return
	}
	b = growZero(b, int(off)+len(val))
	copy(b[off:], val)
	e.Value = b
	e.Raw = true
	ctx.Modified(key)
	ctx.Notify(NotifyString, "setrange", key)
	ctx.W.WriteInt(int64(len(b)))
}

// growZero extends b with zero bytes to at least n bytes.
func growZero(b []byte, n int) []byte {
	if n <= len(b) {
		return b
	}
	if n <= cap(b) {
		old := len(b)
		b = b[:n]
		clear(b[old:])
		return b
	}
	nb := make([]byte, n, n+n/8)
	copy(nb, b)
	return nb
}
