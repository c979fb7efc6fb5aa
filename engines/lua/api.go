package lua

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/polyfn/polyfn/core"
	lua "github.com/yuin/gopher-lua"
)

// The globals scripts see and the redis.* API.

// openLibs builds the sandboxed globals of a state: Lua 5.1's base, table,
// string, math and coroutine libraries as Redis offers them, the redis
// table, and the bundled libraries.
func (st *state) openLibs() {
	L := st.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	libs := map[string]*lua.LTable{}
	for _, name := range []string{"string", "table", "math", "coroutine"} {
		libs[name] = L.G.Global.RawGetString(name).(*lua.LTable)
	}
	addCompat51(L, libs) // before the base functions are picked below
	st.sb = newSandbox(L)
	sb := st.sb
	gopherG := L.G.Global
	for _, name := range []string{
		"assert", "collectgarbage", "error", "getmetatable", "ipairs", "load",
		"loadstring", "next", "pairs", "pcall", "rawequal", "rawget", "rawset",
		"select", "setmetatable", "tonumber", "tostring", "type", "unpack", "xpcall",
	} {
		sb.G.RawSetString(name, gopherG.RawGetString(name))
	}
	sb.G.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	sb.G.RawSetString("gcinfo", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(L.GetTop()/64 + 1))
		return 1
	}))
	sb.install(sb.G)
	sb.G.RawSetString("error", L.NewFunction(luaError))
	st.errh = st.newErrHandler()
	st.wrapProtectedCalls()
	for name, t := range openBundledLibs(L) {
		libs[name] = t
	}
	st.redis = st.newRedisTable()
	libs["redis"] = st.redis
	for name, t := range libs {
		sb.G.RawSetString(name, sb.readonly(t))
	}
	sb.protectStrings(libs["string"], sb.G.RawGetString("string").(*lua.LTable))
	sb.G.RawSetString("__redis__err__handler", st.errh)
	sb.G.RawSetString("loadstring", L.NewFunction(st.loadString))
	sb.G.RawSetString("collectgarbage", L.NewFunction(collectGarbage))
	// Functions created by loadstring and friends run in the sandbox.
	L.Env = sb.env
	if st.kind == core.KindLibrary {
		st.loadEnv = st.newLoadEnv()
	}
}

// wrapProtectedCalls makes pcall, xpcall and coroutine.resume unable to
// catch a kill: once the run's context is cancelled the error goes on.
func (st *state) wrapProtectedCalls() {
	L := st.L
	for _, name := range []string{"pcall", "xpcall"} {
		orig := st.sb.G.RawGetString(name).(*lua.LFunction)
		st.sb.G.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			top := L.GetTop()
			L.Push(orig)
			for i := 1; i <= top; i++ {
				L.Push(L.Get(i))
			}
			L.Call(top, lua.MultRet)
			if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
				L.RaiseError("%s", ctx.Err().Error())
			}
			if name == "pcall" && L.GetTop() >= top+2 && L.Get(top+1) == lua.LFalse {
				// Redis's pcall hands over an error table's message, not the table.
				switch e := L.Get(top + 2).(type) {
				case *lua.LTable:
					if msg, ok := e.RawGetString("err").(lua.LString); ok {
						L.Replace(top+2, msg)
					}
				case lua.LString:
					L.Replace(top+2, lua.LString(luaMessage(string(e))))
				}
			}
			return L.GetTop() - top
		}))
	}
}

// luaError is Lua 5.1's error: a string or number message gains the
// position of the function at the given level ("" when that is not a Lua
// function); any other value is raised as it is.
func luaError(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	switch v.(type) {
	case lua.LString, lua.LNumber:
		if level > 0 {
			v = lua.LString(luaWhere(L, level) + lua.LVAsString(v))
		}
	}
	L.Error(v, 0)
	return 0
}

