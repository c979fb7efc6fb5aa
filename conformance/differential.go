package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/protocol"
)

// A differential script is a text file of commands, one per line, in
// redis-cli quoting ("double quotes" with \n \r \t \xHH escapes, 'single
// quotes'). Each command goes to polyfn and to redis-server over
// connections in the same state; the replies must be byte-identical.
// Lines starting with '#' are comments. Directives start with '!':
//
//	!server --name value ...  (first lines only) extra arguments for both servers
//	!conn NAME                switch to connection NAME (opened on first use)
//	!resp3 / !resp2           HELLO 3 / HELLO 2 on the current connection (reply compared)
//	!send CMD ...             send without reading the reply
//	!recv                     read one reply on the current connection and compare
//	!sort CMD ...             compare with the elements of the top-level aggregate sorted
//	!ignore CMD ...           run on both, do not compare (the reply must not be a protocol failure)
//	!type CMD ...             compare only the reply's RESP type byte (and length for aggregates)
//	!deepsort CMD ...         as !sort, at every level (FUNCTION LIST: Redis lists a library's
//	                          functions in dict order)
//	!fnload CMD ...           FUNCTION LOAD: any "Function X already exists" matches another
//	                          (Redis names the first clash in dict order)
//	!dump CMD ...             compare a DUMP payload exactly, unless it is a hash table set or
//	                          hash (their order is Redis's random dict order) or a stream
//	                          (consumers' seen times): then its type and length
//	!raw "bytes"              send raw bytes (escapes as in quoted arguments)
//	!closed                   both servers must have closed the current connection
//	!sleep MS                 pause
//	!flushall                 FLUSHALL on both (not compared)
//	!polyfn "reply" CMD ...   polyfn only, which must reply exactly "reply": for the few
//	                          commands the reference build is known to mishandle (the
//	                          comment above each says how, and what Redis replied before)
//
// The same script runs once more with every connection in RESP3 unless it
// contains "!noresp3".

type diffConn struct{ p, r *Client }

type diffRun struct {
	t        *testing.T
	file     string
	pAddr    string
	rAddr    string
	conns    map[string]*diffConn
	cur      *diffConn
	resp3    bool
	failures int
}

// RunDiffFile runs one script against fresh polyfn and redis-server
// instances. resp3 starts every connection with HELLO 3.
func RunDiffFile(t *testing.T, path string, resp3 bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var args []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "!server ") {
			a, ok := protocol.SplitArgs([]byte(strings.TrimPrefix(l, "!server ")))
			if !ok {
				t.Fatalf("%s: bad !server line", path)
			}
			for _, x := range a {
				args = append(args, string(x))
			}
		}
	}
	rAddr := StartRedis(t, args...)
	// Redis offers Lua only: so does the polyfn it is compared with (with
	// more engines FUNCTION STATS would list them, a documented difference).
	// Both without save points unless the script sets them (StartRedis
	// turns them off).
	pAddr := StartPolyfnWith(t, onlyEngine(t, "lua"), append([]string{"--save", ""}, args...)...)
	d := &diffRun{t: t, file: path, pAddr: pAddr, rAddr: rAddr, conns: map[string]*diffConn{}, resp3: resp3}
	d.switchConn("default")
	for i, l := range lines {
		if d.failures >= 20 {
			t.Fatalf("%s: too many differences, stopping", path)
		}
		d.line(i+1, strings.TrimSpace(l))
	}
}

func (d *diffRun) switchConn(name string) {
	if c := d.conns[name]; c != nil {
		d.cur = c
		return
	}
	c := &diffConn{p: Dial(d.t, d.pAddr), r: Dial(d.t, d.rAddr)}
	d.conns[name] = c
	d.cur = c
	if d.resp3 {
		for _, x := range []*Client{c.p, c.r} {
			if _, _, err := x.Do("HELLO", "3"); err != nil {
				d.t.Fatalf("HELLO 3: %v", err)
			}
		}
	}
}

