package core

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
)

// The rest of Redis 7.0's configuration parameters. Most have no effect in
// polyfn yet; they exist so that CONFIG GET answers what clients and tools
// expect (same defaults, same printing) and CONFIG SET validates them as
// Redis does. Values that need special parsing (save,
// notify-keyspace-events, client-output-buffer-limit...) are normalised the
// way Redis prints them back.

// Keyspace notification classes (notify-keyspace-events), as bits.
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZSet                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyModule               // d
	NotifyNew                  // n
	// NotifyAll is what 'A' stands for.
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash | NotifyZSet |
		NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

var notifyChars = []struct {
	c    byte
	flag int64
}{
	{'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList}, {'s', NotifySet},
	{'h', NotifyHash}, {'z', NotifyZSet}, {'x', NotifyExpired}, {'e', NotifyEvicted},
	{'t', NotifyStream}, {'d', NotifyModule}, {'n', NotifyNew},
}

// ParseNotifyFlags parses a notify-keyspace-events value.
func ParseNotifyFlags(s string) (int64, bool) {
	var f int64
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 'A':
			f |= NotifyAll
		case 'K':
			f |= NotifyKeyspace
		case 'E':
			f |= NotifyKeyevent
		case 'm':
			f |= NotifyKeyMiss
		default:
			found := false
			for _, nc := range notifyChars {
				if nc.c == c {
					f |= nc.flag
					found = true
				}
			}
			if !found {
				return 0, false
			}
		}
	}
	return f, true
}

// FormatNotifyFlags prints flags in Redis's canonical order.
func FormatNotifyFlags(f int64) string {
	var b []byte
	if f&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, nc := range notifyChars {
			if f&nc.flag != 0 {
				b = append(b, nc.c)
			}
		}
	}
	if f&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}

// NotifyFlags returns the notify-keyspace-events classes (lock-free).
func (c *Config) NotifyFlags() int64 { return c.notifyFlags.Load() }

// memtoull parses a memory amount as Redis's memtoull: decimal digits and
// an optional unit (b, k, kb, m, mb, g, gb, any case). Overflow wraps as
// the C code does (strtoull saturates, the unit multiplies modulo 2^64).
func memtoull(s string) (uint64, bool) {
	if strings.HasPrefix(s, "-") {
		return 0, false
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	if i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			n = 1<<64 - 1 // strtoull saturates
		}
		v = n
	}
	return v * mul, true
}

// ParseMemory parses a memory amount with Redis's units (see memtoull);
// values beyond int64 are rejected.
func ParseMemory(s string) (int64, bool) {
	u, ok := memtoull(s)
	if !ok || u > 1<<63-1 {
		return 0, false
	}
	return int64(u), true
}

// MemParam accepts a memory amount in [min, max] (unsigned: in [min,
// 2^64-1], printed unsigned; the cached value is capped at MaxInt64).
func MemParam(min, max int64, unsigned bool, apply func(int64)) func(string) (string, error) {
	return func(s string) (string, error) {
		u, ok := memtoull(s)
		if !ok {
			return "", errors.New("argument must be a memory value")
		}
		n := int64(u)
		if unsigned {
			if u < uint64(min) {
				return "", errors.New("argument must be between " + itoa(min) + " and 18446744073709551615 inclusive")
			}
			if u > 1<<63-1 {
				n = 1<<63 - 1
			}
		} else if n < min || n > max {
			return "", errors.New("argument must be between " + itoa(min) + " and " + itoa(max) + " inclusive")
		}
		if apply != nil {
			apply(n)
		}
		return strconv.FormatUint(u, 10), nil
	}
}

// DefineMem adds a memory parameter whose value Int reads without locking.
func (c *Config) DefineMem(name string, aliases []string, min, max int64, unsigned bool, def string) {
	v := new(atomic.Int64)
	for _, n := range append([]string{name}, aliases...) {
		c.ints[n] = v
	}
	c.Define(&Param{Name: name, Aliases: aliases, set: MemParam(min, max, unsigned, v.Store)}, def)
}