// luaWhere is luaL_where: "<chunk>:<line>: " for the Lua function at
// level (0 is the running Go function), "" otherwise.
func luaWhere(L *lua.LState, level int) string {
	dbg, ok := L.GetStack(level)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// newRedisTable builds the runtime redis.* API.
func (st *state) newRedisTable() *lua.LTable {
	L := st.L
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return st.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return st.redisCall(L, false) },
		"error_reply":        redisErrorReply,
		"status_reply":       redisStatusReply,
		"sha1hex":            redisSHA1Hex,
		"log":                st.redisLog,
		"setresp":            st.redisSetResp,
		"set_repl":           st.redisSetRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
		"acl_check_cmd":      st.redisACLCheck,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	if st.kind == core.KindLibrary {
		// Present at load time only (newLoadEnv); nil when functions run.
		t.RawSetString("register_function", lua.LNil)
	}
	for name, v := range map[string]int{
		"LOG_DEBUG": core.LogDebug, "LOG_VERBOSE": core.LogVerbose, "LOG_NOTICE": core.LogNotice, "LOG_WARNING": core.LogWarning,
		"REPL_NONE": core.ReplNone, "REPL_AOF": core.ReplAOF, "REPL_SLAVE": core.ReplReplica, "REPL_REPLICA": core.ReplReplica, "REPL_ALL": core.ReplAll,
	} {
		t.RawSetString(name, lua.LNumber(v))
	}
	t.RawSetString("REDIS_VERSION", lua.LString(core.RedisVersion))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(core.RedisVersionNum))
	return t
}

// redisCall is redis.call (raise true) and redis.pcall.
func (st *state) redisCall(L *lua.LState, raiseErr bool) int {
	n := L.GetTop()
	if st.host == nil {
		raise(L, "ERR redis.call is not allowed here")
	}
	if n == 0 {
		reply(L, raiseErr, core.ErrScriptNoArgs)
		return 1
	}
	// The arguments are built in buffers reused from call to call: the
	// host does not keep them.
	args, buf := st.argv[:0], st.argBuf[:0]
	for i := 1; i <= n; i++ {
		switch a := L.Get(i).(type) {
		case lua.LString:
			buf = append(buf, a...)
		case lua.LNumber:
			buf = core.AppendDouble(buf, float64(a))
		default:
			reply(L, raiseErr, "ERR Lua redis lib command arguments must be strings or integers")
			return 1
		}
	}
	off := 0
	for i := 1; i <= n; i++ {
		var l int
		switch a := L.Get(i).(type) {
		case lua.LString:
			l = len(a)
		case lua.LNumber:
			l = len(core.AppendDouble(st.numBuf[:0], float64(a)))
		}
		args = append(args, buf[off:off+l:off+l])
		off += l
	}
	st.argv, st.argBuf = args, buf
	v := st.host.Call(args)
	if v.Kind == core.VError && raiseErr {
		L.Error(commandErrTable(L, v), 0)
	}
	if resultDiscarded(L) {
		return 0 // a statement: nobody sees the reply (discard.go)
	}
	L.Push(toLua(L, v, st.host.Resp()))
	return 1
}

// reply answers an argument error: raised by redis.call, returned as an
// error table by redis.pcall.
func reply(L *lua.LState, raiseErr bool, msg string) {
	if raiseErr {
		raise(L, msg)
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(msg))
	L.Push(t)
}

// errTable builds Redis's error table from a reply text, as its
// luaPushErrorBuff does: "-CODE msg" keeps CODE, text without a leading
// '-' gets the ERR code; the message loses surrounding CR and LF.
func errTable(L *lua.LState, text string) *lua.LTable {
	code, msg := "ERR", text
	if strings.HasPrefix(text, "-") {
		if c, m, ok := strings.Cut(text[1:], " "); ok {
			code, msg = c, m
		} else {
			msg = text[1:]
		}
	}
	t := L.CreateTable(0, 2)
	t.RawSetString("err", lua.LString(code+" "+strings.Trim(msg, "\r\n")))
	return t
}

// pushArgsError answers a wrong call of error_reply or status_reply: the
// error is returned, not raised.
func pushArgsError(L *lua.LState) int {
	L.Push(errTable(L, "wrong number or type of arguments"))
	return 1
}

func redisErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		return pushArgsError(L)
	}
	msg := string(s)
	if !strings.HasPrefix(msg, "-") {
		msg = "-" + msg
	}
	L.Push(errTable(L, msg))
	return 1
}

func redisStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		return pushArgsError(L)
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

func redisSHA1Hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "ERR wrong number of arguments")
	}
	b, _ := argBytes(L.Get(1))
	L.Push(lua.LString(core.SHA1Hex(b)))
	return 1
}

func (st *state) redisLog(L *lua.LState) int {
	n := L.GetTop()
	if n < 2 {
		raise(L, "ERR redis.log() requires two arguments or more.")
	}
	if !luaIsNumber(L.Get(1)) {
		raise(L, "ERR First argument must be a number (log level).")
	}
	level := int(luaToNumber(L.Get(1)))
	if level < core.LogDebug || level > core.LogWarning {
		raise(L, "ERR Invalid debug level.")
	}
	parts := make([]string, 0, n-1)
	for i := 2; i <= n; i++ {
		b, _ := argBytes(L.Get(i))
		parts = append(parts, string(b))
	}
	if st.host != nil {
		st.host.Log(level, strings.Join(parts, " "))
	}
	return 0
}

