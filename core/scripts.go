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
	parts, ok := splitShebang(body[:nl])
	if !ok || len(parts) == 0 {
		return shebang{}, fmt.Errorf(ErrShebangEngineInvalid)
	}
	sb := shebang{engine: strings.TrimPrefix(parts[0], "#!"), rest: body[nl+1:]}
	// Engine names are case-sensitive here ("#!lua", not "#!LUA"), as in Redis.
	if _, ok := s.scripts.engines.Get(sb.engine); !ok || sb.engine != strings.ToLower(sb.engine) || !strings.HasPrefix(parts[0], "#!") {
		return shebang{}, fmt.Errorf(fmtShebangEngine, parts[0])
	}
	for _, p := range parts[1:] {
		switch {
		case strings.HasPrefix(p, "flags="):
			if p == "flags=" {
				continue
			}
			for _, f := range strings.Split(p[len("flags="):], ",") {
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
	fns, err := eng.Compile(s.scripts.kill.Load(), CompileRequest{Kind: KindEval, Name: sha, Code: sb.rest, SkippedLines: skipped, MemoryLimit: s.Config.hot.scriptMaxMemory.Load()})
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

// splitShebang splits a shebang line into words as Redis's sdssplitargs
// does: blanks separate words, "double" (with \\ escapes and \\xHH) and
// 'single' quotes group them. ok is false for unbalanced quotes.
func splitShebang(line []byte) (words []string, ok bool) {
	isSpace := func(c byte) bool {
		return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == 0
	}
	unhex := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p == len(line) {
			return words, true
		}
		var cur []byte
		var quote byte
		for ; ; p++ {
			if p == len(line) {
				if quote != 0 {
					return nil, false
				}
				break
			}
			c := line[p]
			if quote == 0 {
				if isSpace(c) {
					break
				}
				if c == '"' || c == '\'' {
					quote = c
				} else {
					cur = append(cur, c)
				}
				continue
			}
			if c == quote {
				if p+1 < len(line) && !isSpace(line[p+1]) {
					return nil, false
				}
				p++
				break
			}
			if c == '\\' && p+1 < len(line) {
				n := line[p+1]
				if quote == '\'' {
					if n == '\'' {
						cur, p = append(cur, n), p+1
						continue
					}
				} else if h, ok1 := unhex(byteAt(line, p+2)); n == 'x' && ok1 {
					if l, ok2 := unhex(byteAt(line, p+3)); ok2 {
						cur, p = append(cur, h<<4|l), p+3
						continue
					}
				} else if quote == '"' {
					switch n {
					case 'n':
						n = '\n'
					case 'r':
						n = '\r'
					case 't':
						n = '\t'
					case 'b':
						n = '\b'
					case 'a':
						n = '\a'
					}
					cur, p = append(cur, n), p+1
					continue
				}
			}
			cur = append(cur, c)
		}
		words = append(words, string(cur))
	}
}

func byteAt(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
