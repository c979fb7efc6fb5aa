package wasm

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The module rewriting interrupt.go relies on: a pass over the binary
// format that adds the interrupt globals, the loop-head code and the
// exports, leaving everything else byte for byte.

var errInstrument = errors.New("wasm module cannot be instrumented")

// instrument returns mod with the interrupt global, the loop checks and
// the start function exported. Custom sections other than "name" are
// dropped (debug information would point at the old code offsets).
func instrument(mod []byte) ([]byte, error) {
	out, _, err := instrumentCounting(mod)
	return out, err
}

// instrumentCounting is instrument, also returning how many functions
// count in a local of their own (loopCode).
func instrumentCounting(mod []byte) ([]byte, int, error) {
	if len(mod) < 8 || string(mod[:4]) != "\x00asm" || binary.LittleEndian.Uint32(mod[4:]) != 1 {
		return mod, 0, nil // not a module: the compiler says why
	}
	type section struct {
		id   byte
		body []byte
	}
	var secs []section
	r := reader{b: mod[8:]}
	for !r.done() {
		id := r.byte()
		n := r.u32()
		body := r.bytes(int(n))
		if r.err != nil {
			return nil, 0, errors.New("malformed section")
		}
		secs = append(secs, section{id, body})
	}
	var importedGlobals, definedGlobals, importedFuncs, definedFuncs uint32
	var typeParams []int     // per type index: its parameter count (paramCounts)
	var typeResults [][]byte // per type index: a block type for its results (paramCounts)
	var funcTypes []uint32   // per defined function: its type index
	plainTypes := false      // every type is a function type: a new one's index is their count
	start := int64(-1)
	memory, memory64 := false, false
	for _, s := range secs {
		switch s.id {
		case 2:
			f, g, mem, err := countImports(s.body)
			if err != nil {
				return nil, 0, err
			}
			importedFuncs, importedGlobals = f, g
			if mem != 0 {
				memory, memory64 = true, mem == 64
			}
		case 5:
			rr := reader{b: s.body}
			if rr.u32() > 0 {
				memory, memory64 = true, rr.byte()&4 != 0
			}
		case 1:
			typeParams, typeResults = paramCounts(s.body)
			rr := reader{b: s.body}
			plainTypes = uint64(rr.u32()) == uint64(len(typeParams))
		case 3:
			rr := reader{b: s.body}
			definedFuncs = rr.u32()
			for i := uint32(0); i < definedFuncs && rr.err == nil; i++ {
				funcTypes = append(funcTypes, rr.u32())
			}
		case 6:
			rr := reader{b: s.body}
			definedGlobals = rr.u32()
		case 7:
			if err := checkExportNames(s.body); err != nil {
				return nil, 0, err
			}
		case 8:
			rr := reader{b: s.body}
			start = int64(rr.u32())
		}
	}
	if !memory {
		return mod, 0, nil // refused by checkModule
	}
	global := importedGlobals + definedGlobals
	flag, ctr := leb(uint64(global)), leb(uint64(global+1))
	zero := []byte{0x41, 0x00} // i32.const 0
	if memory64 {
		zero = []byte{0x42, 0x00}
	}
	ic := loopCode{typeParams: typeParams, typeResults: typeResults, funcTypes: funcTypes,
		flag: flag, ctr: ctr, zero: zero}
	if plainTypes && !memory64 {
		ic.fill = leb(uint64(importedFuncs) + uint64(definedFuncs))
	}
	ic.global = ic.countdown([]byte{0x23}, []byte{0x24}, ctr)

	// The code first: whether the fill function is needed (ic.fills)
	// decides the type and function sections, which come before it.
	var code []byte
	for _, s := range secs {
		if s.id == 10 {
			var err error
			if code, err = instrumentCode(s.body, &ic); err != nil {
				return nil, 0, err
			}
		}
	}
	if ic.fills {
		code = appendEntries(code, fillBody)
	}

	out := append([]byte{}, mod[:8]...)
	emit := func(id byte, body []byte) {
		out = append(out, id)
		out = append(out, leb(uint64(len(body)))...)
		out = append(out, body...)
	}
	// mut i32 flag = 0; mut i32 ctr = yieldEvery
	newGlobals := append([]byte{0x7F, 0x01, 0x41, 0x00, 0x0B, 0x7F, 0x01, 0x41}, append(sleb(yieldEvery), 0x0B)...)
	exports := func(old []byte) []byte {
		extra := [][]byte{exportEntry(interruptExport, 3, global)}
		if start >= 0 {
			extra = append(extra, exportEntry(startExport, 0, uint32(start)))
		}
		return appendEntries(old, extra...)
	}
	// order is each known section's place; ours go in before the first
	// section that must follow them.
	order := map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13}
	doneGlobal, doneExport := false, false
	flush := func(before int) {
		if !doneGlobal && before > order[6] {
			emit(6, append(leb(2), newGlobals...))
			doneGlobal = true
		}
		if !doneExport && before > order[7] {
			emit(7, exports(nil))
			doneExport = true
		}
	}
	for _, s := range secs {
		if s.id == 0 {
			rr := reader{b: s.body}
			name := rr.bytes(int(rr.u32()))
			if string(name) == "name" {
				emit(0, s.body)
			}
			continue
		}
		flush(order[s.id])
		switch s.id {
		case 6:
			rr := reader{b: s.body}
			n := rr.u32()
			emit(6, append(append(leb(uint64(n)+2), rr.b...), newGlobals...))
			doneGlobal = true
		case 7:
			emit(7, exports(s.body))
			doneExport = true
		case 8: // exported instead
		case 10:
			emit(10, code)
		case 1, 3:
			if ic.fills {
				// The fill function's type, (i32 i32 i32) -> (), is the
				// last; the function is the last too.
				entry := fillType
				if s.id == 3 {
					entry = leb(uint64(len(typeParams)))
				}
				emit(s.id, appendEntries(s.body, entry))
				break
			}
			emit(s.id, s.body)
		default:
			emit(s.id, s.body)
		}
	}
	flush(len(order) + 1)
	return out, ic.localFuncs, nil
}