func (d *diffRun) errorf(line int, format string, a ...any) {
	d.failures++
	d.t.Errorf("%s:%d: %s", d.file, line, fmt.Sprintf(format, a...))
}

func splitCmd(s string) ([]string, bool) {
	a, ok := protocol.SplitArgs([]byte(s))
	out := make([]string, len(a))
	for i, x := range a {
		out[i] = string(x)
	}
	return out, ok
}

func (d *diffRun) line(n int, l string) {
	if l == "" || l[0] == '#' {
		return
	}
	if l[0] != '!' {
		d.do(n, l, "exact")
		return
	}
	word, rest, _ := strings.Cut(l, " ")
	switch word {
	case "!server", "!noresp3":
	case "!conn":
		d.switchConn(strings.TrimSpace(rest))
	case "!resp3":
		d.do(n, "HELLO 3", "exact")
	case "!resp2":
		d.do(n, "HELLO 2", "exact")
	case "!send":
		args, ok := splitCmd(rest)
		if !ok {
			d.t.Fatalf("%s:%d: bad quoting", d.file, n)
		}
		d.cur.p.Send(args...)
		d.cur.r.Send(args...)
	case "!recv":
		d.compare(n, "(recv)", "exact")
	case "!sort", "!ignore", "!type", "!dump", "!deepsort", "!fnload":
		d.do(n, rest, word[1:]) // the comparison mode is the directive's name
	case "!raw":
		a, ok := protocol.SplitArgs([]byte(rest))
		if !ok || len(a) != 1 {
			d.t.Fatalf("%s:%d: !raw takes one quoted argument", d.file, n)
		}
		d.cur.p.SendRaw(a[0])
		d.cur.r.SendRaw(a[0])
	case "!closed":
		for name, c := range map[string]*Client{"polyfn": d.cur.p, "redis": d.cur.r} {
			c.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err := c.br.ReadByte()
			var ne net.Error
			if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
				d.errorf(n, "%s did not close the connection", name)
			} else if err != io.EOF && !strings.Contains(err.Error(), "reset") {
				d.errorf(n, "%s: unexpected error %v", name, err)
			}
		}
	case "!sleep":
		ms, _ := strconv.Atoi(strings.TrimSpace(rest))
		time.Sleep(time.Duration(ms) * time.Millisecond)
	case "!flushall":
		d.cur.p.Do("FLUSHALL")
		d.cur.r.Do("FLUSHALL")
	case "!polyfn":
		args, ok := splitCmd(rest)
		if !ok || len(args) < 2 {
			d.t.Fatalf("%s:%d: !polyfn takes a quoted reply and a command", d.file, n)
		}
		if err := d.cur.p.Send(args[1:]...); err != nil {
			d.errorf(n, "%s: polyfn send: %v", rest, err)
			return
		}
		if _, pb, err := d.cur.p.Read(); err != nil || string(pb) != args[0] {
			d.errorf(n, "%s:\n  polyfn: %s (%v)\n  want:   %s", rest, Quote(pb), err, Quote([]byte(args[0])))
		}
	default:
		d.t.Fatalf("%s:%d: unknown directive %s", d.file, n, word)
	}
}

func (d *diffRun) do(n int, cmd, mode string) {
	args, ok := splitCmd(cmd)
	if !ok {
		d.t.Fatalf("%s:%d: bad quoting in %q", d.file, n, cmd)
	}
	if err := d.cur.p.Send(args...); err != nil {
		d.errorf(n, "%s: polyfn send: %v", cmd, err)
		return
	}
	if err := d.cur.r.Send(args...); err != nil {
		d.errorf(n, "%s: redis send: %v", cmd, err)
		return
	}
	d.compare(n, cmd, mode)
}

