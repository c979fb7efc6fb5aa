package core

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Config holds the server's configuration parameters, as CONFIG GET/SET
// and redis.conf name them. Each parameter has a canonical name, optional
// aliases, a current value as Redis prints it, and a setter that
// validates and applies a new value. Hot values are cached in atomics so
// the command path reads them without locking.
type Config struct {
	mu     sync.RWMutex
	params map[string]*Param // canonical and alias names
	names  []string          // canonical names, sorted

	// Databases is fixed at start-up.
	Databases int

	// ints caches every integer parameter (by canonical and alias names);
	// the map itself is fixed after NewConfig.
	ints map[string]*atomic.Int64
	hot  hotInts

	requirePass atomic.Value // string
	// onRequirePass applies requirepass to the ACL default user; set by
	// the server, called with the keyspace lock held (CONFIG SET).
	onRequirePass func(string)
	activeExpire  atomic.Bool
	debugCommand  atomic.Value // "yes", "no", "local"
	notifyFlags   atomic.Int64
	policy        atomic.Int32 // maxmemory-policy (evict.go)
	outLimits     outputLimits
	outHot        [3][3]atomic.Uint64 // outLimits, read without the lock (limits.go)

	// File is the configuration file given at start-up ("" without one),
	// for CONFIG REWRITE.
	File string
}

// Param is one configuration parameter.
type Param struct {
	Name      string
	Aliases   []string
	Immutable bool // only settable at start-up
	// Protected parameters can only be set at start-up unless
	// enable-protected-configs allows it.
	Protected bool
	// Own marks polyfn's own parameters (not Redis's): CONFIG GET
	// answers them by exact name only, so that a pattern lists what
	// redis-server's would.
	Own   bool
	value string
	def   string // the default, as printed (CONFIG REWRITE)
	// set validates s and applies it; it returns the value to store (as
	// CONFIG GET will print it) or an error whose text follows Redis's
	// "argument ..." phrasing.
	set func(s string) (string, error)
}

// ErrImmutable is returned when CONFIG SET targets a start-up-only
// parameter.
var ErrImmutable = errors.New("can't set immutable config")

// ErrUnknownParam is returned for a name Config does not know.
var ErrUnknownParam = errors.New("unknown parameter")

// NewConfig returns the default configuration.
func NewConfig() *Config {
	c := &Config{params: map[string]*Param{}, ints: map[string]*atomic.Int64{}, Databases: defaultDatabases}
	c.registerDefaults()
	c.hot = hotInts{
		slowlogThreshold: c.ints["slowlog-log-slower-than"], slowlogMaxLen: c.ints["slowlog-max-len"],
		protoMaxBulkLen: c.ints["proto-max-bulk-len"], busy: c.ints["busy-reply-threshold"],
		hz: c.ints["hz"], timeout: c.ints["timeout"],
		hashEntries: c.ints["hash-max-listpack-entries"], hashValue: c.ints["hash-max-listpack-value"],
		setIntset:   c.ints["set-max-intset-entries"],
		zsetEntries: c.ints["zset-max-listpack-entries"], zsetValue: c.ints["zset-max-listpack-value"],
		maxmemory: c.ints["maxmemory"], scriptMaxMemory: c.ints["script-max-memory"],
	}
	return c
}

// Define adds a parameter with its default value. It panics on a
// duplicate name (a programming error).
func (c *Config) Define(p *Param, def string) {
	for _, n := range append([]string{p.Name}, p.Aliases...) {
		if c.params[n] != nil {
			panic("core: duplicate config parameter " + n)
		}
		c.params[n] = p
	}
	c.names = append(c.names, p.Name)
	sort.Strings(c.names)
	v, err := p.set(def)
	if err != nil {
		panic("core: bad default for " + p.Name + ": " + err.Error())
	}
	p.value, p.def = v, v
}

// Set changes a parameter. startup allows immutable parameters (command
// line and config file).
func (c *Config) Set(name, value string, startup bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.params[strings.ToLower(name)]
	if p == nil {
		return ErrUnknownParam
	}
	if p.Immutable && !startup {
		return ErrImmutable
	}
	v, err := p.set(value)
	if err != nil {
		return err
	}
	p.value = v
	return nil
}

// Get returns a parameter's value by canonical or alias name.
func (c *Config) Get(name string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p := c.params[strings.ToLower(name)]
	if p == nil {
		return "", false
	}
	return p.value, true
}