// appendEntries returns a vector section's body (a count, then the
// entries; nil for a section the module lacks) with entries added at the
// end. The body was read whole before, so its count is well-formed.
func appendEntries(sec []byte, entries ...[]byte) []byte {
	r := reader{b: sec}
	n := uint32(0)
	if sec != nil {
		n = r.u32()
	}
	out := append(leb(uint64(n)+uint64(len(entries))), r.b...)
	return appendAll(out, entries...)
}

// appendAll appends every part to dst.
func appendAll(dst []byte, parts ...[]byte) []byte {
	for _, p := range parts {
		dst = append(dst, p...)
	}
	return dst
}

func exportEntry(name string, kind byte, index uint32) []byte {
	b := append(leb(uint64(len(name))), name...)
	b = append(b, kind)
	return append(b, leb(uint64(index))...)
}

// countImports returns the number of imported functions and globals and,
// for an imported memory, 32 or 64 (its address width).
func countImports(b []byte) (funcs, globals uint32, memory int, err error) {
	r := reader{b: b}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		r.bytes(int(r.u32())) // module
		r.bytes(int(r.u32())) // name
		switch r.byte() {
		case 0: // func
			r.u32()
			funcs++
		case 1: // table
			r.byte()
			r.limits()
		case 2: // memory
			memory = 32
			if r.limits()&4 != 0 {
				memory = 64
			}
		case 3: // global
			r.byte()
			r.byte()
			globals++
		case 4: // tag
			r.byte()
			r.u32()
		default:
			return 0, 0, 0, errInstrument
		}
	}
	if r.err != nil {
		return 0, 0, 0, errInstrument
	}
	return funcs, globals, memory, nil
}

func checkExportNames(b []byte) error {
	r := reader{b: b}
	n := r.u32()
	for i := uint32(0); i < n && r.err == nil; i++ {
		name := string(r.bytes(int(r.u32())))
		r.byte()
		r.u32()
		if name == interruptExport || name == startExport {
			return fmt.Errorf("wasm module exports %s, a name polyfn reserves", name)
		}
	}
	if r.err != nil {
		return errInstrument
	}
	return nil
}

