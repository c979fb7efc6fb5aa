package core

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core/keyspace"
)

// Deterministic forms of effects. A command goes into the effects stream
// as a command that, replayed later (AOF loading, a replica), gives the
// same dataset, as Redis 7.0 propagates it:
//
//   - relative or absolute expiry becomes an absolute millisecond time:
//     EXPIRE/PEXPIRE/EXPIREAT and GETEX EX/PX/EXAT become PEXPIREAT,
//     SET EX/PX/EXAT, SETEX and PSETEX become SET key value PXAT, an
//     expiry already in the past becomes DEL, GETEX PERSIST PERSIST;
//   - GETDEL is DEL; INCRBYFLOAT is SET key value KEEPTTL and HINCRBYFLOAT
//     HSET (the float result is replayed, not recomputed);
//   - RESTORE with a relative TTL gets ABSTTL;
//   - XADD with an automatic ID gets the ID it produced; approximate
//     trimming (~) of XADD and XTRIM becomes exact (=) to what was kept;
//   - pops whose target the command chose (BLPOP, LMPOP, BZPOPMIN,
//     BLMOVE, SPOP, ...) are recorded by their handlers with
//     Ctx.Propagate (LPOP key count, ZPOPMIN key, LMOVE, SREM ...);
//   - keys removed because their time passed are recorded as DEL (see
//     keyExpired), inside the unit of the command that found them.
//
// Rewritten command names are upper case, as Redis writes them; commands
// kept as called keep the client's spelling.

// Propagate records args as this command's effect instead of the command
// as called; each call adds one command. The args are copied. It has an
// effect only when the command changed the dataset.
func (ctx *Ctx) Propagate(args ...[]byte) {
	if ctx.S.effects.sink == nil {
		return
	}
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = bytes.Clone(a)
	}
	ctx.propagate = append(ctx.propagate, cp)
}

// keyExpired is the keyspace's OnExpire hook: an expired key removed by
// a writer or the active expiry cycle sends the "expired" keyspace event
// and is a DEL in the effects stream.
func (s *Server) keyExpired(db *keyspace.DB, key string) {
	if s.notifyOn(NotifyExpired) { // before converting the key
		s.publishKeyspaceEvent("expired", []byte(key), db.ID)
	}
	st := &s.effects
	if st.sink == nil || st.off {
		return
	}
	st.pending = append(st.pending, Effect{DB: db.ID, Args: [][]byte{[]byte("DEL"), []byte(key)}})
	if st.depth == 0 {
		s.flushEffects()
	}
}

var (
	bDEL       = []byte("DEL")
	bSET       = []byte("SET")
	bHSET      = []byte("HSET")
	bPXAT      = []byte("PXAT")
	bKEEPTTL   = []byte("KEEPTTL")
	bPEXPIREAT = []byte("PEXPIREAT")
	bPERSIST   = []byte("PERSIST")
	bABSTTL    = []byte("ABSTTL")
)

// deterministicForm returns the commands that replay ctx's command, or
// nil when it replays as called. The lock is held, right after the
// command ran.
func deterministicForm(ctx *Ctx) [][][]byte {
	args := ctx.Args
	if len(args) < 2 {
		return nil
	}
	key := args[1]
	switch ctx.Cmd.Name {
	case "expire", "pexpire", "expireat", "pexpireat":
		return expiryForm(ctx, key)
	case "set":
		for i := 3; i < len(args); i++ {
			switch strings.ToLower(string(args[i])) {
			case "ex", "px", "exat", "pxat":
				return setAtForm(ctx, key, args[2])
			}
		}
	case "setex", "psetex":
		if len(args) == 4 {
			return setAtForm(ctx, key, args[3])
		}
	case "getex":
		for i := 2; i < len(args); i++ {
			switch strings.ToLower(string(args[i])) {
			case "ex", "px", "exat", "pxat":
				return expiryForm(ctx, key)
			case "persist":
				return [][][]byte{{bPERSIST, key}}
			}
		}
	case "getdel":
		return [][][]byte{{bDEL, key}}
	case "incrbyfloat":
		if e := ctx.DB.Get(keyspace.Str(key), ctx.Now); e != nil {
			if v, ok := e.Value.([]byte); ok {
				return [][][]byte{{bSET, key, v, bKEEPTTL}}
			}
		}
	case "hincrbyfloat":
		if e := ctx.DB.Get(keyspace.Str(key), ctx.Now); e != nil && len(args) == 4 {
			if h, ok := e.Value.(*keyspace.Hash); ok {
				if v, ok := h.Get(args[2]); ok {
					return [][][]byte{{bHSET, key, args[2], v}}
				}
			}
		}
	case "restore":
		return restoreForm(ctx, key)
	case "xadd", "xtrim":
		return streamForm(ctx, key)
	}
	return nil
}

