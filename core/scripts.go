package core

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// The EVAL script cache and shebang parsing. Scripts are cached by the
// SHA1 of their body (EVAL adds, SCRIPT LOAD adds, SCRIPT FLUSH empties),
// each compiled once by its engine.

// evalScript is a cached EVAL script.
type evalScript struct {
	body   []byte
	engine Engine
	fn     *Function
}

type scriptCache struct {
	scripts map[string]*evalScript // by lower-case hex SHA1
	// bodyBytes is the total size of the cached bodies
	// (used_memory_scripts_eval).
	bodyBytes int64
}

func (c *scriptCache) init() { c.scripts = map[string]*evalScript{} }

// bySHA finds a script by its SHA1 in hex, in either case.
func (c *scriptCache) bySHA(sha []byte) *evalScript {
	for _, ch := range sha {
		if ch >= 'A' && ch <= 'Z' {
			return c.scripts[strings.ToLower(string(sha))]
		}
	}
	return c.scripts[string(sha)] // no allocation for the lookup
}

// SHA1Hex is the lower-case hex SHA1 of b (script names, redis.sha1hex).
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// shebang is the parsed first line of an EVAL script.
type shebang struct {
	engine string
	flags  ScriptFlags
	rest   []byte // the code after the shebang line
}

// parseEvalShebang reads "#!<engine> [flags=a,b]" at the start of an EVAL
// script. A body without a shebang is a Lua script in compatibility mode.
// Errors carry Redis's texts.
func (s *Server) parseEvalShebang(body []byte) (shebang, error) {
	if !bytes.HasPrefix(body, []byte("#!")) {
		return shebang{engine: "lua", flags: ScriptEvalCompat, rest: body}, nil
	}
	nl := bytes.IndexByte(body, '\n')
	if nl < 0 {
		return shebang{}, fmt.Errorf(ErrShebangInvalid)
	}
	parts := strings.Split(string(body[:nl]), " ")
	sb := shebang{engine: strings.TrimPrefix(parts[0], "#!"), rest: body[nl+1:]}
	if _, ok := s.scripts.engines.Get(sb.engine); !ok {
		return shebang{}, fmt.Errorf(fmtShebangEngine, parts[0])
	}
	for _, p := range parts[1:] {
		switch {
		case p == "":
		case strings.HasPrefix(p, "flags="):
			for _, f := range strings.Split(p[len("flags="):], ",") {
				if f == "" {
					continue
				}
				flag, err := ParseScriptFlag(f)
				if err != nil {
					return shebang{}, fmt.Errorf(fmtShebangFlag, f)
				}
				sb.flags |= flag
			}
		default:
			return shebang{}, fmt.Errorf(fmtShebangOption, p)
		}
	}
	return sb, nil
}

// loadScript compiles body and caches it, or returns the cached script
// with that SHA1. Errors are replies (Redis's texts, or the engine's).
func (s *Server) loadScript(sha string, body []byte) (*evalScript, error) {
	if es := s.scripts.cache.scripts[sha]; es != nil {
		return es, nil
	}
	sb, err := s.parseEvalShebang(body)
	if err != nil {
		return nil, err
	}
	eng, _ := s.scripts.engines.Get(sb.engine)
	if eng == nil {
		return nil, fmt.Errorf(fmtShebangEngine, "#!"+sb.engine)
	}
	skipped := 0
	if sb.flags&ScriptEvalCompat == 0 {
		skipped = 1
	}
	fns, err := eng.Compile(s.scripts.kill, CompileRequest{Kind: KindEval, Name: sha, Code: sb.rest, SkippedLines: skipped})
	if err != nil {
		return nil, err
	}
	if len(fns) != 1 {
		return nil, fmt.Errorf("ERR engine %q compiled an EVAL script into %d functions", sb.engine, len(fns))
	}
	fns[0].Flags = sb.flags
	es := &evalScript{body: bytes.Clone(body), engine: eng, fn: fns[0]}
	s.scripts.cache.scripts[sha] = es
	s.scripts.cache.bodyBytes += int64(len(body))
	return es, nil
}

// flushScripts empties the cache (SCRIPT FLUSH) and resets the engines'
// EVAL state.
func (s *Server) flushScripts() {
	s.scripts.cache.init()
	s.scripts.cache.bodyBytes = 0
	for _, name := range s.scripts.engines.Names() {
		e, _ := s.scripts.engines.Get(name)
		if r, ok := e.(Resetter); ok {
			r.Reset(KindEval)
		}
	}
}