// loopCode is what instrumentBody adds to loops. A loop
//
//	loop bt ... end
//
// becomes
//
//	block bt loop bt block
//	  loop bt  (head: count; br_if 1)  ...  end  br 2
//	end (slow; br 0) end end
//
// so that the rarely taken slow path, with its memory.grow (a call into
// Go, for wazero), sits outside the loop: inside it, wazero's register
// allocator would treat the loop as one that calls out and keep its
// values in memory. The wrappers add 3 to the depth of every branch out
// of the loop. A loop with parameters (which the values on the stack at
// its head would have to be carried for) keeps the slow path inline.
//
// The countdown is the module's global, except in a function with loops
// that calls nothing from inside a loop: there it is a local of its
// own, loaded from the global on entry and after each call, and stored
// back before each call and on the way out, so that its loops count in
// a register instead of a load and a store of the global. The count
// the callees see is the same, so are the iterations between two slow
// paths. Every way out of the function is made to pass the store: the
// body is wrapped in a block of the function's result type (a branch to
// the function's own label lands at the wrapper's end, with its values)
// and a return becomes a branch to the wrapper. A trap leaves the
// global as it was at the last store, which only moves the next slow
// path later by what the function counted since. (In a function that
// calls from inside its loops, such as every Go function, whose body is
// one loop dispatching to its blocks, the store and load would be paid
// at every call instead.)
type loopCode struct {
	typeParams  []int    // per type index: parameter count (paramCounts)
	typeResults [][]byte // per type index: its results as a block type, nil if not one
	funcTypes   []uint32 // per defined function: its type index

	flag, ctr, zero []byte // the globals' LEB128 indices; the memory's zero address

	global countdown // the code of the countdown in the global

	// fill, when set, is the LEB128 index the fill function will have:
	// memory.fill instructions become calls to it, and fills records
	// that one did.
	fill  []byte
	fills bool

	localFuncs int // functions counting in a local
}

// countdown is the code added at loop heads (head), after a wrapped loop
// (slow) and, for a loop with parameters, inline at its head.
type countdown struct{ head, slow, inline []byte }

// countdown returns the code that counts in the variable get/set (the
// global.get/set or local.get/set opcode) index reach.
func (ic *loopCode) countdown(get, set, index []byte) countdown {
	// The slow path, run every yieldEvery iterations:
	// drop(memory.grow 0); if (flag) unreachable; ctr = yieldEvery
	// (set last, so that a local ctr is not live across memory.grow, a
	// call into Go for wazero).
	slow := appendAll(nil, ic.zero, []byte{0x40, 0x00, 0x1A}, []byte{0x23}, ic.flag, []byte{0x04, 0x40, 0x00, 0x0B},
		[]byte{0x41}, sleb(yieldEvery), set, index)
	// The count at the head of a loop: ctr = ctr - 1, then whether it hit 0.
	count := appendAll(nil, get, index, []byte{0x41, 0x01, 0x6B}, set, index, get, index, []byte{0x45})
	return countdown{
		// In a loop with parameters, the slow path stays in the loop:
		// if (count) { slow }
		inline: appendAll(nil, count, []byte{0x04, 0x40}, slow, []byte{0x0B}),
		// Elsewhere it moves out: br_if out of the loop to it.
		head: appendAll(nil, count, []byte{0x0D, 0x01}),
		slow: appendAll(nil, slow, []byte{0x0C, 0x00}),
	}
}

// takesParams reports whether a block of type bt (reader.blockType) may
// take parameters: a type index with any, or one paramCounts could not
// read.
func (ic *loopCode) takesParams(bt int64) bool {
	return bt >= int64(len(ic.typeParams)) || bt >= 0 && ic.typeParams[bt] != 0
}

// instrumentCode adds the loop code to every function body of a code
// section.
func instrumentCode(sec []byte, ic *loopCode) ([]byte, error) {
	r := reader{b: sec}
	n := r.u32()
	out := leb(uint64(n))
	var body []byte
	for i := uint32(0); i < n; i++ {
		size := r.u32()
		code := r.bytes(int(size))
		if r.err != nil {
			return nil, errInstrument
		}
		var err error
		var seen bodyInfo
		body, seen, err = ic.body(body[:0], code, nil)
		if err != nil {
			return nil, err
		}
		if seen.loop && !seen.loopCall {
			if lc := ic.localCounter(i, seen.locals); lc != nil {
				if body, _, err = ic.body(body[:0], code, lc); err != nil {
					return nil, err
				}
				ic.localFuncs++
			}
		}
		out = append(out, leb(uint64(len(body)))...)
		out = append(out, body...)
	}
	return out, nil
}

// localCounter is what body needs to count in a local: the function's
// results as a block type and the index its new local gets.
type localCounter struct {
	results []byte
	local   uint32
}

// localCounter returns defined function i's localCounter, given the
// locals its body declares, or nil if it cannot have one: its results
// are neither none nor one single-byte value type, or it has very many
// locals already.
func (ic *loopCode) localCounter(i uint32, locals uint64) *localCounter {
	if int(i) >= len(ic.funcTypes) {
		return nil
	}
	t := ic.funcTypes[i]
	if int(t) >= len(ic.typeResults) || ic.typeResults[t] == nil {
		return nil
	}
	n := uint64(ic.typeParams[t]) + locals
	if n >= 1<<20 { // far more than compilers emit
		return nil
	}
	return &localCounter{results: ic.typeResults[t], local: uint32(n)}
}