// expiryForm is PEXPIREAT key <ms>, or DEL key when the key is gone.
func expiryForm(ctx *Ctx, key []byte) [][][]byte {
	if at, ok := ctx.DB.Expire(keyspace.Str(key)); ok && at > ctx.Now {
		return [][][]byte{{bPEXPIREAT, key, strconv.AppendInt(nil, at, 10)}}
	}
	if ctx.DB.Get(keyspace.Str(key), ctx.Now) != nil {
		return nil // no expiry set (GETEX without one): as called
	}
	return [][][]byte{{bDEL, key}}
}

// setAtForm is SET key value PXAT <ms>, or DEL key when the key is gone.
func setAtForm(ctx *Ctx, key, value []byte) [][][]byte {
	if at, ok := ctx.DB.Expire(keyspace.Str(key)); ok && at > ctx.Now {
		return [][][]byte{{bSET, key, value, bPXAT, strconv.AppendInt(nil, at, 10)}}
	}
	if ctx.DB.Get(keyspace.Str(key), ctx.Now) != nil {
		return nil
	}
	return [][][]byte{{bDEL, key}}
}

// restoreForm turns RESTORE key ttl payload ... with a relative TTL into
// the same command with the absolute expiry and ABSTTL.
func restoreForm(ctx *Ctx, key []byte) [][][]byte {
	args := ctx.Args
	if len(args) < 4 || string(args[2]) == "0" {
		return nil
	}
	for _, a := range args[4:] {
		if strings.EqualFold(string(a), "absttl") {
			return nil
		}
	}
	at, ok := ctx.DB.Expire(keyspace.Str(key))
	if !ok {
		return nil
	}
	out := append([][]byte{args[0], key, strconv.AppendInt(nil, at, 10)}, args[3:]...)
	return [][][]byte{append(out, bABSTTL)}
}

// streamForm fills in XADD's automatic ID and makes approximate trimming
// exact: MAXLEN ~ n becomes MAXLEN = <length kept>, MINID ~ id becomes
// MINID = <first id kept>, and LIMIT is dropped.
func streamForm(ctx *Ctx, key []byte) [][][]byte {
	e := ctx.DB.Get(keyspace.Str(key), ctx.Now)
	if e == nil {
		return nil
	}
	st, ok := e.Value.(*keyspace.Stream)
	if !ok {
		return nil
	}
	args := ctx.Args
	xadd := ctx.Cmd.Name == "xadd"
	out := [][]byte{args[0], key}
	changed := false
	i := 2
	for i < len(args) {
		a := strings.ToLower(string(args[i]))
		switch {
		case xadd && a == "nomkstream":
			out = append(out, args[i])
			i++
			continue
		case (a == "maxlen" || a == "minid") && i+1 < len(args):
			out = append(out, args[i])
			i++
			approx := false
			if s := string(args[i]); s == "~" || s == "=" {
				approx = s == "~"
				i++
			}
			if i >= len(args) {
				return nil
			}
			if approx {
				changed = true
				var th []byte
				if a == "maxlen" {
					th = strconv.AppendUint(nil, st.Len(), 10)
				} else {
					id := st.FirstID()
					th = []byte(strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10))
				}
				out = append(out, []byte("="), th)
			} else {
				out = append(out, args[i])
			}
			i++
			if i+1 < len(args) && strings.EqualFold(string(args[i]), "limit") {
				if !approx {
					out = append(out, args[i], args[i+1])
				}
				i += 2
			}
			continue
		}
		break
	}
	if xadd {
		if i >= len(args) {
			return nil
		}
		id := args[i]
		if string(id) == "*" || bytes.HasSuffix(id, []byte("-*")) {
			changed = true
			last := st.LastID
			id = []byte(strconv.FormatUint(last.Ms, 10) + "-" + strconv.FormatUint(last.Seq, 10))
		}
		out = append(out, id)
		i++
	}
	if !changed {
		return nil
	}
	return [][][]byte{append(out, args[i:]...)}
}
