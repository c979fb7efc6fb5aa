package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
)

// The engine conformance suite: one set of cases that every scripting
// engine passes. A case file (testdata/suite/*.txt) holds a library per
// engine and the commands to run with their expected replies; the same
// replies are expected whatever the engine, since every engine must
// behave as Redis's Lua does (where a reply names the engine's own
// source positions, a case gives a per-engine expectation).
//
//	!lib <engine>             the library for <engine>, up to "!end";
//	...                       several !lib blocks per engine are loaded in order
//	!end
//	                          a body of a shebang line and "@<path>" loads the
//	                          shebang, a newline and the bytes of the file at
//	                          path (relative to the engine's package: binary
//	                          modules, e.g. "@testdata/suite.wasm")
//	COMMAND args...           run it (redis-cli quoting)
//	=> "<reply>"              the expected reply bytes (RESP2, and RESP3 unless
//	                          a resp3=> line follows); quoted with \r \n \xHH
//	resp3=> "<reply>"         the expected reply under RESP3
//	<engine>=> "<reply>"      the expected reply for one engine (both protocols)
//	<engine> resp3=> "<reply>" the expected reply for one engine under RESP3
//	<engine>-<flavor>=> ...   (and "... resp3=>") the expected reply for one
//	                          flavor of an engine's library (Harness.Flavor),
//	                          before the engine's own expectations
//	=~ <regexp>               the reply bytes must match (e.g. durations)
//	!conn NAME                switch connection (opened on first use, same protocol)
//	!send COMMAND ...         send without reading; a later !recv reads it
//	!recv                     read a reply (expectations follow as for commands)
//	!waitbusy                 on the current connection, PING until -BUSY
//	!sleep MS
//
// A file without a library for an engine is skipped for it. For Lua the
// suite also runs every file against a real redis-server 7.0 and requires
// the same expectations to hold there, so the recorded replies are
// Redis's. Each file runs on a fresh server offering only the engine under
// test (as redis-server offers only Lua, so FUNCTION STATS lists one
// engine), once in RESP2 and once with every connection in RESP3.

// Harness is what an engine's test hands the suite.
type Harness struct {
	// Engine is the engine's shebang name ("lua", "js", "wasm").
	Engine string
	// ServerArgs are extra polyfn arguments for every file (optional).
	ServerArgs []string
	// Module, when set, is the file every "@path" library body loads
	// instead of path (the same library built another way: another
	// guest SDK, or a fresh build).
	Module string
	// Flavor names such a variant ("c" for the WebAssembly suite library
	// written with the C SDK): "<engine>-<flavor>=>" expectations come
	// first for it.
	Flavor string
}

// suiteArgs are the server arguments every suite file runs with.
var suiteArgs = []string{"--busy-reply-threshold", "200"}

// RunSuite runs every case file against h's engine.
func RunSuite(t *testing.T, h Harness) {
	files, err := filepath.Glob(filepath.Join(suiteDir(), "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite cases in %s: %v", suiteDir(), err)
	}
	for _, f := range files {
		sf, err := parseSuiteFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			if len(sf.libs[h.Engine]) == 0 {
				t.Skipf("no %s library in this case file", h.Engine)
			}
			sf.module, sf.flavor = h.Module, h.Flavor
			for _, resp3 := range []bool{false, true} {
				addr := StartPolyfnWith(t, onlyEngine(t, h.Engine), append(append([]string{}, suiteArgs...), h.ServerArgs...)...)
				if !recording() {
					sf.run(t, h.Engine, addr, resp3)
				}
				if h.Engine == "lua" {
					if raddr, ok := tryRedisSuite(t); ok {
						sf.run(t, "redis", raddr, resp3)
					}
				}
			}
			if recording() {
				sf.writeRecorded(t)
			}
		})
	}
}

// onlyEngine is a registry with just the named engine of the full one.
func onlyEngine(t testing.TB, name string) *core.Registry {
	e, ok := engines.Registry().Get(name)
	if !ok {
		t.Fatalf("no engine %q", name)
	}
	r := core.NewRegistry()
	r.Register(name, e)
	return r
}

