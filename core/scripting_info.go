package core

// Scripting figures for INFO memory.

type scriptingMemory struct {
	vmEval, vmFunctions            int64 // the engines' interpreters
	scriptsEval, functionsOverhead int64 // the core's own records
	cachedScripts                  int
	functions, libraries           int
}

// Per-record overheads, in the spirit of Redis's accounting (a dict entry
// and the record itself); bodies and code are counted in full.
const (
	evalScriptOverhead = 200
	libraryOverhead    = 150
	functionOverhead   = 100
)

func (s *Server) scriptingMemory() scriptingMemory {
	st := &s.scripts
	m := scriptingMemory{
		cachedScripts: len(st.cache.scripts),
		libraries:     len(st.libs.libs),
		functions:     len(st.libs.funcs),
	}
	m.scriptsEval = st.cache.bodyBytes + int64(m.cachedScripts)*evalScriptOverhead
	for _, l := range st.libs.libs {
		m.functionsOverhead += int64(len(l.Code)) + libraryOverhead
		for _, f := range l.Functions {
			m.functionsOverhead += int64(len(f.Name)+len(f.Description)) + functionOverhead
		}
	}
	for _, name := range st.engines.Names() {
		e, _ := st.engines.Get(name)
		if mr, ok := e.(MemoryReporter); ok {
			m.vmEval += mr.Memory(KindEval)
			m.vmFunctions += mr.Memory(KindLibrary)
		}
	}
	return m
}
