package core

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Server administration commands: CONFIG, TIME, WAIT, SHUTDOWN, LASTSAVE
// and DEBUG (cmd_debug.go).

func registerAdminCommands(t *Table) {
	t.Add("config", nil)
	t.Add("config|get", cmdConfigGet)
	t.Add("config|set", cmdConfigSet)
	t.Add("config|resetstat", func(ctx *Ctx) {
		ctx.S.Stats.ResetStats()
		ctx.S.evict.exceededSum = 0
		ctx.OK()
	})
	t.Add("config|rewrite", cmdConfigRewrite)
	t.Add("config|help", func(ctx *Ctx) { writeHelp(ctx.W, configHelp) })
	t.Add("time", cmdTime)
	t.Add("wait", cmdWait)
	t.Add("shutdown", cmdShutdown)
	t.Add("debug", cmdDebug)
}

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

// cmdConfigGet answers the parameters matching any of the patterns, each
// once. A pattern without glob characters is an exact (case-insensitive)
// name and is answered under the spelling given, as Redis does.
func cmdConfigGet(ctx *Ctx) {
	cfg := ctx.S.Config
	var names, values []string
	seen := map[string]bool{}
	for _, a := range ctx.Args[2:] {
		pat := string(a)
		if !strings.ContainsAny(pat, "[*?") {
			lower := strings.ToLower(pat)
			if seen[lower] {
				continue
			}
			if v, ok := cfg.Get(lower); ok {
				seen[lower] = true
				names, values = append(names, pat), append(values, v)
			}
			continue
		}
		for _, nv := range cfg.Matching(pat) {
			if !seen[nv[0]] {
				seen[nv[0]] = true
				names, values = append(names, nv[0]), append(values, nv[1])
			}
		}
	}
	ctx.W.WriteMap(len(names))
	for i := range names {
		ctx.W.WriteBulkString(names[i])
		ctx.W.WriteBulkString(values[i])
	}
}

func cmdConfigSet(ctx *Ctx) {
	if len(ctx.Args)%2 != 0 {
		ctx.SyntaxError()
		return
	}
	var names, values []string
	for i := 2; i < len(ctx.Args); i += 2 {
		// Secrets are hidden even when the command then fails.
		if sensitiveParams[strings.ToLower(string(ctx.Args[i]))] {
			ctx.Redact(i + 1)
		}
		names = append(names, string(ctx.Args[i]))
		values = append(values, string(ctx.Args[i+1]))
	}
	if msg := ctx.S.Config.setMany(names, values, protectedAllowed(ctx)); msg != "" {
		ctx.Error(msg)
		return
	}
	ctx.S.applyMemoryLimit()
	if ctx.S.Config.hot.maxmemory.Load() > 0 {
		// As Redis: a lower maxmemory (or another policy) takes effect
		// now, not at the next command.
		ctx.S.startBackgroundEviction()
	}
	for _, n := range names {
		if n = strings.ToLower(n); n == "appendonly" || n == "appendfsync" || n == "aof-timestamp-enabled" {
			ctx.S.aofConfigChanged()
			break
		}
	}
	ctx.OK()
}

// sensitiveParams are the parameters whose CONFIG SET values SLOWLOG and
// MONITOR do not show (Redis 7.0's SENSITIVE_CONFIG).
var sensitiveParams = map[string]bool{"requirepass": true, "masterauth": true, "masteruser": true}

// protectedAllowed applies enable-protected-configs to the caller.
func protectedAllowed(ctx *Ctx) bool {
	v, _ := ctx.S.Config.Get("enable-protected-configs")
	return v == "yes" || (v == "local" && isLoopback(ctx.C))
}

// setMany sets several parameters atomically, as CONFIG SET in Redis 7.0:
// every name is checked first (unknown, immutable or protected,
// duplicate), then the values are applied in order; when one fails, the
// ones already applied are restored. It returns the error reply, or "".
func (c *Config) setMany(names, values []string, protectedOK bool) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	params := make([]*Param, len(names))
	var unknown, errName, errText string
	for i, name := range names {
		p := c.params[strings.ToLower(name)]
		if p == nil {
			if unknown == "" && errName == "" {
				unknown = name
			}
			continue
		}
		if unknown != "" || errName != "" {
			continue
		}
		if p.Immutable || (p.Protected && !protectedOK) {
			errName, errText = name, "can't set immutable config"
			if !p.Immutable {
				errText = "can't set protected config"
			}
			continue
		}
		// An alias and its parameter are distinct entries here, as in
		// Redis 7.0, which only rejects the same spelling twice.
		for j := 0; j < i; j++ {
			if params[j] == p && strings.EqualFold(names[j], name) {
				errName, errText = name, "duplicate parameter"
				break
			}
		}
		params[i] = p
	}
	if unknown != "" {
		return fmt.Sprintf(fmtConfigSetUnknown, unknown)
	}
	if errName != "" {
		return fmt.Sprintf(fmtConfigSetFailed, errName, errText)
	}
	old := make([]string, len(params))
	for i, p := range params {
		old[i] = p.value
		v, err := p.set(values[i])
		if err != nil {
			for j := i - 1; j >= 0; j-- {
				if v, err := params[j].set(old[j]); err == nil {
					params[j].value = v
				}
			}
			return fmt.Sprintf(fmtConfigSetFailed, strings.ToLower(names[i]), err.Error())
		}
		p.value = v
	}
	return ""
}