func tryRedisSuite(t *testing.T) (string, bool) {
	return tryRedis(t, suiteArgs...)
}

// suiteDir finds testdata/suite from the conformance package or from an
// engine's package.
func suiteDir() string {
	for _, d := range []string{"testdata/suite", "../../conformance/testdata/suite", "../conformance/testdata/suite"} {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return "testdata/suite"
}

type suiteStep struct {
	line   int
	kind   string // "cmd", "send", "recv", "conn", "waitbusy", "sleep"
	args   []string
	expect map[string]string // "" (any), "resp3", engine name -> reply bytes
	match  *regexp.Regexp
}

type suiteFile struct {
	path string
	libs map[string][]string
	// module and flavor are the Harness's (see there).
	module, flavor string
	// recorded holds replies from redis-server for steps without an
	// expectation, when recording (suite_record.go).
	recorded map[int]map[string][]byte
	steps    []*suiteStep
}

func parseSuiteFile(path string) (*suiteFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sf := &suiteFile{path: path, libs: map[string][]string{}}
	lines := strings.Split(string(data), "\n")
	var last *suiteStep
	for i := 0; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], "\r")
		n := i + 1
		switch {
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "!lib "):
			engine := strings.TrimSpace(l[5:])
			var b strings.Builder
			for i++; i < len(lines) && strings.TrimRight(lines[i], "\r") != "!end"; i++ {
				b.WriteString(lines[i])
				b.WriteByte('\n')
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: !lib without !end", n)
			}
			sf.libs[engine] = append(sf.libs[engine], strings.TrimSuffix(b.String(), "\n"))
		case strings.HasPrefix(l, "=~ "):
			if last == nil {
				return nil, fmt.Errorf("line %d: expectation without a command", n)
			}
			re, err := regexp.Compile(strings.TrimPrefix(l, "=~ "))
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			last.match = re
		case strings.Contains(l, "=> ") && !strings.HasPrefix(l, "!"):
			who, quoted, _ := strings.Cut(l, "=> ")
			if last == nil {
				return nil, fmt.Errorf("line %d: expectation without a command", n)
			}
			a, ok := protocol.SplitArgs([]byte(quoted))
			if !ok || len(a) != 1 {
				return nil, fmt.Errorf("line %d: expected one quoted reply", n)
			}
			last.expect[strings.TrimSpace(who)] = string(a[0])
		case strings.HasPrefix(l, "!"):
			word, rest, _ := strings.Cut(l[1:], " ")
			st := &suiteStep{line: n, kind: word, expect: map[string]string{}}
			switch word {
			case "send":
				args, ok := protocol.SplitArgs([]byte(rest))
				if !ok {
					return nil, fmt.Errorf("line %d: bad quoting", n)
				}
				st.args = toStrings(args)
			case "conn", "sleep":
				st.args = []string{strings.TrimSpace(rest)}
			case "recv", "waitbusy":
			default:
				return nil, fmt.Errorf("line %d: unknown directive !%s", n, word)
			}
			sf.steps = append(sf.steps, st)
			last = st
		default:
			args, ok := protocol.SplitArgs([]byte(l))
			if !ok {
				return nil, fmt.Errorf("line %d: bad quoting", n)
			}
			last = &suiteStep{line: n, kind: "cmd", args: toStrings(args), expect: map[string]string{}}
			sf.steps = append(sf.steps, last)
		}
	}
	return sf, nil
}

func toStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, a := range b {
		out[i] = string(a)
	}
	return out
}

