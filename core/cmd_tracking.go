package core

import (
	"sort"
	"strings"
)

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (tracking.go has
// the machinery).

func registerTrackingCommands(t *Table) {
	t.Add("client|tracking", cmdClientTracking)
	t.Add("client|caching", cmdClientCaching)
	t.Add("client|getredir", cmdClientGetRedir)
	t.Add("client|trackinginfo", cmdClientTrackingInfo)
}

func cmdClientTracking(ctx *Ctx) {
	s, c := ctx.S, ctx.C
	var tr clientTracking
	for j := 3; j < len(ctx.Args); j++ {
		more := j+1 < len(ctx.Args)
		switch {
		case ctx.ArgIs(j, "redirect") && more:
			j++
			if tr.redirect != 0 {
				ctx.Error("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := ParseInt(ctx.Args[j])
			if !ok {
				ctx.Error(ErrNotInteger)
				return
			}
			if s.clientByID(id) == nil {
				ctx.Error("ERR The client ID you want redirect to does not exist")
				return
			}
			tr.redirect = id
		case ctx.ArgIs(j, "bcast"):
			tr.bcast = true
		case ctx.ArgIs(j, "optin"):
			tr.optin = true
		case ctx.ArgIs(j, "optout"):
			tr.optout = true
		case ctx.ArgIs(j, "noloop"):
			tr.noloop = true
		case ctx.ArgIs(j, "prefix") && more:
			j++
			tr.prefixes = append(tr.prefixes, string(ctx.Args[j]))
		default:
			ctx.SyntaxError()
			return
		}
	}
	switch {
	case ctx.ArgIs(2, "on"):
		old := c.tracking
		switch {
		case !tr.bcast && len(tr.prefixes) > 0:
			ctx.Error("ERR PREFIX option requires BCAST mode to be enabled")
		case old != nil && old.bcast != tr.bcast:
			ctx.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
		case tr.bcast && (tr.optin || tr.optout):
			ctx.Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
		case tr.optin && tr.optout:
			ctx.Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
		case old != nil && (tr.optin && old.optout || tr.optout && old.optin):
			ctx.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
		default:
			if tr.bcast && !prefixesCompatible(ctx, old, tr.prefixes) {
				return
			}
			s.enableTracking(c, tr)
			ctx.OK()
		}
	case ctx.ArgIs(2, "off"):
		s.disableTracking(c)
		ctx.OK()
	default:
		ctx.SyntaxError()
	}
}

// prefixesCompatible refuses BCAST prefixes that overlap each other or
// the client's existing ones, with Redis's texts.
func prefixesCompatible(ctx *Ctx, old *clientTracking, prefixes []string) bool {
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range prefixes {
		if old != nil {
			for _, q := range old.prefixes {
				if overlap(p, q) {
					ctx.Errorf("ERR Prefix '%s' overlaps with an existing prefix '%s'. Prefixes for a single client must not overlap.", p, q)
					return false
				}
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				ctx.Errorf("ERR Prefix '%s' overlaps with another provided prefix '%s'. Prefixes for a single client must not overlap.", p, q)
				return false
			}
		}
	}
	return true
}

func cmdClientCaching(ctx *Ctx) {
	tr := ctx.C.tracking
	if tr == nil {
		ctx.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case ctx.ArgIs(2, "yes"):
		if !tr.optin {
			ctx.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case ctx.ArgIs(2, "no"):
		if !tr.optout {
			ctx.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		ctx.SyntaxError()
		return
	}
	tr.caching = true
	ctx.C.keepCaching = true
	ctx.OK()
}

func cmdClientGetRedir(ctx *Ctx) {
	if tr := ctx.C.tracking; tr != nil {
		ctx.W.WriteInt(tr.redirect)
		return
	}
	ctx.W.WriteInt(-1)
}

func cmdClientTrackingInfo(ctx *Ctx) {
	w, tr := ctx.W, ctx.C.tracking
	w.WriteMap(3)
	w.WriteBulkString("flags")
	var flags []string
	if tr == nil {
		flags = []string{"off"}
	} else {
		flags = append(flags, "on")
		if tr.bcast {
			flags = append(flags, "bcast")
		}
		if tr.optin {
			flags = append(flags, "optin")
			if tr.caching {
				flags = append(flags, "caching-yes")
			}
		}
		if tr.optout {
			flags = append(flags, "optout")
			if tr.caching {
				flags = append(flags, "caching-no")
			}
		}
		if tr.noloop {
			flags = append(flags, "noloop")
		}
		if tr.brokenRedir {
			flags = append(flags, "broken_redirect")
		}
	}
	w.WriteSet(len(flags))
	for _, f := range flags {
		w.WriteBulkString(f)
	}
	w.WriteBulkString("redirect")
	if tr == nil {
		w.WriteInt(-1)
	} else {
		w.WriteInt(tr.redirect)
	}
	w.WriteBulkString("prefixes")
	if tr == nil {
		w.WriteArray(0)
		return
	}
	prefixes := append([]string(nil), tr.prefixes...)
	sort.Strings(prefixes) // Redis keeps them in a radix tree
	w.WriteArray(len(prefixes))
	for _, p := range prefixes {
		w.WriteBulkString(p)
	}
}
