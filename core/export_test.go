package core

import (
	"os"
	"sort"
)

// FullMetaTable returns a table of every Redis 7.0 command in the captured
// metadata, with placeholder handlers, for tests of table-driven behaviour
// (key extraction) beyond the commands implemented so far.
func FullMetaTable() *Table {
	t := NewTable()
	names := make([]string, 0, len(commandMeta))
	for n := range commandMeta {
		names = append(names, n)
	}
	sort.Strings(names) // parents before their "parent|sub" entries
	nop := func(*Ctx) {}
	for _, n := range names {
		if hasSubcommandMeta(n) {
			t.Add(n, nil)
		} else {
			t.Add(n, nop)
		}
	}
	return t
}

// SwapAOFFile replaces the open AOF incremental file (tests of write
// errors) and returns the previous one.
func (s *Server) SwapAOFFile(f *os.File) *os.File {
	a := &s.aof
	a.wmu.Lock()
	defer a.wmu.Unlock()
	old := a.f
	a.f = f
	return old
}

// AOFOffsets returns how many bytes were fed to the AOF, written to the
// file and fsynced.
func (s *Server) AOFOffsets() (appended, written, synced int64) {
	a := &s.aof
	return a.appended.Load(), a.written.Load(), a.synced.Load()
}