// bodyInfo is what body saw in a function: how many locals it declares,
// whether it has a loop and whether it calls from inside one.
type bodyInfo struct {
	locals         uint64
	loop, loopCall bool
}

// frame is an open block, loop, if or try in instrumentBody; wrapped
// marks a loop given the three wrappers.
type frame struct{ loop, wrapped bool }

// body instruments one function body: with lc, counting in a new local
// (see loopCode).
func (ic *loopCode) body(out, code []byte, lc *localCounter) ([]byte, bodyInfo, error) {
	var seen bodyInfo
	loops := 0 // open loops
	cd := ic.global
	r := reader{b: code}
	locals := r.u32()
	for i := uint32(0); i < locals; i++ {
		seen.locals += uint64(r.u32())
		r.valtype()
	}
	from := 0
	pos := func() int { return len(code) - len(r.b) }
	// copyTo copies the input up to at.
	copyTo := func(at int) {
		out = append(out, code[from:at]...)
		from = at
	}
	var local []byte
	if lc != nil {
		local = leb(uint64(lc.local))
		cd = ic.countdown([]byte{0x20}, []byte{0x21}, local)
		// One more local declaration (one i32), then
		// local = ctr; block (results)
		hdr := reader{b: code}
		hdr.u32()
		from = len(code) - len(hdr.b) // past the count
		out = append(out, leb(uint64(locals)+1)...)
		copyTo(pos())
		out = appendAll(out, []byte{0x01, 0x7F, 0x23}, ic.ctr, []byte{0x21}, local, []byte{0x02}, lc.results)
	}
	frames := []frame{{}} // the function's own block
	// depth returns branch depth d adjusted: 3 more for every wrapped
	// loop it leaves (not counting its target).
	depth := func(d uint32) uint32 {
		nd := d
		for i := len(frames) - 1; i > len(frames)-1-int(d); i-- {
			if frames[i].wrapped {
				nd += 3
			}
		}
		return nd
	}
	// label reads a branch's label and writes it adjusted.
	label := func() {
		at := pos()
		d := r.u32()
		if r.err != nil || uint64(d) >= uint64(len(frames)) {
			return // invalid: the compiler says why
		}
		if nd := depth(d); nd != d {
			copyTo(at)
			out = append(out, leb(uint64(nd))...)
			from = pos()
		}
	}
	for r.err == nil && !r.done() {
		opAt := pos()
		op := r.byte()
		switch {
		case op == 0x03: // loop
			seen.loop = true
			at := pos() - 1
			if ic.takesParams(r.blockType()) {
				copyTo(pos())
				out = append(out, cd.inline...)
				frames = append(frames, frame{loop: true})
				loops++
				break
			}
			btBytes := code[at+1 : pos()]
			copyTo(at)
			out = append(out, 0x02)
			out = append(out, btBytes...)
			out = append(out, 0x03)
			out = append(out, btBytes...)
			out = append(out, 0x02, 0x40, 0x03)
			out = append(out, btBytes...)
			out = append(out, cd.head...)
			from = pos()
			frames = append(frames, frame{loop: true, wrapped: true})
			loops++
		case op == 0x02 || op == 0x04 || op == 0x06: // block, if, try
			r.blockType()
			frames = append(frames, frame{})
		case op == 0x0B: // end
			if len(frames) == 0 {
				return nil, seen, errInstrument
			}
			f := frames[len(frames)-1]
			frames = frames[:len(frames)-1]
			if f.loop {
				loops--
			}
			if f.wrapped {
				copyTo(pos())
				out = append(out, 0x0C, 0x02, 0x0B)
				out = append(out, cd.slow...)
				out = append(out, 0x0B, 0x0B)
			}
			if len(frames) == 0 && lc != nil {
				// The function's end: close the wrapper, ctr = local.
				copyTo(opAt)
				out = appendAll(out, []byte{0x0B, 0x20}, local, []byte{0x24}, ic.ctr)
			}
		case op == 0x0F && lc != nil: // return: to the wrapper's end
			copyTo(opAt)
			out = append(out, 0x0C)
			out = append(out, leb(uint64(depth(uint32(len(frames)-1))))...)
			from = pos()
		case op == 0x0C || op == 0x0D || op == 0x09 || op == 0xD5 || op == 0xD6: // br, br_if, rethrow, br_on_null, br_on_non_null
			label()
		case op == 0x18: // delegate: a label, and the try's end
			label()
			if len(frames) > 0 {
				frames = frames[:len(frames)-1]
			}
		case op == 0x0E: // br_table
			for k := r.u32(); k > 0 && r.err == nil; k-- {
				label()
			}
			label()
		case op >= 0x10 && op <= 0x15: // call, call_indirect, return_call..., call_ref...
			seen.loopCall = seen.loopCall || loops > 0
			if lc != nil {
				copyTo(opAt) // ctr = local
				out = appendAll(out, []byte{0x20}, local, []byte{0x24}, ic.ctr)
			}
			r.u32()
			if op == 0x11 || op == 0x13 {
				r.u32()
			}
			if lc != nil && op != 0x12 && op != 0x13 && op != 0x15 {
				copyTo(pos()) // local = ctr, unless it was a tail call
				out = appendAll(out, []byte{0x23}, ic.ctr, []byte{0x21}, local)
			}
		case op == 0x07 || op == 0x08 || op == 0xD2 ||
			op >= 0x20 && op <= 0x26 || op == 0x3F || op == 0x40:
			r.u32()
		case op == 0x1C: // select t
			for k := r.u32(); k > 0 && r.err == nil; k-- {
				r.valtype()
			}
		case op >= 0x28 && op <= 0x3E:
			r.memarg()
		case op == 0x41 || op == 0x42 || op == 0xD0:
			r.u64()
		case op == 0x43:
			r.bytes(4)
		case op == 0x44:
			r.bytes(8)
		case op <= 0x01 || op == 0x05 || op == 0x0F || op == 0x19 || op == 0x1A || op == 0x1B ||
			op >= 0x45 && op <= 0xC4 || op == 0xD1 || op == 0xD3 || op == 0xD4:
		case op == 0xFC:
			switch sub := r.u32(); {
			case sub <= 7:
			case sub == 8 || sub == 10 || sub == 12 || sub == 14:
				r.u32()
				r.u32()
			case sub == 11 && ic.fill != nil && len(r.b) > 0 && r.b[0] == 0: // memory.fill 0
				r.byte()
				copyTo(opAt)
				out = append(out, 0x10)
				out = append(out, ic.fill...)
				from = pos()
				ic.fills = true
			case sub <= 17:
				r.u32()
			default:
				return nil, seen, fmt.Errorf("%w: instruction 0xFC %d", errInstrument, sub)
			}
		case op == 0xFD:
			switch sub := r.u32(); {
			case sub <= 11 || sub == 92 || sub == 93:
				r.memarg()
			case sub == 12 || sub == 13:
				r.bytes(16)
			case sub >= 21 && sub <= 34:
				r.byte()
			case sub >= 84 && sub <= 91:
				r.memarg()
				r.byte()
			}
		case op == 0xFE:
			if sub := r.u32(); sub == 3 {
				r.byte()
			} else {
				r.memarg()
			}
		default:
			return nil, seen, fmt.Errorf("%w: instruction 0x%02X", errInstrument, op)
		}
	}
	if r.err != nil {
		return nil, seen, errInstrument
	}
	return append(out, code[from:]...), seen, nil
}