// run plays the file against one server. target is the engine name, or
// "redis" for the reference run of the Lua libraries.
func (sf *suiteFile) run(t *testing.T, target, addr string, resp3 bool) {
	t.Helper()
	engine := target
	if target == "redis" {
		engine = "lua"
	}
	conns := map[string]*Client{}
	open := func(name string) *Client {
		if c := conns[name]; c != nil {
			return c
		}
		c := Dial(t, addr)
		if resp3 {
			if _, _, err := c.Do("HELLO", "3"); err != nil {
				t.Fatalf("HELLO 3: %v", err)
			}
		}
		conns[name] = c
		return c
	}
	cur := open("main")
	for _, lib := range sf.libs[engine] {
		lib, err := libraryCode(lib, sf.module)
		if err != nil {
			t.Fatalf("%s [%s]: %v", sf.path, target, err)
		}
		v, raw, err := cur.Do("FUNCTION", "LOAD", lib)
		if err != nil || v.Kind != core.VBulk { // the library name
			t.Fatalf("%s [%s]: FUNCTION LOAD failed: %v %q", sf.path, target, err, raw)
		}
	}
	mode := "resp2"
	if resp3 {
		mode = "resp3"
	}
	for _, st := range sf.steps {
		var raw []byte
		var err error
		switch st.kind {
		case "conn":
			cur = open(st.args[0])
			continue
		case "sleep":
			ms, _ := strconv.Atoi(st.args[0])
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		case "send":
			if err := cur.Send(st.args...); err != nil {
				t.Fatalf("%s:%d [%s]: send: %v", sf.path, st.line, target, err)
			}
			continue
		case "waitbusy":
			waitBusy(t, cur)
			continue
		case "recv":
			_, raw, err = cur.Read()
		default:
			_, raw, err = cur.Do(st.args...)
		}
		if err != nil {
			t.Fatalf("%s:%d [%s %s]: %v", sf.path, st.line, target, mode, err)
		}
		sf.check(t, st, target, engine, mode, raw)
	}
}

// libraryCode is the FUNCTION LOAD payload of a !lib body: the body, or
// for "<shebang>\n@<path>" the shebang and the file's bytes (of module
// instead of path when module is set).
func libraryCode(body, module string) (string, error) {
	shebang, ref, ok := strings.Cut(body, "\n")
	if !ok || !strings.HasPrefix(ref, "@") || strings.Contains(ref, "\n") {
		return body, nil
	}
	path := strings.TrimSpace(ref[1:])
	if module != "" && path == "testdata/suite.wasm" {
		path = module
	} else if dir := os.Getenv(ModulesEnv); dir != "" && strings.HasPrefix(path, "testdata/") {
		if p := filepath.Join(dir, strings.TrimPrefix(path, "testdata/")); fileExists(p) {
			path = p
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return shebang + "\n" + string(b), nil
}

// ModulesEnv names a directory of freshly built binary modules: when set,
// an "@testdata/<file>" library body is read from there instead (CI runs
// the suite against modules rebuilt from source; engines/wasm's
// testdata/build.sh makes them).
const ModulesEnv = "POLYFN_WASM_MODULES"

func (sf *suiteFile) check(t *testing.T, st *suiteStep, target, engine, mode string, raw []byte) {
	t.Helper()
	if st.match != nil {
		if !st.match.Match(raw) {
			t.Errorf("%s:%d [%s %s] %v: %q does not match %s", sf.path, st.line, target, mode, st.args, raw, st.match)
		}
		return
	}
	want, ok := "", false
	if sf.flavor != "" && target != "redis" {
		flavored := engine + "-" + sf.flavor
		if mode == "resp3" {
			want, ok = st.expect[flavored+" resp3"]
		}
		if !ok {
			want, ok = st.expect[flavored]
		}
	}
	if !ok && mode == "resp3" {
		want, ok = st.expect[engine+" resp3"]
	}
	if !ok {
		want, ok = st.expect[engine]
	}
	if !ok && mode == "resp3" {
		want, ok = st.expect["resp3"]
	}
	if !ok {
		want, ok = st.expect[""]
	}
	if !ok && target == "redis" && recording() {
		sf.record(st, mode, raw)
		return
	}
	if !ok {
		t.Errorf("%s:%d [%s %s] %v: no expectation; got => %s", sf.path, st.line, target, mode, st.args, quoteReply(raw))
		return
	}
	if string(raw) != want {
		t.Errorf("%s:%d [%s %s] %v:\n got  %s\n want %s", sf.path, st.line, target, mode, st.args, quoteReply(raw), quoteReply([]byte(want)))
	}
}

// quoteReply renders reply bytes in the suite's quoting.
func quoteReply(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '"' || c == '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		case c < 32 || c > 126:
			fmt.Fprintf(&sb, `\x%02x`, c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