func (d *diffRun) compare(n int, cmd, mode string) {
	pv, pb, perr := d.cur.p.Read()
	rv, rb, rerr := d.cur.r.Read()
	if perr != nil || rerr != nil {
		// A reply that never comes is a broken script or a hang, even when
		// both servers agree on the silence.
		d.errorf(n, "%s: polyfn err=%v reply=%s; redis err=%v reply=%s", cmd, perr, Quote(pb), rerr, Quote(rb))
		return
	}
	switch mode {
	case "ignore":
		return
	case "type":
		if pb[0] != rb[0] || (isAggregate(pv) && len(pv.Elems) != len(rv.Elems)) {
			d.errorf(n, "%s:\n  polyfn: %s\n  redis:  %s", cmd, Quote(pb), Quote(rb))
		}
		return
	case "sort":
		pb, rb = sortedEncoding(pv), sortedEncoding(rv)
	case "deepsort":
		pb, rb = sortedEncoding(deepSorted(pv)), sortedEncoding(deepSorted(rv))
	case "fnload":
		if functionClash.Match(pb) && functionClash.Match(rb) {
			return
		}
	case "dump":
		// RDB_TYPE_SET and RDB_TYPE_HASH are written in dict order,
		// RDB_TYPE_STREAM_LISTPACKS(_2) with times.
		if pv.Kind == core.VBulk && rv.Kind == core.VBulk && len(pv.Str) > 0 && len(rv.Str) > 0 &&
			pv.Str[0] == rv.Str[0] && len(pv.Str) == len(rv.Str) {
			switch rv.Str[0] {
			case 2, 4, 15, 19:
				return
			}
		}
	}
	if !bytes.Equal(pb, rb) {
		d.errorf(n, "%s:\n  polyfn: %s\n  redis:  %s", cmd, Quote(pb), Quote(rb))
	}
}

func isAggregate(v core.Value) bool {
	switch v.Kind {
	case core.VArray, core.VMap, core.VSet, core.VPush:
		return true
	}
	return false
}

var functionClash = regexp.MustCompile(`^-ERR Function \S+ already exists\r\n$`)

// deepSorted is v with every nested aggregate's elements (or map pairs)
// in a canonical order.
func deepSorted(v core.Value) core.Value {
	if !isAggregate(v) {
		return v
	}
	out := v
	out.Elems = make([]core.Value, len(v.Elems))
	for i, e := range v.Elems {
		out.Elems[i] = deepSorted(e)
	}
	step := 1
	if v.Kind == core.VMap {
		step = 2
	}
	type item struct {
		key   []byte
		elems []core.Value
	}
	var items []item
	for i := 0; i+step <= len(out.Elems); i += step {
		var k []byte
		for _, e := range out.Elems[i : i+step] {
			k = append(k, sortedEncoding(e)...)
		}
		items = append(items, item{k, out.Elems[i : i+step]})
	}
	sort.SliceStable(items, func(i, j int) bool { return bytes.Compare(items[i].key, items[j].key) < 0 })
	var sorted []core.Value
	for _, it := range items {
		sorted = append(sorted, it.elems...)
	}
	out.Elems = sorted
	return out
}

// sortedEncoding re-encodes v in RESP3 with its top-level elements (or
// map pairs) sorted, for replies whose order Redis does not define.
func sortedEncoding(v core.Value) []byte {
	enc := func(v core.Value) []byte {
		w := protocol.NewWriter(3)
		v.WriteTo(w)
		return w.Bytes()
	}
	if !isAggregate(v) {
		return enc(v)
	}
	var items [][]byte
	step := 1
	if v.Kind == core.VMap {
		step = 2
	}
	for i := 0; i < len(v.Elems); i += step {
		var b []byte
		for j := 0; j < step; j++ {
			b = append(b, enc(v.Elems[i+j])...)
		}
		items = append(items, b)
	}
	sort.Slice(items, func(i, j int) bool { return bytes.Compare(items[i], items[j]) < 0 })
	out := []byte{byte('0' + v.Kind)}
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}