// reader decodes the pieces of the binary format; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) done() bool { return len(r.b) == 0 }

func (r *reader) fail() { r.err, r.b = errInstrument, nil }

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

// u64 reads an unsigned or signed LEB128 (up to 10 bytes), returning the
// low bits; only its extent matters for signed ones.
func (r *reader) u64() uint64 {
	var v uint64
	for i := 0; i < 10; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		v |= uint64(c&0x7F) << (7 * i)
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail()
	return 0
}

func (r *reader) u32() uint32 { return uint32(r.u64()) }

func (r *reader) valtype() {
	if c := r.byte(); c == 0x63 || c == 0x64 { // (ref null? ht)
		r.u64()
	}
}

// blockType reads a block type: -1 for none or one value type, else
// the type index.
func (r *reader) blockType() int64 {
	if len(r.b) > 0 && (r.b[0] == 0x40 || r.b[0] >= 0x6F && r.b[0] <= 0x7F) {
		r.byte()
		return -1
	}
	if len(r.b) > 0 && (r.b[0] == 0x63 || r.b[0] == 0x64) { // (ref null? ht)
		r.valtype()
		return -1
	}
	return int64(uint32(r.u64())) // a type index (s33)
}

// paramCounts reads a type section: each type's parameter count, and
// its results as a block type (0x40 for none, the value type for one
// single-byte type, nil otherwise), up to the first type that is not a
// function type.
func paramCounts(b []byte) (params []int, results [][]byte) {
	r := reader{b: b}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		if r.byte() != 0x60 {
			return params, results // this index and later ones: takesParams says yes
		}
		np := r.u32()
		for i := uint32(0); i < np; i++ {
			r.valtype()
		}
		var bt []byte
		switch nr := r.u32(); {
		case nr == 0:
			bt = []byte{0x40}
		case nr == 1 && len(r.b) > 0 && r.b[0] >= 0x6F && r.b[0] <= 0x7F:
			bt = []byte{r.byte()}
		default:
			for i := nr; i > 0 && r.err == nil; i-- {
				r.valtype()
			}
		}
		params = append(params, int(np))
		results = append(results, bt)
	}
	return params, results
}