// Lookup returns the parameter by canonical or alias name, or nil.
func (c *Config) Lookup(name string) *Param {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.params[strings.ToLower(name)]
}

// Matching returns (name, value) pairs for every canonical name or alias
// matching the glob pattern, as CONFIG GET does.
func (c *Config) Matching(pattern string) [][2]string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out [][2]string
	glob := strings.ContainsAny(pattern, "*?[\\")
	for name, p := range c.params {
		if p.Own && glob {
			continue
		}
		if Match(pattern, name, true) {
			out = append(out, [2]string{name, p.value})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Names returns the canonical parameter names, sorted.
func (c *Config) Names() []string { return c.names }

// Typed accessors for the values the server reads on hot paths.
func (c *Config) RequirePass() string       { s, _ := c.requirePass.Load().(string); return s }
func (c *Config) SlowlogSlowerThan() int64  { return c.hot.slowlogThreshold.Load() }
func (c *Config) SlowlogMaxLen() int64      { return c.hot.slowlogMaxLen.Load() }
func (c *Config) ProtoMaxBulkLen() int64    { return c.hot.protoMaxBulkLen.Load() }
func (c *Config) BusyReplyThreshold() int64 { return c.hot.busy.Load() }
func (c *Config) Hz() int64                 { return max(1, min(c.hot.hz.Load(), 500)) }

// HashLimits, SetMaxIntset and ZSetLimits are the encoding thresholds
// (hash-max-listpack-entries/value, set-max-intset-entries,
// zset-max-listpack-entries/value).
func (c *Config) HashLimits() (entries, value int64) {
	return c.hot.hashEntries.Load(), c.hot.hashValue.Load()
}
func (c *Config) SetMaxIntset() int64 { return c.hot.setIntset.Load() }
func (c *Config) ZSetLimits() (entries, value int64) {
	return c.hot.zsetEntries.Load(), c.hot.zsetValue.Load()
}

// hotInts are the integer parameters read on every command, resolved
// once so the command path does not hash their names.
type hotInts struct {
	slowlogThreshold, slowlogMaxLen, protoMaxBulkLen, busy, hz, timeout *atomic.Int64
	hashEntries, hashValue, setIntset, zsetEntries, zsetValue           *atomic.Int64
	maxmemory, scriptMaxMemory                                          *atomic.Int64
}

// Int returns the current value of an integer parameter without locking.
// It panics for a name that is not an integer parameter.
func (c *Config) Int(name string) int64 { return c.ints[name].Load() }

// DefineInt adds an integer parameter in [min, max] (memory: accepts
// units) whose value Int reads without locking.
func (c *Config) DefineInt(name string, aliases []string, immutable bool, min, max int64, memory bool, def string, apply func(int64)) {
	v := new(atomic.Int64)
	for _, n := range append([]string{name}, aliases...) {
		c.ints[n] = v
	}
	c.Define(&Param{Name: name, Aliases: aliases, Immutable: immutable, set: IntParam(min, max, memory, func(n int64) {
		v.Store(n)
		if apply != nil {
			apply(n)
		}
	})}, def)
}
func (c *Config) ActiveExpire() bool      { return c.activeExpire.Load() }
func (c *Config) SetActiveExpire(on bool) { c.activeExpire.Store(on) }
func (c *Config) DebugCommand() string    { s, _ := c.debugCommand.Load().(string); return s }

// Setters for the common parameter kinds.

// StringParam accepts any value.
func StringParam(apply func(string)) func(string) (string, error) {
	return func(s string) (string, error) {
		if apply != nil {
			apply(s)
		}
		return s, nil
	}
}

// dirParam accepts an existing directory, with the error texts of
// Redis's chdir, and keeps it as an absolute path with symbolic links
// resolved: Redis moves into dir and CONFIG GET dir answers its working
// directory. polyfn does not move (several servers may share a process)
// but joins its files to this path. A relative s is taken from cur, the
// directory set before (where Redis would be), or the process's.
func dirParam(cur, s string) (string, error) {
	if s == "" {
		return "", errors.New("No such file or directory")
	}
	if !filepath.IsAbs(s) && cur != "" {
		s = filepath.Join(cur, s)
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", errors.New("No such file or directory")
	case errors.Is(err, syscall.ENOTDIR):
		return "", errors.New("Not a directory")
	case errors.Is(err, fs.ErrPermission):
		return "", errors.New("Permission denied")
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", errors.New("Not a directory")
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return abs, nil
}

// BoolParam accepts yes/no.
func BoolParam(apply func(bool)) func(string) (string, error) {
	return func(s string) (string, error) {
		switch strings.ToLower(s) {
		case "yes":
			if apply != nil {
				apply(true)
			}
			return "yes", nil
		case "no":
			if apply != nil {
				apply(false)
			}
			return "no", nil
		}
		return "", errors.New("argument must be 'yes' or 'no'")
	}
}

// IntParam accepts an integer in [min, max]; memory enables units
// (k, kb, m, mb, g, gb) as Redis's memory parameters do.
func IntParam(min, max int64, memory bool, apply func(int64)) func(string) (string, error) {
	if memory {
		return MemParam(min, max, false, apply)
	}
	return func(s string) (string, error) {
		n, ok := ParseInt([]byte(s))
		if !ok {
			return "", errors.New("argument couldn't be parsed into an integer")
		}
		if n < min || n > max {
			return "", errors.New("argument must be between " + itoa(min) + " and " + itoa(max) + " inclusive")
		}
		if apply != nil {
			apply(n)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

// EnumParam accepts one of the given words.
func EnumParam(words []string, apply func(string)) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, w := range words {
			if strings.EqualFold(w, s) {
				if apply != nil {
					apply(w)
				}
				return w, nil
			}
		}
		return "", errors.New("argument(s) must be one of the following: " + strings.Join(words, ", "))
	}
}

// configWords splits a several-word value (save, shutdown-on-sigterm,
// client-output-buffer-limit...) as Redis splits one given as a single
// string: at each space, so that a doubled or leading space makes an
// empty word, which the parameter then refuses. A config file's unquoted
// words arrive joined by single spaces.
func configWords(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// shutdownFlags are the words of shutdown-on-sigint/sigterm, in the order
// CONFIG GET prints them.
var shutdownFlags = []string{"default", "save", "nosave", "now", "force"}

// shutdownFlagsParam accepts one or more of shutdownFlags separated by
// spaces ("nosave now"), as Redis's multi-argument enums; "default" adds
// nothing.
func shutdownFlagsParam(s string) (string, error) {
	set := map[string]bool{}
	words := configWords(s)
	for _, w := range words {
		if !slices.ContainsFunc(shutdownFlags, func(f string) bool { return strings.EqualFold(f, w) }) {
			words = nil
			break
		}
		set[strings.ToLower(w)] = true
	}
	if len(words) == 0 {
		return "", errors.New("argument(s) must be one of the following: " + strings.Join(shutdownFlags, ", "))
	}
	if set["save"] && set["nosave"] {
		return "", errors.New("shutdown options SAVE and NOSAVE can't be used simultaneously")
	}
	var out []string
	for _, f := range shutdownFlags[1:] {
		if set[f] {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return "default", nil
	}
	return strings.Join(out, " "), nil
}

func (c *Config) registerDefaults() {
	def := func(name string, aliases []string, immutable bool, set func(string) (string, error), value string) {
		c.Define(&Param{Name: name, Aliases: aliases, Immutable: immutable, set: set}, value)
	}
	const maxInt = 1<<63 - 1
	c.DefineInt("port", nil, true, 0, 65535, false, "6379", nil)
	def("bind", nil, true, StringParam(nil), "127.0.0.1 -::1")
	c.DefineInt("databases", nil, true, 1, NumDatabasesMax, false, "16", func(n int64) { c.Databases = int(n) })
	def("requirepass", nil, false, StringParam(func(s string) {
		c.requirePass.Store(s)
		if c.onRequirePass != nil {
			c.onRequirePass(s) // the default user's password (acl_state.go)
		}
	}), "")
	c.DefineInt("busy-reply-threshold", []string{"lua-time-limit"}, false, 0, maxInt, false, "5000", nil)
	c.DefineInt("proto-max-bulk-len", nil, false, 1024*1024, maxInt, true, "536870912", nil)
	c.DefineInt("slowlog-log-slower-than", nil, false, -1, maxInt, false, "10000", nil)
	c.DefineInt("slowlog-max-len", nil, false, 0, maxInt, false, "128", nil)
	hz := new(atomic.Int64)
	c.ints["hz"] = hz
	def("hz", nil, false, func(s string) (string, error) {
		// Redis keeps hz within [1, 500] and prints the clamped value.
		v, err := IntParam(0, 1<<31-1, false, nil)(s)
		if err != nil {
			return "", err
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		n = max(1, min(n, 500))
		hz.Store(n)
		return strconv.FormatInt(n, 10), nil
	}, "10")
	def("enable-debug-command", nil, true, EnumParam([]string{"no", "yes", "local"}, func(s string) { c.debugCommand.Store(s) }), "no")
	c.DefineInt("timeout", nil, false, 0, 1<<31-1, false, "0", nil)
	c.DefineInt("maxclients", nil, false, 1, 1<<32-1, false, "10000", nil)
	c.DefineMem("maxmemory", nil, 0, maxInt, true, "0")
	c.DefineMem("script-max-memory", nil, 0, maxInt, true, defaultScriptMaxMemory) // polyfn's own: scripting_memory.go
	def("maxmemory-policy", nil, false, EnumParam([]string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"},
		func(s string) { c.policy.Store(int32(parsePolicy(s))) }), "noeviction")
	def("save", nil, false, saveParam, "3600 1 300 100 60 10000")
	def("appendonly", nil, false, BoolParam(nil), "no")
	dir := &Param{Name: "dir", Protected: true}
	dir.set = func(s string) (string, error) { return dirParam(dir.value, s) }
	c.Define(dir, ".")
	c.Define(&Param{Name: "dbfilename", Protected: true, set: StringParam(nil)}, "dump.rdb")
	def("loglevel", nil, false, EnumParam([]string{"debug", "verbose", "notice", "warning"}, nil), "notice")
	def("logfile", nil, true, StringParam(nil), "")
	def("daemonize", nil, true, BoolParam(nil), "no")
	def("protected-mode", nil, false, BoolParam(nil), "yes")
	// Encoding thresholds of the data types (OBJECT ENCODING).
	c.DefineInt("hash-max-listpack-entries", []string{"hash-max-ziplist-entries"}, false, 0, maxInt, false, "512", nil)
	c.DefineInt("hash-max-listpack-value", []string{"hash-max-ziplist-value"}, false, 0, maxInt, true, "64", nil)
	c.DefineInt("set-max-intset-entries", nil, false, 0, maxInt, false, "512", nil)
	c.DefineInt("zset-max-listpack-entries", []string{"zset-max-ziplist-entries"}, false, 0, maxInt, false, "128", nil)
	c.DefineInt("zset-max-listpack-value", []string{"zset-max-ziplist-value"}, false, 0, maxInt, true, "64", nil)
	c.DefineInt("list-max-listpack-size", []string{"list-max-ziplist-size"}, false, -1<<31, 1<<31-1, false, "-2", nil)
	c.DefineInt("list-compress-depth", nil, false, 0, 1<<31-1, false, "0", nil)
	// polyfn's own parameters (not Redis's).
	// wasm-max-memory-pages caps every WebAssembly instance's memory, in
	// 64 KiB pages (engines/wasm reads it at start-up).
	c.DefineInt("wasm-max-memory-pages", nil, true, 1, 65536, false, "1024", nil)
	c.params["wasm-max-memory-pages"].Own = true
	c.params["script-max-memory"].Own = true
	// wasm-cache-dir keeps compiled WebAssembly modules on disk, so that
	// FUNCTION LOAD of a known module is fast after a restart too ("":
	// in memory only; relative to dir).
	c.Define(&Param{Name: "wasm-cache-dir", Immutable: true, Own: true, set: StringParam(nil)}, "")
	c.registerRedisDefaults()
	c.activeExpire.Store(true)
	c.registerIntrospectionParams()
}

// IdleTimeout is the `timeout` parameter: how long an idle client may
// stay connected (0: forever).
func (c *Config) IdleTimeout() time.Duration {
	return time.Duration(c.hot.timeout.Load()) * time.Second
}

// LogLevel is loglevel as a number: 0 debug, 1 verbose, 2 notice, 3
// warning (the LOG_* levels scripts use).
func (c *Config) LogLevel() int {
	v, _ := c.Get("loglevel")
	switch v {
	case "debug":
		return LogDebug
	case "verbose":
		return LogVerbose
	case "warning":
		return LogWarning
	}
	return LogNotice
}
