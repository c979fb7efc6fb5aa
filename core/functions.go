package core

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Function libraries (FUNCTION LOAD and friends). A library is loaded,
// replaced and deleted as a whole; function names are unique across all
// libraries. The registry is swapped atomically: a load that fails leaves
// everything as it was.

// Library is a loaded function library.
type Library struct {
	Name       string
	EngineName string // as registered, lower case ("lua")
	Engine     Engine
	Code       []byte // the full source, shebang included
	Functions  []*Function
}

type functionLibs struct {
	libs map[string]*Library
	// funcs is keyed by lower-case name: function names are
	// case-insensitive in Redis (library names are not).
	funcs map[string]libFunction
}

// lookup finds a function by name, ignoring case.
func (f *functionLibs) lookup(name []byte) (libFunction, bool) {
	lf, ok := f.funcs[strings.ToLower(string(name))]
	return lf, ok
}

type libFunction struct {
	lib *Library
	fn  *Function
}

func newFunctionLibs() *functionLibs {
	return &functionLibs{libs: map[string]*Library{}, funcs: map[string]libFunction{}}
}

// clone copies the registry's maps (not the libraries) for a change that
// must be all-or-nothing.
func (f *functionLibs) clone() *functionLibs {
	c := newFunctionLibs()
	for k, v := range f.libs {
		c.libs[k] = v
	}
	for k, v := range f.funcs {
		c.funcs[k] = v
	}
	return c
}

func (f *functionLibs) remove(lib *Library) {
	delete(f.libs, lib.Name)
	for _, fn := range lib.Functions {
		delete(f.funcs, strings.ToLower(fn.Name))
	}
}

// add inserts lib; it fails if one of its functions exists already.
func (f *functionLibs) add(lib *Library) error {
	for _, fn := range lib.Functions {
		if _, dup := f.funcs[strings.ToLower(fn.Name)]; dup {
			return fmt.Errorf(fmtFunctionExists, fn.Name)
		}
	}
	f.libs[lib.Name] = lib
	for _, fn := range lib.Functions {
		f.funcs[strings.ToLower(fn.Name)] = libFunction{lib, fn}
	}
	return nil
}

// sorted returns the libraries ordered by name.
func (f *functionLibs) sorted() []*Library {
	out := make([]*Library, 0, len(f.libs))
	for _, l := range f.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// libMeta is the parsed first line of a library: "#!<engine> name=<lib>".
type libMeta struct {
	engine, name string
	rest         []byte
}

func parseLibraryMeta(code []byte) (libMeta, error) {
	if !bytes.HasPrefix(code, []byte("#!")) {
		return libMeta{}, fmt.Errorf(ErrLibMetaMissing)
	}
	nl := bytes.IndexByte(code, '\n')
	if nl < 0 {
		return libMeta{}, fmt.Errorf(ErrLibMetaInvalid)
	}
	parts, ok := splitShebang(code[:nl])
	if !ok || len(parts) == 0 {
		return libMeta{}, fmt.Errorf(ErrLibMetaInvalid)
	}
	m := libMeta{engine: strings.TrimPrefix(parts[0], "#!"), rest: code[nl+1:]}
	named := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(p[:5], "name=") {
			if named {
				return libMeta{}, fmt.Errorf(ErrLibNameTwice)
			}
			m.name, named = p[5:], true
			continue
		}
		return libMeta{}, fmt.Errorf(fmtLibMetaValue, p)
	}
	if !named {
		return libMeta{}, fmt.Errorf(ErrLibNameMissing)
	}
	return m, nil
}

// libraryLoadTimeout bounds a library's top-level code, as Redis's.
const libraryLoadTimeout = 500 * time.Millisecond

// compileLibrary parses and compiles code into a library, without
// installing it.
func (s *Server) compileLibrary(code []byte) (*Library, error) {
	m, err := parseLibraryMeta(code)
	if err != nil {
		return nil, err
	}
	eng, ok := s.scripts.engines.Get(m.engine)
	if !ok {
		return nil, fmt.Errorf(fmtEngineNotFound, m.engine)
	}
	if !ValidName(m.name) {
		return nil, fmt.Errorf(ErrLibNameInvalid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), libraryLoadTimeout)
	defer cancel()
	fns, err := eng.Compile(ctx, CompileRequest{Kind: KindLibrary, Name: m.name, Code: m.rest, SkippedLines: 1, MemoryLimit: s.Config.hot.scriptMaxMemory.Load()})
	if err != nil {
		return nil, err
	}
	if len(fns) == 0 {
		return nil, fmt.Errorf(ErrNoFunctions)
	}
	return &Library{Name: m.name, EngineName: strings.ToLower(m.engine), Engine: eng, Code: bytes.Clone(code), Functions: fns}, nil
}

// loadLibrary is FUNCTION LOAD: compile, check collisions, install. It
// returns the library name.
func (s *Server) loadLibrary(code []byte, replace bool) (string, error) {
	m, err := parseLibraryMeta(code)
	if err == nil && !replace && ValidName(m.name) {
		// Redis refuses an existing name before compiling the code.
		if _, ok := s.scripts.engines.Get(m.engine); ok && s.scripts.libs.libs[m.name] != nil {
			return "", fmt.Errorf(fmtLibExists, m.name)
		}
	}
	lib, err := s.compileLibrary(code)
	if err != nil {
		return "", err
	}
	next := s.scripts.libs.clone()
	if old := next.libs[lib.Name]; old != nil {
		if !replace {
			return "", fmt.Errorf(fmtLibExists, lib.Name)
		}
		next.remove(old)
	}
	if err := next.add(lib); err != nil {
		return "", err
	}
	s.scripts.libs = next
	s.Dirty++
	return lib.Name, nil
}

// flushFunctions deletes every library and resets the engines' library
// state.
func (s *Server) flushFunctions() {
	s.scripts.libs = newFunctionLibs()
	for _, name := range s.scripts.engines.Names() {
		e, _ := s.scripts.engines.Get(name)
		if r, ok := e.(Resetter); ok {
			r.Reset(KindLibrary)
		}
	}
}