// saveParam validates and normalises "seconds changes ..." pairs.
func saveParam(s string) (string, error) {
	words := configWords(s)
	if len(words)%2 != 0 {
		return "", errors.New("Invalid save parameters")
	}
	out := make([]string, len(words))
	for i, w := range words {
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil || (i%2 == 0 && n < 1) || (i%2 == 1 && n < 0) {
			return "", errors.New("Invalid save parameters")
		}
		out[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(out, " "), nil
}

// outputLimits is client-output-buffer-limit: per class hard, soft, secs.
type outputLimits [3][3]uint64

var outputClasses = []string{"normal", "slave", "pubsub"}

func (c *Config) outputLimitParam(s string) (string, error) {
	words := configWords(s)
	if len(words)%4 != 0 {
		return "", errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	lim := c.outLimits
	for i := 0; i < len(words); i += 4 {
		class := -1
		switch strings.ToLower(words[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return "", errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, ok1 := memtoull(words[i+1])
		soft, ok2 := memtoull(words[i+2])
		secs, err := strconv.ParseInt(words[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return "", errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		lim[class] = [3]uint64{hard, soft, uint64(secs)}
	}
	c.outLimits = lim
	c.storeOutputLimits(lim)
	var b strings.Builder
	for i, name := range outputClasses {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		for _, v := range lim[i] {
			b.WriteByte(' ')
			b.WriteString(strconv.FormatUint(v, 10))
		}
	}
	return b.String(), nil
}

func percentilesParam(s string) (string, error) {
	words := configWords(s)
	out := make([]string, len(words))
	for i, w := range words {
		f, ok := parseScore([]byte(w)) // Redis's string2d: hex floats too
		if !ok {
			return "", errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if f < 0 || f > 100 {
			return "", errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out[i] = trimFloat(f)
	}
	return strings.Join(out, " "), nil
}

// activeDefragParam: polyfn has no active defragmentation (Go's collector
// owns the heap), so it refuses "yes" as a redis-server built without
// Redis's jemalloc does (Debian's).
func activeDefragParam(s string) (string, error) {
	v, err := BoolParam(nil)(s)
	if v == "yes" {
		return "", errors.New("Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution")
	}
	return v, err
}

// hostnameParam checks cluster-announce-hostname as Redis does.
func hostnameParam(s string) (string, error) {
	if len(s) >= 256 {
		return "", errors.New("Hostnames must be less than 256 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "", errors.New("Hostnames may only contain alphanumeric characters, hyphens or dots")
		}
	}
	return s, nil
}

// procTitleParam checks a proc-title-template as Redis does: only known
// variables ("{{" is a brace), and expanded with an empty title it must
// hold more than spaces. (polyfn does not set its process title.)
func procTitleParam(s string) (string, error) {
	invalid := errors.New("template format is invalid or contains unknown variables")
	var out strings.Builder
	for p := s; p != ""; {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			out.WriteString(p)
			break
		}
		out.WriteString(p[:i])
		p = p[i+1:]
		if p == "" {
			return "", invalid
		}
		if p[0] == '{' {
			out.WriteByte('{')
			p = p[1:]
			continue
		}
		j := strings.IndexByte(p, '}')
		if j < 0 {
			return "", invalid
		}
		switch p[:j] {
		case "title", "server-mode", "unixsocket":
			// Empty when validated (standalone, no unix socket).
		case "listen-addr", "port", "tls-port", "config-file":
			out.WriteString("x")
		default:
			return "", invalid
		}
		p = p[j+1:]
	}
	if strings.Trim(out.String(), " ") == "" {
		return "", invalid
	}
	return s, nil
}

func oomValuesParam(s string) (string, error) {
	words := configWords(s)
	if len(words) != 3 {
		return "", errors.New("wrong number of arguments")
	}
	out := make([]string, 3)
	for i, w := range words {
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil || n < -2000 || n > 2000 {
			return "", errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
		}
		out[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(out, " "), nil
}

// maxmemoryClientsParam accepts a memory amount or a percentage.
func maxmemoryClientsParam(s string) (string, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		u, ok := memtoull(p)
		if !ok || p == "" || strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return "", errors.New("argument must be a memory or percent value")
		}
		if u > 100 {
			return "", errors.New("percentage argument must be less or equal to 100")
		}
		if u == 0 {
			return "0", nil
		}
		return strconv.FormatUint(u, 10) + "%", nil
	}
	u, ok := memtoull(s)
	if !ok {
		return "", errors.New("argument must be a memory or percent value")
	}
	return strconv.FormatUint(u, 10), nil
}

func (c *Config) registerRedisDefaults() {
	def := func(name string, aliases []string, immutable bool, set func(string) (string, error), value string) {
		c.Define(&Param{Name: name, Aliases: aliases, Immutable: immutable, set: set}, value)
	}
	str := func(name, value string) { def(name, nil, false, StringParam(nil), value) }
	fixed := func(name, value string) { def(name, nil, true, StringParam(nil), value) }
	boolean := func(name string, aliases []string, value string) { def(name, aliases, false, BoolParam(nil), value) }
	fixedBool := func(name, value string) { def(name, nil, true, BoolParam(nil), value) }
	enum := func(name, value string, words ...string) { def(name, nil, false, EnumParam(words, nil), value) }
	integer := func(name string, aliases []string, min, max int64, value string) {
		c.DefineInt(name, aliases, false, min, max, false, value, nil)
	}
	const maxInt, maxInt32, maxUint32 = 1<<63 - 1, 1<<31 - 1, 1<<32 - 1

	def("cluster-announce-hostname", nil, false, hostnameParam, "")
	for _, n := range []string{"bind-source-addr", "cluster-announce-ip",
		"ignore-warnings", "masterauth", "masteruser", "tls-ca-cert-dir", "tls-ca-cert-file",
		"tls-cert-file", "tls-ciphers", "tls-ciphersuites", "tls-client-cert-file", "tls-client-key-file",
		"tls-client-key-file-pass", "tls-dh-params-file", "tls-key-file", "tls-key-file-pass", "tls-protocols"} {
		str(n, "")
	}
	def("replica-announce-ip", []string{"slave-announce-ip"}, false, StringParam(nil), "")
	def("proc-title-template", nil, false, procTitleParam, "{title} {listen-addr} {server-mode}")
	for _, n := range []string{"aclfile", "aof_rewrite_cpulist", "bgsave_cpulist", "bio_cpulist", "pidfile", "server_cpulist", "unixsocket"} {
		fixed(n, "")
	}
	def("replicaof", []string{"slaveof"}, true, StringParam(nil), "")
	fixed("appenddirname", "appendonlydir")
	fixed("appendfilename", "appendonly.aof")
	fixed("cluster-config-file", "nodes.conf")
	fixed("syslog-facility", "local0")
	fixed("syslog-ident", "redis")
	c.DefineInt("cluster-port", nil, true, 0, 65535, false, "0", nil)
	c.DefineInt("io-threads", nil, true, 1, 128, false, "1", nil)
	c.DefineInt("socket-mark-id", nil, true, 0, maxUint32, false, "0", nil)
	c.DefineInt("tcp-backlog", nil, true, 0, maxInt32, false, "511", nil)
	c.DefineInt("unixsocketperm", nil, true, 0, 0777, false, "0", nil)
	for _, kv := range [][2]string{{"always-show-logo", "no"}, {"cluster-enabled", "no"}, {"disable-thp", "yes"},
		{"io-threads-do-reads", "no"}, {"rdbchecksum", "yes"}, {"set-proc-title", "yes"}, {"syslog-enabled", "no"}} {
		fixedBool(kv[0], kv[1])
	}
	def("enable-module-command", nil, true, EnumParam([]string{"no", "yes", "local"}, nil), "no")
	def("enable-protected-configs", nil, true, EnumParam([]string{"no", "yes", "local"}, nil), "no")
	def("supervised", nil, true, EnumParam([]string{"upstart", "systemd", "auto", "no"}, nil), "no")

	def("activedefrag", nil, false, activeDefragParam, "no")
	for _, kv := range [][2]string{{"activerehashing", "yes"}, {"aof-disable-auto-gc", "no"},
		{"aof-load-truncated", "yes"}, {"aof-rewrite-incremental-fsync", "yes"}, {"aof-timestamp-enabled", "no"},
		{"aof-use-rdb-preamble", "yes"}, {"cluster-allow-pubsubshard-when-down", "yes"},
		{"cluster-allow-reads-when-down", "no"}, {"cluster-allow-replica-migration", "yes"},
		{"cluster-require-full-coverage", "yes"}, {"crash-log-enabled", "yes"}, {"crash-memcheck-enabled", "yes"},
		{"dynamic-hz", "yes"}, {"jemalloc-bg-thread", "yes"},
		{"lazyfree-lazy-eviction", "no"}, {"lazyfree-lazy-expire", "no"}, {"lazyfree-lazy-server-del", "no"},
		{"lazyfree-lazy-user-del", "no"}, {"lazyfree-lazy-user-flush", "no"}, {"no-appendfsync-on-rewrite", "no"},
		{"rdb-del-sync-files", "no"}, {"rdb-save-incremental-fsync", "yes"}, {"rdbcompression", "yes"},
		{"repl-disable-tcp-nodelay", "no"}, {"repl-diskless-sync", "yes"}, {"replica-announced", "yes"},
		{"replica-ignore-disk-write-errors", "no"}, {"stop-writes-on-bgsave-error", "yes"}, {"tls-cluster", "no"},
		{"tls-prefer-server-ciphers", "no"}, {"tls-replication", "no"}, {"tls-session-caching", "yes"}} {
		boolean(kv[0], nil, kv[1])
	}
	boolean("cluster-replica-no-failover", []string{"cluster-slave-no-failover"}, "no")
	boolean("replica-ignore-maxmemory", []string{"slave-ignore-maxmemory"}, "yes")
	boolean("replica-lazy-flush", []string{"slave-lazy-flush"}, "no")
	boolean("replica-read-only", []string{"slave-read-only"}, "yes")
	boolean("replica-serve-stale-data", []string{"slave-serve-stale-data"}, "yes")

	enum("acl-pubsub-default", "resetchannels", "allchannels", "resetchannels")
	enum("appendfsync", "everysec", "everysec", "always", "no")
	enum("cluster-preferred-endpoint-type", "ip", "ip", "hostname", "unknown-endpoint")
	enum("oom-score-adj", "no", "no", "yes", "relative", "absolute")
	enum("propagation-error-behavior", "ignore", "ignore", "panic", "panic-on-replicas")
	enum("repl-diskless-load", "disabled", "disabled", "on-empty-db", "swapdb")
	enum("sanitize-dump-payload", "no", "no", "yes", "clients")
	def("shutdown-on-sigint", nil, false, shutdownFlagsParam, "default")
	def("shutdown-on-sigterm", nil, false, shutdownFlagsParam, "default")
	enum("tls-auth-clients", "yes", "no", "yes", "optional")

	for _, x := range []struct {
		name     string
		min, max int64
		def      string
	}{
		{"acllog-max-len", 0, maxInt, "128"}, {"active-defrag-cycle-max", 1, 99, "25"},
		{"active-defrag-cycle-min", 1, 99, "1"}, {"active-defrag-max-scan-fields", 1, maxInt, "1000"},
		{"active-defrag-threshold-lower", 0, 1000, "10"}, {"active-defrag-threshold-upper", 0, 1000, "100"},
		{"active-expire-effort", 1, 10, "1"}, {"auto-aof-rewrite-percentage", 0, maxInt32, "100"},
		{"cluster-announce-bus-port", 0, 65535, "0"}, {"cluster-announce-port", 0, 65535, "0"},
		{"cluster-announce-tls-port", 0, 65535, "0"}, {"cluster-migration-barrier", 0, maxInt32, "1"},
		{"cluster-node-timeout", 0, maxInt, "15000"}, {"latency-monitor-threshold", 0, maxInt, "0"},
		{"lfu-decay-time", 0, maxInt32, "1"}, {"lfu-log-factor", 0, maxInt32, "10"},
		{"maxmemory-eviction-tenacity", 0, 100, "10"}, {"maxmemory-samples", 1, maxInt32, "5"},
		{"repl-backlog-ttl", 0, maxInt, "3600"}, {"repl-diskless-sync-delay", 0, maxInt32, "5"},
		{"repl-diskless-sync-max-replicas", 0, maxInt32, "0"}, {"repl-timeout", 1, maxInt32, "60"},
		{"shutdown-timeout", 0, maxInt32, "10"}, {"stream-node-max-entries", 0, maxInt, "100"},
		{"tcp-keepalive", 0, maxInt32, "300"}, {"tls-port", 0, 65535, "0"},
		{"tls-session-cache-size", 0, maxInt32, "20480"}, {"tls-session-cache-timeout", 0, maxInt32, "300"},
		{"tracking-table-max-keys", 0, maxInt, "1000000"},
	} {
		integer(x.name, nil, x.min, x.max, x.def)
	}
	integer("cluster-replica-validity-factor", []string{"cluster-slave-validity-factor"}, 0, maxInt32, "10")
	integer("min-replicas-max-lag", []string{"min-slaves-max-lag"}, 0, maxInt32, "10")
	integer("min-replicas-to-write", []string{"min-slaves-to-write"}, 0, maxInt32, "0")
	integer("repl-ping-replica-period", []string{"repl-ping-slave-period"}, 1, maxInt32, "10")
	integer("replica-announce-port", []string{"slave-announce-port"}, 0, 65535, "0")
	integer("replica-priority", []string{"slave-priority"}, 0, maxInt32, "100")

	c.DefineMem("active-defrag-ignore-bytes", nil, 1, maxInt, false, "104857600")
	c.DefineMem("auto-aof-rewrite-min-size", nil, 0, maxInt, false, "67108864")
	c.DefineMem("client-query-buffer-limit", nil, 1024*1024, maxInt, false, "1073741824")
	c.DefineMem("cluster-link-sendbuf-limit", nil, 0, maxInt, true, "0")
	c.DefineMem("hll-sparse-max-bytes", nil, 0, maxInt, false, "3000")
	c.DefineMem("repl-backlog-size", nil, 1, maxInt, false, "1048576")
	backlog := c.params["repl-backlog-size"]
	setBacklog := backlog.set
	backlog.set = func(s string) (string, error) {
		// Redis raises a smaller backlog to its minimum, 16 KB.
		v, err := setBacklog(s)
		if n, _ := strconv.ParseInt(v, 10, 64); err == nil && n < 16384 {
			return setBacklog("16384")
		}
		return v, err
	}
	c.DefineMem("stream-node-max-bytes", nil, 0, maxInt, false, "4096")
	def("maxmemory-clients", nil, false, maxmemoryClientsParam, "0")

	def("notify-keyspace-events", nil, false, func(s string) (string, error) {
		f, ok := ParseNotifyFlags(s)
		if !ok {
			return "", errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
		c.notifyFlags.Store(f)
		return FormatNotifyFlags(f), nil
	}, "")
	c.outLimits = outputLimits{{0, 0, 0}, {256 << 20, 64 << 20, 60}, {32 << 20, 8 << 20, 60}}
	def("client-output-buffer-limit", nil, false, c.outputLimitParam, "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	def("latency-tracking-info-percentiles", nil, false, percentilesParam, "50 99 99.9")
	def("oom-score-adj-values", nil, false, oomValuesParam, "0 200 800")
}