// cmdConfigRewrite rewrites the configuration file given at start-up:
// lines setting a known parameter get its current value, parameters
// changed from their default and absent from the file are appended.
func cmdConfigRewrite(ctx *Ctx) {
	cfg := ctx.S.Config
	if cfg.File == "" {
		ctx.Error(ErrNoConfigFile)
		return
	}
	if err := cfg.rewrite(); err != nil {
		ctx.Errorf("ERR Rewriting config file: %s", err)
		return
	}
	ctx.OK()
}

func (c *Config) rewrite() error {
	data, err := os.ReadFile(c.File)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	done := map[*Param]bool{}
	var out []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		text := strings.TrimSpace(line)
		if text != "" && text[0] != '#' && SplitLine != nil {
			if words, ok := SplitLine(text); ok && len(words) > 0 {
				if p := c.params[strings.ToLower(words[0])]; p != nil {
					if done[p] {
						continue
					}
					done[p] = true
					line = words[0] + " " + quoteConfig(p.value)
				}
			}
		}
		out = append(out, line)
	}
	for _, name := range c.names {
		p := c.params[name]
		if !done[p] && p.value != p.def {
			out = append(out, name+" "+quoteConfig(p.value))
		}
	}
	tmp := filepath.Join(filepath.Dir(c.File), ".polyfn-rewrite-"+strconv.Itoa(os.Getpid()))
	if err := os.WriteFile(tmp, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, c.File)
}

// quoteConfig quotes a value for a configuration file when it is empty or
// contains characters the line splitter would interpret.
func quoteConfig(v string) string {
	if v == "" || strings.ContainsAny(v, "\"'\\\t\r\n#") {
		return Repr([]byte(v))
	}
	return v
}

func cmdTime(ctx *Ctx) {
	now := time.Now()
	ctx.W.WriteArray(2)
	ctx.W.WriteBulkString(strconv.FormatInt(now.Unix(), 10))
	ctx.W.WriteBulkString(strconv.FormatInt(int64(now.Nanosecond()/1000), 10))
}

// LastSave is the unix time of the last successful save; without
// persistence, the start time (as a fresh redis-server reports).
func (s *Server) LastSave() int64 { return s.persist.lastSave }

// cmdWait waits for replicas. polyfn has none: it answers 0 at once when
// no replica is asked for, otherwise after the timeout (forever with 0,
// until CLIENT UNBLOCK), as a Redis master without replicas does.
func cmdWait(ctx *Ctx) {
	n, ok := ctx.Int(1)
	if !ok {
		return
	}
	until, ok := parseTimeoutMs(ctx, ctx.Args[2])
	if !ok {
		return
	}
	if n <= 0 || ctx.InMulti || ctx.NoBlock {
		ctx.W.WriteInt(0)
		return
	}
	var timeout time.Duration
	if !until.IsZero() {
		timeout = max(time.Until(until), time.Millisecond)
	}
	ctx.Block(nil, timeout, func(*Ctx) bool { return false }, func(ctx *Ctx) { ctx.W.WriteInt(0) })
}

func cmdShutdown(ctx *Ctx) {
	var nosave, save, now, force, abort bool
	for i := 1; i < len(ctx.Args); i++ {
		switch {
		case ctx.ArgIs(i, "nosave"):
			nosave = true
		case ctx.ArgIs(i, "save"):
			save = true
		case ctx.ArgIs(i, "now"):
			now = true
		case ctx.ArgIs(i, "force"):
			force = true
		case ctx.ArgIs(i, "abort"):
			abort = true
		default:
			ctx.SyntaxError()
			return
		}
	}
	if (abort && (nosave || save || now || force)) || (nosave && save) {
		ctx.SyntaxError()
		return
	}
	if abort {
		ctx.Error(ErrNoShutdown)
		return
	}
	if r := ctx.S.busyRun(); r != nil && !nosave {
		ctx.Error(r.busyError()) // only SHUTDOWN NOSAVE stops a busy server
		return
	}
	if !now && (ctx.InMulti || ctx.NoBlock) {
		ctx.Error(ErrShutdownDenyBlock)
		return
	}
	ctx.S.Log.Printf("User requested shutdown...")
	if err := ctx.S.ShutdownSave(save, nosave); err != nil && !force {
		ctx.Error(ErrShutdownErrors)
		return
	}
	ctx.S.RequestShutdown()
	// Like Redis, no reply: the connection just closes.
	ctx.C.CloseSoon = true
}
