package core

import (
	"context"
	"testing"
)

// nopEngine compiles nothing; it lets the header parsers find "lua".
type nopEngine struct{}

func (nopEngine) Compile(context.Context, CompileRequest) ([]*Function, error) { return nil, nil }
func (nopEngine) Call(context.Context, *Function, Host, [][]byte, [][]byte) Value {
	return Value{}
}

// FuzzScriptHeaders feeds arbitrary bytes to the EVAL shebang and library
// metadata parsers: they must answer (a result or an error), never panic,
// and what they accept must be a well-formed header.
func FuzzScriptHeaders(f *testing.F) {
	for _, seed := range []string{
		"return 1", "#!lua\nreturn 1", "#!lua flags=no-writes,allow-oom\nreturn 1",
		"#!lua name=lib\ncode", "#!lua  name=a name=b\n", "#!js name=x\n", "#!\n", "#!",
		"#!lua flags=\"no-writes\"\n", "#!lua 'unbalanced\n", "#!lua\tname=t\r\n",
	} {
		f.Add([]byte(seed))
	}
	s := New(NewConfig(), NewTable())
	f.Cleanup(s.RequestShutdown)
	reg := NewRegistry()
	reg.Register("lua", nopEngine{})
	s.SetEngines(reg)
	f.Fuzz(func(t *testing.T, body []byte) {
		if sb, err := s.parseEvalShebang(body); err == nil && len(body) >= 2 && body[0] == '#' && body[1] == '!' {
			if sb.flags&ScriptEvalCompat != 0 {
				t.Fatalf("a shebang script parsed as compatibility mode: %q", body)
			}
		}
		if m, err := parseLibraryMeta(body); err == nil {
			if len(body) < 2 || body[0] != '#' || body[1] != '!' {
				t.Fatalf("metadata accepted without #!: %q", body)
			}
			_ = m
		}
	})
}
