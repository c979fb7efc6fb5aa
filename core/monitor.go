package core

import (
	"strconv"
	"strings"
	"time"
)

// AddMonitor makes c a MONITOR client.
func (s *Server) AddMonitor(c *Client) {
	c.Monitor = true
	s.monitors[c] = struct{}{}
}

// feedMonitors sends the command line to every MONITOR client, in Redis's
// format: +<unix time with µs> [<db> <addr>] "arg" "arg"...
func (s *Server) feedMonitors(ctx *Ctx) {
	now := time.Now()
	var b strings.Builder
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteByte('.')
	us := strconv.FormatInt(int64(now.Nanosecond()/1000), 10)
	b.WriteString(strings.Repeat("0", 6-len(us)) + us)
	b.WriteString(" [")
	db := ctx.DB
	if ctx.C != nil && ctx.C.DB != nil {
		db = ctx.C.DB
	}
	b.WriteString(strconv.Itoa(db.ID))
	b.WriteByte(' ')
	if ctx.C != nil {
		b.WriteString(ctx.C.Addr)
	} else {
		b.WriteString("lua")
	}
	b.WriteByte(']')
	for i := range ctx.Args {
		b.WriteByte(' ')
		b.WriteString(Repr(ctx.shownArg(i)))
	}
	line := b.String()
	for m := range s.monitors {
		m.Conn.Deliver(func(w ReplyWriter) { w.WriteStatus(line) })
	}
}

// Repr quotes b as Redis's sdscatrepr does (MONITOR, DEBUG, CLIENT LIST).
func Repr(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		switch c {
		case '\\':
			sb.WriteString(`\\`)
		case '"':
			sb.WriteString(`\"`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				sb.WriteByte(c)
			} else {
				sb.WriteString(`\x`)
				sb.WriteByte("0123456789abcdef"[c>>4])
				sb.WriteByte("0123456789abcdef"[c&15])
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
