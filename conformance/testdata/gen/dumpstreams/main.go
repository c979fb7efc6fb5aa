// Command dumpstreams prints the RESTORE payloads of
// conformance/testdata/diff/dump-streams.txt (valid and malformed stream
// payloads with fixed times): go run ./conformance/testdata/gen/dumpstreams
package main

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/rdb"
	"github.com/polyfn/polyfn/core/rdbvalue"
)

func q(p []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range p {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

type node struct{ key, lp []byte }
type pe struct {
	id    [2]uint64
	t     int64
	count uint64
}
type con struct {
	name string
	seen int64
	pel  [][2]uint64
}
type grp struct {
	name string
	last [2]uint64
	er   uint64
	pel  []pe
	cons []con
}
type sp struct {
	typ                 byte
	nodes               []node
	length              uint64
	last, first, maxdel [2]uint64
	added               uint64
	groups              []grp
}

func raw(id [2]uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, id[0])
	binary.BigEndian.PutUint64(b[8:], id[1])
	return b
}

func (s sp) bytes() []byte {
	w := rdb.NewWriter(nil, false)
	w.WriteType(s.typ)
	w.WriteLen(uint64(len(s.nodes)))
	for _, n := range s.nodes {
		w.WriteString(n.key)
		w.WriteString(n.lp)
	}
	w.WriteLen(s.length)
	w.WriteLen(s.last[0])
	w.WriteLen(s.last[1])
	if s.typ == 19 {
		w.WriteLen(s.first[0])
		w.WriteLen(s.first[1])
		w.WriteLen(s.maxdel[0])
		w.WriteLen(s.maxdel[1])
		w.WriteLen(s.added)
	}
	w.WriteLen(uint64(len(s.groups)))
	var t [8]byte
	for _, g := range s.groups {
		w.WriteString([]byte(g.name))
		w.WriteLen(g.last[0])
		w.WriteLen(g.last[1])
		if s.typ == 19 {
			w.WriteLen(g.er)
		}
		w.WriteLen(uint64(len(g.pel)))
		for _, p := range g.pel {
			w.WriteRaw(raw(p.id))
			binary.LittleEndian.PutUint64(t[:], uint64(p.t))
			w.WriteRaw(t[:])
			w.WriteLen(p.count)
		}
		w.WriteLen(uint64(len(g.cons)))
		for _, c := range g.cons {
			w.WriteString([]byte(c.name))
			binary.LittleEndian.PutUint64(t[:], uint64(c.seen))
			w.WriteRaw(t[:])
			w.WriteLen(uint64(len(c.pel)))
			for _, id := range c.pel {
				w.WriteRaw(raw(id))
			}
		}
	}
	return w.Bytes()
}

// nodesOf returns the node (key, listpack) pairs of a stream as DUMP writes them.
func nodesOf(s *keyspace.Stream) []node {
	w := rdb.NewWriter(nil, false)
	rdbvalue.WriteValue(w, s, rdbvalue.Options{})
	r := rdb.NewReader(w.Bytes()[1:])
	n, _, _ := r.ReadLen()
	var out []node
	for i := uint64(0); i < n; i++ {
		k, _ := r.ReadString()
		lp, _ := r.ReadString()
		out = append(out, node{append([]byte(nil), k...), append([]byte(nil), lp...)})
	}
	return out
}

func pairs(kv ...string) [][]byte {
	var out [][]byte
	for _, s := range kv {
		out = append(out, []byte(s))
	}
	return out
}

func id(ms, seq uint64) keyspace.StreamID { return keyspace.StreamID{Ms: ms, Seq: seq} }

func base() (*keyspace.Stream, sp) {
	s := keyspace.NewStream()
	s.Append(id(1, 1), pairs("a", "1", "b", "x"), 4096, 100)
	s.Append(id(1, 2), pairs("a", "2", "b", "y"), 4096, 100)
	s.Append(id(2, 0), pairs("c", "3"), 4096, 100)
	s.Append(id(2, 5), pairs("a", "300", "b", "z"), 4096, 100)
	s.Append(id(3, 0), pairs("a", "-5", "b", "w"), 4096, 100)
	s.Delete(id(1, 2))
	p := sp{typ: 19, nodes: nodesOf(s), length: 4, last: [2]uint64{3, 0}, first: [2]uint64{1, 1},
		maxdel: [2]uint64{1, 2}, added: 5}
	p.groups = []grp{
		{name: "7", er: 0},
		{name: "g", last: [2]uint64{2, 5}, er: 4,
			pel:  []pe{{[2]uint64{1, 1}, 1700000000100, 1}, {[2]uint64{2, 0}, 1700000000101, 2}, {[2]uint64{2, 5}, 1700000000102, 3}},
			cons: []con{{"alice", 1700000000000, [][2]uint64{{1, 1}, {2, 0}}}, {"bob", 1700000000500, [][2]uint64{{2, 5}}}, {"carol", 1700000001000, nil}}},
		{name: "h", last: [2]uint64{3, 0}, er: ^uint64(0)},
	}
	return s, p
}

func emit(name string, p sp) {
	fmt.Printf("# %s\nRESTORE %s 0 %s\n", name, name, q(rdb.AppendFooter(p.bytes())))
}

func main() {
	_, p := base()
	emit("s:groups", p)
	p.typ = 15
	emit("s:type15", p)
	// A node of 99 entries and a node close to the byte limit: XADD after
	// RESTORE must split where Redis does.
	s := keyspace.NewStream()
	for i := uint64(1); i <= 99; i++ {
		s.Append(id(i, 0), pairs("f", "v"), 4096, 100)
	}
	emit("s:node99", sp{typ: 19, nodes: nodesOf(s), length: 99, last: [2]uint64{99, 0}, first: [2]uint64{1, 0}, added: 99})
	s = keyspace.NewStream()
	for i := uint64(1); i <= 13; i++ {
		s.Append(id(i, 0), pairs("f", strings.Repeat("x", 300)), 4096, 100)
	}
	emit("s:nodebytes", sp{typ: 19, nodes: nodesOf(s), length: 13, last: [2]uint64{13, 0}, first: [2]uint64{1, 0}, added: 13})
	// An empty stream with a group.
	emit("s:empty", sp{typ: 19, last: [2]uint64{5, 5}, maxdel: [2]uint64{5, 5}, added: 3, groups: []grp{{name: "g", last: [2]uint64{5, 5}, er: 3}}})

	fmt.Println("# --- errors (Redis rejects them without deep sanitisation) ---")
	bad := func(name string, f func(p *sp)) {
		_, p := base()
		f(&p)
		emit(name, p)
	}
	bad("e:key15", func(p *sp) { p.nodes[0].key = p.nodes[0].key[:15] })
	bad("e:lpsize", func(p *sp) {
		p.nodes[0].lp = append(p.nodes[0].lp[:len(p.nodes[0].lp)-1:len(p.nodes[0].lp)-1], 0, 0xff)
	})
	bad("e:lpempty", func(p *sp) { p.nodes[0].lp = []byte{7, 0, 0, 0, 0, 0, 0xff} })
	bad("e:dupnode", func(p *sp) { p.nodes = append(p.nodes, p.nodes[0]) })
	bad("e:lennodes", func(p *sp) { p.nodes = nil })
	bad("e:dupgroup", func(p *sp) { p.groups[2].name = "g" })
	bad("e:duppel", func(p *sp) {
		p.groups[1].pel = append(p.groups[1].pel, p.groups[1].pel[0])
	})
	bad("e:dupconsumer", func(p *sp) { p.groups[1].cons[2].name = "bob" })
	bad("e:conspel", func(p *sp) { p.groups[1].cons[2].pel = [][2]uint64{{9, 9}} })
	bad("e:dupconspel", func(p *sp) { p.groups[1].cons[1].pel = [][2]uint64{{2, 5}, {2, 5}} })
	_, p = base()
	full := p.bytes()
	for _, cut := range []int{1, 2, 20, 100, 110, 113, 120, 140, 170, 200, 230, len(full) - 2, len(full) - 1} {
		if cut < len(full) {
			fmt.Printf("# e:cut%d\nRESTORE e:cut%d 0 %s\n", cut, cut, q(rdb.AppendFooter(full[:cut])))
		}
	}
	fmt.Println("# --- errors under sanitize-dump-payload yes ---")
	bad("d:nocons", func(p *sp) { p.groups[1].cons[1].pel = nil })
	bad("d:terminator", func(p *sp) { p.nodes[0].lp = tamper(p.nodes[0].lp, 18, 1) })
	bad("d:lpcount", func(p *sp) { p.nodes[0].lp = tamper(p.nodes[0].lp, 31, 6) })
	bad("d:trailing", func(p *sp) {
		lp := p.nodes[0].lp
		n := append([]byte(nil), lp[:len(lp)-1]...)
		n = append(n, 0x05, 0x01, 0xff)
		binary.LittleEndian.PutUint32(n, uint32(len(n)))
		binary.LittleEndian.PutUint16(n[4:], binary.LittleEndian.Uint16(lp[4:])+1)
		p.nodes[0].lp = n
	})
	bad("d:short", func(p *sp) {
		lp := p.nodes[0].lp
		// drop the last entry: 6 elements, 15 bytes
		n := append([]byte(nil), lp[:len(lp)-1-15]...)
		n = append(n, 0xff)
		binary.LittleEndian.PutUint32(n, uint32(len(n)))
		binary.LittleEndian.PutUint16(n[4:], binary.LittleEndian.Uint16(lp[4:])-6)
		p.nodes[0].lp = n
	})
}

// tamper replaces the 7-bit integer at offset off with v.
func tamper(lp []byte, off int, v byte) []byte {
	n := append([]byte(nil), lp...)
	if n[off] >= 0x80 {
		panic(fmt.Sprintf("offset %d holds %x", off, n[off]))
	}
	n[off] = v
	return n
}
