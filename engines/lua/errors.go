package lua

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines/lua/lualib"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Errors, the way Redis reports them. Every error raised in a script is
// turned, where it is raised, into a table {err=..., source=..., line=...}
// (strings gain the "ERR " prefix); the reply is then
//
//	<err> script: <function name>, on <source>:<line>.
//
// An error table returned (not raised) by a script is answered as it is.

// newErrHandler returns the message handler given to PCall: it runs where
// the error was raised, while the stack is still there to read the line.
func (st *state) newErrHandler() *lua.LFunction {
	return st.L.NewFunction(func(L *lua.LState) int {
		e := L.Get(1)
		t, ok := e.(*lua.LTable)
		if !ok {
			t = L.CreateTable(0, 3)
			t.RawSetString("err", lua.LString("ERR "+luaMessage(luaToString(e))))
		} else if msg := t.RawGetString("err"); msg.Type() == lua.LTString || msg.Type() == lua.LTNumber {
			if msg.Type() == lua.LTNumber {
				t.RawSetString("err", lua.LString(luaToString(msg)))
			}
		} else {
			// A raised table without a message: Redis answers a generic error.
			t = L.CreateTable(0, 3)
			t.RawSetString("err", lua.LString("ERR Error running script, the error object is a table without an 'err' field"))
		}
		if source, line, ok := luaPosition(L); ok && t.RawGetString("source") == lua.LNil {
			if name, ok := st.chunkNames[source]; ok {
				source = name
			} else {
				source = "@" + source // user_script, user_function
			}
			t.RawSetString("source", lua.LString(source))
			t.RawSetString("line", lua.LNumber(line))
		}
		L.Push(t)
		return 1
	})
}

// luaToString is Lua's tostring for error objects.
func luaToString(v lua.LValue) string {
	if v.Type() == lua.LTString {
		return lua.LVAsString(v)
	}
	if n, ok := v.(lua.LNumber); ok {
		return lualib.FormatNumber(float64(n))
	}
	return v.String()
}

// luaPosition finds the innermost Lua (not Go) function on the stack.
func luaPosition(L *lua.LState) (string, int, bool) {
	for level := 0; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return "", 0, false
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			continue
		}
		if dbg.What != "G" && dbg.CurrentLine > 0 {
			return dbg.Source, dbg.CurrentLine, true
		}
	}
}

// errorReply turns a failed PCall into the script's error reply.
func (st *state) errorReply(err error) core.Value {
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		return core.ErrorValue("ERR " + err.Error())
	}
	t, ok := ae.Object.(*lua.LTable)
	if !ok {
		msg := lua.LVAsString(ae.Object)
		if msg == "lua callstack overflow" || msg == "registry overflow" {
			// Calls nested past Lua 5.1's limit (luaMaxCalls). gopher-lua
			// stops without running the message handler (there is no room
			// left for it), so the position Redis adds is unknown here.
			return core.ErrorValue("ERR stack overflow")
		}
		return core.ErrorValue("ERR " + msg)
	}
	msg := lua.LVAsString(t.RawGetString("err"))
	source, _ := t.RawGetString("source").(lua.LString)
	line, _ := t.RawGetString("line").(lua.LNumber)
	if source == "" {
		return core.ErrorValue(msg)
	}
	return core.ErrorValue(fmt.Sprintf("%s script: %s, on %s:%d.", msg, st.fname, source, int(line)))
}

// decorate adds the script position to msg (KILL).
func (st *state) decorate(msg string, line int) string {
	source := "@user_script"
	if st.kind == core.KindLibrary {
		source = "@user_function"
	}
	return fmt.Sprintf("%s script: %s, on %s:%d.", msg, st.fname, source, line)
}

// errorLine is the line recorded in a failed PCall's error table.
func errorLine(err error) int {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if t, ok := ae.Object.(*lua.LTable); ok {
			if n, ok := t.RawGetString("line").(lua.LNumber); ok {
				return int(n)
			}
		}
	}
	return 0
}

// compileError renders a syntax error as Lua 5.1 does,
// "<chunk>:<line>: <message> near '<token>'". gopher-lua's parser words
// its messages differently: the generic ones are translated to Lua's
// (DIFFERENCES.md lists what is left). At the end of the input Lua names
// the last line and '<eof>'.
func compileError(err error, src string) error {
	eofLine := strings.Count(src, "\n") + 1
	var pe *parse.Error
	if errors.As(err, &pe) {
		msg := luaSyntaxMessage(pe.Message)
		if pe.Pos.Line == parse.EOF {
			return fmt.Errorf("%s:%d: %s near '<eof>'", pe.Pos.Source, eofLine, msg)
		}
		return fmt.Errorf("%s:%d: %s near '%s'", pe.Pos.Source, pe.Pos.Line, msg, luaTokenText(pe.Token))
	}
	var ce *lua.CompileError
	if errors.As(err, &ce) {
		return fmt.Errorf("%d: %s", ce.Line, ce.Message)
	}
	// "<chunk> line:<n>(column:<c>) near '<tok>':   <message>"
	if m := parseErrorRE.FindStringSubmatch(strings.TrimSpace(err.Error())); m != nil && !strings.Contains(m[1], " at EOF") {
		return fmt.Errorf("%s:%s: %s near '%s'", m[1], m[2], luaSyntaxMessage(m[4]), luaTokenText(m[3]))
	}
	if m := eofErrorRE.FindStringSubmatch(strings.TrimSpace(err.Error())); m != nil {
		return fmt.Errorf("%s:%d: %s near '<eof>'", m[1], eofLine, luaSyntaxMessage(m[2]))
	}
	return err
}

// luaTokenText is how Lua 5.1 names a token in a syntax error: a control
// character as "char(<code>)" (luaX_token2str).
func luaTokenText(tok string) string {
	if len(tok) == 1 && (tok[0] < 32 || tok[0] == 127) {
		return fmt.Sprintf("char(%d)", tok[0])
	}
	return tok
}

// luaSyntaxMessage maps gopher-lua's parser and lexer messages to Lua
// 5.1's.
func luaSyntaxMessage(msg string) string {
	msg = strings.TrimSpace(msg)
	switch msg {
	case "syntax error", "parse error", "Invalid token":
		return "unexpected symbol"
	case "unterminated string":
		return "unfinished string"
	case "unterminated multiline string", "unterminated multiline comment":
		return "unfinished long string"
	}
	if strings.HasPrefix(msg, "illegal") && strings.HasSuffix(msg, "number") {
		return "malformed number"
	}
	return msg
}

var (
	parseErrorRE = regexp.MustCompile(`^(.+?) line:(\d+)\(column:\d+\) near '(.*?)':\s+(.*)$`)
	eofErrorRE   = regexp.MustCompile(`^(.+?) at EOF:\s+(.*)$`)
)

// raise raises a Redis error table from a Go function: no position is
// added to the message (as luaL_error from C adds none), the handler adds
// the script's.
func raise(L *lua.LState, msg string) {
	t := L.CreateTable(0, 3)
	t.RawSetString("err", lua.LString(msg))
	L.Error(t, 0)
}