func (st *state) redisSetResp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "ERR redis.setresp() requires one argument.")
	}
	if err := st.host.SetResp(int(luaToNumber(L.Get(1)))); err != nil {
		raise(L, err.Error())
	}
	return 0
}

func (st *state) redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raise(L, "ERR redis.set_repl() requires two arguments.") // sic, Redis's text
	}
	if err := st.host.SetRepl(int(luaToNumber(L.Get(1)))); err != nil {
		raise(L, err.Error())
	}
	return 0
}

func (st *state) redisACLCheck(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		raise(L, core.ErrScriptNoArgs)
	}
	args := make([][]byte, n)
	for i := 1; i <= n; i++ {
		b, ok := argBytes(L.Get(i))
		if !ok {
			raise(L, "ERR Lua redis lib command arguments must be strings or integers")
		}
		args[i-1] = b
	}
	ok, err := st.host.ACLCheck(args)
	if err != nil {
		raise(L, err.Error())
	}
	L.Push(lua.LBool(ok))
	return 1
}

// luaIsNumber is lua_isnumber: a number or a string convertible to one.
func luaIsNumber(v lua.LValue) bool {
	_, ok := luaNumber(v)
	return ok
}

// luaToNumber is lua_tonumber: numbers and numeric strings convert,
// anything else is 0.
func luaToNumber(v lua.LValue) float64 {
	f, _ := luaNumber(v)
	return f
}

func luaNumber(v lua.LValue) (float64, bool) {
	switch n := v.(type) {
	case lua.LNumber:
		return float64(n), true
	case lua.LString:
		s := strings.TrimSpace(string(n))
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, true
		}
		if i, err := strconv.ParseInt(s, 0, 64); err == nil {
			return float64(i), true
		}
	}
	return 0, false
}

// collectGarbage is collectgarbage without running Go's collector (a
// script must not stall the server): "count" reports an estimate in KB.
func collectGarbage(L *lua.LState) int {
	switch opt := L.OptString(1, "collect"); opt {
	case "count":
		L.Push(lua.LNumber(float64(L.GetTop()+baseStateMemory) / 1024))
	case "step":
		L.Push(lua.LFalse)
	case "setpause", "setstepmul":
		L.Push(lua.LNumber(200))
	case "collect", "stop", "restart":
		L.Push(lua.LNumber(0))
	default:
		L.ArgError(1, "invalid option '"+opt+"'")
	}
	return 1
}

// loadString is Lua 5.1's loadstring: the chunk is named after its code
// ([string "..."] in messages) unless a name is given, and runs in the
// sandbox.
func (st *state) loadString(L *lua.LState) int {
	code := L.CheckString(1)
	name := L.OptString(2, code)
	short := chunkID(name)
	if len(st.chunkNames) > maxChunkNames {
		st.chunkNames = map[string]string{}
	}
	st.chunkNames[short] = name
	if line := syntaxLevels(code, 1); line > 0 {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("%s:%d: %s", chunkIDSize(name, 80), line, errSyntaxLevels)))
		return 2
	}
	fn, err := L.Load(strings.NewReader(code), short)
	if err != nil {
		// Syntax errors name the chunk as the lexer does (MAXSRC).
		msg := compileError(err, code).Error()
		if rest, ok := strings.CutPrefix(msg, short); ok {
			msg = chunkIDSize(name, 80) + rest
		}
		L.Push(lua.LNil)
		L.Push(lua.LString(msg))
		return 2
	}
	fn.Env = st.sb.env
	L.Push(fn)
	return 1
}

// maxChunkNames bounds the chunk names remembered for decoration.
const maxChunkNames = 1024

// chunkID is Lua 5.1's luaO_chunkid: how a chunk name shows in run-time
// messages (LUA_IDSIZE).
func chunkID(source string) string { return chunkIDSize(source, 60) }

// chunkIDSize is luaO_chunkid for a buffer of size bytes: 60 for run-time
// messages, 80 (MAXSRC) for the lexer's and parser's.
func chunkIDSize(source string, size int) string {
	bufLen := size - len(" [string \"...\"] ") - 1
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i] // a C string
	}
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > 59 {
			s = s[:59]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		if len(s) > 59 {
			s = "..." + s[len(s)-56:]
		}
		return s
	}
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	if n > bufLen {
		n = bufLen
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}