func (r *reader) memarg() {
	if align := r.u32(); align&0x40 != 0 {
		r.u32() // memory index
	}
	r.u64()
}

func (r *reader) limits() byte {
	flags := r.byte()
	r.u64()
	if flags&1 != 0 {
		r.u64()
	}
	return flags
}

// sleb encodes a non-negative signed LEB128 (an i32.const immediate).
func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v == 0 && c&0x40 == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func leb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7F)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// The fill function replaces memory.fill. wazero runs memory.fill as a
// loop of calls to Go's memmove, one per doubling of what is filled so
// far: seven for a 48-byte object. An AssemblyScript guest clears every
// object it allocates that way, and a Go guest many of its locals. The
// function stores eight bytes at a time when the fill is small and in
// bounds, and leaves the rest to memory.fill itself: large fills, and
// out-of-bounds ones, which must trap before writing anything.
var fillType = []byte{0x60, 0x03, 0x7F, 0x7F, 0x7F, 0x00} // (d, v, n i32) -> ()

// fillSmall is the largest fill done by stores.
const fillSmall = 64

var fillBody = func() []byte {
	var b []byte
	add := func(x ...[]byte) { b = appendAll(b, x...) }
	op := func(x ...byte) []byte { return x }
	add(op(0x01, 0x01, 0x7E)) // one i64 local (3): the byte, eight times
	// if (n > fillSmall | (u64)d + (u64)n > (u64)memory.size << 16)
	//   { memory.fill(d, v, n); return }
	add(op(0x20, 0x02, 0x41), sleb(fillSmall), op(0x4B))
	add(op(0x20, 0x00, 0xAD, 0x20, 0x02, 0xAD, 0x7C))
	add(op(0x3F, 0x00, 0xAD, 0x42, 0x10, 0x86, 0x56, 0x72))
	add(op(0x04, 0x40, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0B, 0x00, 0x0F, 0x0B))
	// w = (u64)(v & 0xFF) * 0x0101010101010101
	add(op(0x20, 0x01, 0xAD, 0x42), sleb(0xFF), op(0x83, 0x42), sleb(0x0101010101010101), op(0x7E, 0x21, 0x03))
	// while (n >= 8) { i64.store(d, w); d += 8; n -= 8 }
	add(op(0x02, 0x40, 0x03, 0x40, 0x20, 0x02, 0x41, 0x08, 0x49, 0x0D, 0x01))
	add(op(0x20, 0x00, 0x20, 0x03, 0x37, 0x00, 0x00))
	add(op(0x20, 0x00, 0x41, 0x08, 0x6A, 0x21, 0x00, 0x20, 0x02, 0x41, 0x08, 0x6B, 0x21, 0x02))
	add(op(0x0C, 0x00, 0x0B, 0x0B))
	// while (n != 0) { i32.store8(d, v); d++; n-- }
	add(op(0x02, 0x40, 0x03, 0x40, 0x20, 0x02, 0x45, 0x0D, 0x01))
	add(op(0x20, 0x00, 0x20, 0x01, 0x3A, 0x00, 0x00))
	add(op(0x20, 0x00, 0x41, 0x01, 0x6A, 0x21, 0x00, 0x20, 0x02, 0x41, 0x01, 0x6B, 0x21, 0x02))
	add(op(0x0C, 0x00, 0x0B, 0x0B, 0x0B))
	return append(leb(uint64(len(b))), b...)
}()
