package core

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// introState is what the introspection commands (INFO, LATENCY) keep
// beyond the counters of Stats: identities drawn at start, memory marks
// and the latency monitor's samples. Guarded by the keyspace lock.
type introState struct {
	once         sync.Once
	runID        string
	replID       string
	startupMem   uint64
	peakMem      uint64
	opsSampleAt  time.Time
	opsSampleCnt int64
	opsPerSec    int64
	latency      map[string]*latencyEvent
	// latencyThreshold caches latency-monitor-threshold for the command path.
	latencyThreshold *atomic.Int64
}

func (st *introState) init() {
	st.once.Do(func() {
		st.runID = randomHex40()
		st.replID = randomHex40()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st.startupMem = ms.HeapAlloc
		st.peakMem = ms.HeapAlloc
		st.opsSampleAt = time.Now()
		st.latency = map[string]*latencyEvent{}
	})
}

func randomHex40() string {
	var b [20]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// infoSections lists INFO's sections in Redis's order; the flag marks
// those of "default" (all sections are in "all" and "everything").
var infoSections = []struct {
	name    string
	title   string
	deflt   bool
	genFunc func(s *Server, b *infoBuilder)
}{
	{"server", "Server", true, infoServer},
	{"clients", "Clients", true, infoClients},
	{"memory", "Memory", true, infoMemory},
	{"persistence", "Persistence", true, infoPersistence},
	{"stats", "Stats", true, infoStats},
	{"replication", "Replication", true, infoReplication},
	{"cpu", "CPU", true, infoCPU},
	{"modules", "Modules", true, func(*Server, *infoBuilder) {}},
	{"commandstats", "Commandstats", false, infoCommandStats},
	{"errorstats", "Errorstats", true, infoErrorStats},
	{"latencystats", "Latencystats", false, infoLatencyStats},
	{"cluster", "Cluster", true, func(_ *Server, b *infoBuilder) { b.field("cluster_enabled", "0") }},
	{"keyspace", "Keyspace", true, infoKeyspace},
}

type infoBuilder struct{ strings.Builder }

func (b *infoBuilder) field(name, value string) {
	b.WriteString(name)
	b.WriteByte(':')
	b.WriteString(value)
	b.WriteString("\r\n")
}

func (b *infoBuilder) int(name string, n int64) { b.field(name, strconv.FormatInt(n, 10)) }

// Info renders INFO for the given section arguments (none: "default").
// Section names are case-insensitive; unknown ones select nothing.
func (s *Server) Info(args []string) string {
	s.intro.init()
	want := map[string]bool{}
	all := false
	if len(args) == 0 {
		args = []string{"default"}
	}
	for _, a := range args {
		a = strings.ToLower(a)
		switch a {
		case "all", "everything":
			all = true
		case "default":
			for _, sec := range infoSections {
				if sec.deflt {
					want[sec.name] = true
				}
			}
		default:
			want[a] = true
		}
	}
	var b infoBuilder
	for _, sec := range infoSections {
		if !all && !want[sec.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.title + "\r\n")
		sec.genFunc(s, &b)
	}
	return b.String()
}

func cmdInfo(ctx *Ctx) {
	args := make([]string, 0, len(ctx.Args)-1)
	for _, a := range ctx.Args[1:] {
		args = append(args, string(a))
	}
	ctx.W.WriteVerbatim("txt", ctx.S.Info(args))
}

var execPath = func() string {
	p, err := os.Executable()
	if err != nil {
		return ""
	}
	return p
}()

func infoServer(s *Server, b *infoBuilder) {
	now := time.Now()
	up := int64(now.Sub(s.Start) / time.Second)
	b.field("redis_version", RedisVersion)
	b.field("polyfn_version", Version)
	b.field("redis_git_sha1", "00000000")
	b.field("redis_git_dirty", "0")
	b.field("redis_build_id", "0")
	b.field("redis_mode", "standalone")
	b.field("os", unameString())
	b.int("arch_bits", strconv.IntSize)
	b.field("monotonic_clock", "POSIX clock_gettime")
	b.field("multiplexing_api", "epoll")
	b.field("atomicvar_api", "c11-builtin")
	b.field("gcc_version", "0.0.0")
	b.int("process_id", int64(os.Getpid()))
	b.field("process_supervised", "no")
	b.field("run_id", s.intro.runID)
	port, _ := s.Config.Get("port")
	b.field("tcp_port", port)
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", up)
	b.int("uptime_in_days", up/86400)
	b.int("hz", s.Config.Hz())
	b.int("configured_hz", s.Config.Int("hz"))
	b.int("lru_clock", now.Unix()&(1<<24-1))
	b.field("executable", execPath)
	cf := s.Config.File
	if cf != "" {
		if abs, err := filepath.Abs(cf); err == nil {
			cf = abs
		}
	}
	b.field("config_file", cf)
	b.field("io_threads_active", "0")
}

func unameString() string {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return runtime.GOOS + " " + runtime.GOARCH
	}
	str := func(a [65]int8) string {
		var sb strings.Builder
		for _, c := range a {
			if c == 0 {
				break
			}
			sb.WriteByte(byte(c))
		}
		return sb.String()
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

func infoClients(s *Server, b *infoBuilder) {
	s.clientsMu.Lock()
	n := len(s.clients)
	s.clientsMu.Unlock()
	b.int("connected_clients", int64(n))
	b.field("cluster_connections", "0")
	b.int("maxclients", s.Config.Int("maxclients"))
	b.field("client_recent_max_input_buffer", "0")
	b.field("client_recent_max_output_buffer", "0")
	b.int("blocked_clients", int64(s.BlockedClients()))
	b.int("tracking_clients", int64(s.tracking.clients))
	b.field("clients_in_timeout_table", "0")
}

// BytesToHuman formats a byte count as Redis's INFO *_human fields do.
func BytesToHuman(n uint64) string {
	const k = 1024
	switch {
	case n < k:
		return strconv.FormatUint(n, 10) + "B"
	case n < k*k:
		return fmt.Sprintf("%.2fK", float64(n)/k)
	case n < k*k*k:
		return fmt.Sprintf("%.2fM", float64(n)/(k*k))
	case n < k*k*k*k:
		return fmt.Sprintf("%.2fG", float64(n)/(k*k*k))
	case n < k*k*k*k*k:
		return fmt.Sprintf("%.2fT", float64(n)/(k*k*k*k))
	case n < k*k*k*k*k*k:
		return fmt.Sprintf("%.2fP", float64(n)/(k*k*k*k*k))
	}
	return strconv.FormatUint(n, 10) + "B"
}

// procRSS reads the resident set size from /proc (0 when unavailable).
func procRSS() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func totalSystemMemory() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func infoMemory(s *Server, b *infoBuilder) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// The figure maxmemory is held to (memory.go), so that used_memory
	// and eviction agree.
	used := s.UsedMemory(time.Now())
	st := &s.intro
	st.peakMem = max(st.peakMem, used)
	rss := procRSS()
	if rss == 0 {
		rss = ms.Sys
	}
	startup := min(st.startupMem, used)
	overhead := startup
	dataset := used - overhead
	sysmem := totalSystemMemory()
	maxmem := uint64(s.Config.Int("maxmemory"))
	policy, _ := s.Config.Get("maxmemory-policy")
	b.int("used_memory", int64(used))
	b.field("used_memory_human", BytesToHuman(used))
	b.int("used_memory_rss", int64(rss))
	b.field("used_memory_rss_human", BytesToHuman(rss))
	b.int("used_memory_peak", int64(st.peakMem))
	b.field("used_memory_peak_human", BytesToHuman(st.peakMem))
	b.field("used_memory_peak_perc", fmt.Sprintf("%.2f%%", ratio(used, st.peakMem)*100))
	b.int("used_memory_overhead", int64(overhead))
	b.int("used_memory_startup", int64(startup))
	b.int("used_memory_dataset", int64(dataset))
	b.field("used_memory_dataset_perc", fmt.Sprintf("%.2f%%", ratio(dataset, used-startup)*100))
	b.int("allocator_allocated", int64(ms.HeapAlloc))
	b.int("allocator_active", int64(ms.HeapInuse))
	b.int("allocator_resident", int64(ms.HeapSys-ms.HeapReleased))
	b.int("total_system_memory", int64(sysmem))
	b.field("total_system_memory_human", BytesToHuman(sysmem))
	sm := s.scriptingMemory()
	b.int("used_memory_lua", sm.vmEval)
	b.int("used_memory_vm_eval", sm.vmEval)
	b.field("used_memory_lua_human", BytesToHuman(uint64(sm.vmEval)))
	b.int("used_memory_scripts_eval", sm.scriptsEval)
	b.int("number_of_cached_scripts", int64(sm.cachedScripts))
	b.int("number_of_functions", int64(sm.functions))
	b.int("number_of_libraries", int64(sm.libraries))
	b.int("used_memory_vm_functions", sm.vmFunctions)
	b.int("used_memory_vm_total", sm.vmEval+sm.vmFunctions)
	b.field("used_memory_vm_total_human", BytesToHuman(uint64(sm.vmEval+sm.vmFunctions)))
	b.int("used_memory_functions", sm.functionsOverhead)
	b.int("used_memory_scripts", sm.scriptsEval+sm.functionsOverhead)
	b.field("used_memory_scripts_human", BytesToHuman(uint64(sm.scriptsEval+sm.functionsOverhead)))
	b.int("maxmemory", int64(maxmem))
	b.field("maxmemory_human", BytesToHuman(maxmem))
	b.field("maxmemory_policy", policy)
	active, resident := ms.HeapInuse, ms.HeapSys-ms.HeapReleased
	b.field("allocator_frag_ratio", fmt.Sprintf("%.2f", ratio(active, ms.HeapAlloc)))
	b.int("allocator_frag_bytes", int64(active)-int64(ms.HeapAlloc))
	b.field("allocator_rss_ratio", fmt.Sprintf("%.2f", ratio(resident, active)))
	b.int("allocator_rss_bytes", int64(resident)-int64(active))
	b.field("rss_overhead_ratio", fmt.Sprintf("%.2f", ratio(rss, resident)))
	b.int("rss_overhead_bytes", int64(rss)-int64(resident))
	b.field("mem_fragmentation_ratio", fmt.Sprintf("%.2f", ratio(rss, used)))
	b.int("mem_fragmentation_bytes", int64(rss)-int64(used))
	for _, f := range []string{"mem_not_counted_for_evict", "mem_replication_backlog", "mem_total_replication_buffers",
		"mem_clients_slaves", "mem_clients_normal", "mem_cluster_links", "mem_aof_buffer"} {
		b.field(f, "0")
	}
	b.field("mem_allocator", "go")
	b.field("active_defrag_running", "0")
	b.field("lazyfree_pending_objects", "0")
	b.field("lazyfreed_objects", "0")
}

func infoPersistence(s *Server, b *infoBuilder) {
	infoPersistenceSave(s, b)
	infoPersistenceAOF(s, b)
}

// opsPerSec estimates instantaneous_ops_per_sec from the commands run
// since the previous sample (samples are at least 100 ms apart).
func (s *Server) opsPerSec() int64 {
	st := &s.intro
	now := time.Now()
	if el := now.Sub(st.opsSampleAt); el >= 100*time.Millisecond {
		st.opsPerSec = int64(float64(s.Stats.Commands-st.opsSampleCnt) / el.Seconds())
		st.opsSampleAt, st.opsSampleCnt = now, s.Stats.Commands
	}
	return st.opsPerSec
}

func infoStats(s *Server, b *infoBuilder) {
	st := &s.Stats
	b.int("total_connections_received", st.ConnectionsReceived.Load())
	b.int("total_commands_processed", st.Commands)
	b.int("instantaneous_ops_per_sec", s.opsPerSec())
	for _, f := range []string{"total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes", "total_net_repl_output_bytes"} {
		b.field(f, "0")
	}
	for _, f := range []string{"instantaneous_input_kbps", "instantaneous_output_kbps", "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps"} {
		b.field(f, "0.00")
	}
	b.int("rejected_connections", st.RejectedConns.Load())
	b.field("sync_full", "0")
	b.field("sync_partial_ok", "0")
	b.field("sync_partial_err", "0")
	b.int("expired_keys", st.ExpiredKeys)
	b.field("expired_stale_perc", "0.00")
	b.field("expired_time_cap_reached_count", "0")
	b.field("expire_cycle_cpu_milliseconds", "0")
	b.int("evicted_keys", st.EvictedKeys)
	b.field("evicted_clients", "0")
	total, current := s.evictionExceededTimes(time.Now())
	b.int("total_eviction_exceeded_time", total)
	b.int("current_eviction_exceeded_time", current)
	b.int("keyspace_hits", st.KeyspaceHits)
	b.int("keyspace_misses", st.KeyspaceMisses)
	b.int("pubsub_channels", int64(len(s.PubSub.Channels)))
	b.int("pubsub_patterns", int64(len(s.PubSub.Patterns)))
	b.int("pubsubshard_channels", int64(len(s.PubSub.ShardChannels)))
	for _, f := range []string{"latest_fork_usec", "total_forks", "migrate_cached_sockets",
		"slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits",
		"active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time"} {
		b.field(f, "0")
	}
	tkeys, titems := s.trackingItems()
	b.int("tracking_total_keys", int64(tkeys))
	b.int("tracking_total_items", int64(titems))
	b.int("tracking_total_prefixes", int64(len(s.tracking.prefixes)))
	b.field("unexpected_error_replies", "0")
	b.int("total_error_replies", st.TotalErrors)
	b.field("dump_payload_sanitizations", "0")
	b.int("total_reads_processed", st.Commands)
	b.int("total_writes_processed", st.Commands)
	for _, f := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks", "reply_buffer_expands"} {
		b.field(f, "0")
	}
}

func infoReplication(s *Server, b *infoBuilder) {
	b.field("role", "master")
	b.field("connected_slaves", "0")
	b.field("master_failover_state", "no-failover")
	b.field("master_replid", s.intro.replID)
	b.field("master_replid2", strings.Repeat("0", 40))
	b.field("master_repl_offset", "0")
	b.field("second_repl_offset", "-1")
	b.field("repl_backlog_active", "0")
	b.field("repl_backlog_size", "1048576")
	b.field("repl_backlog_first_byte_offset", "0")
	b.field("repl_backlog_histlen", "0")
}

func timeval(tv syscall.Timeval) string {
	return fmt.Sprintf("%d.%06d", tv.Sec, tv.Usec)
}

func infoCPU(s *Server, b *infoBuilder) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	b.field("used_cpu_sys", timeval(self.Stime))
	b.field("used_cpu_user", timeval(self.Utime))
	b.field("used_cpu_sys_children", timeval(children.Stime))
	b.field("used_cpu_user_children", timeval(children.Utime))
	// Commands run on whichever thread holds the keyspace lock; the
	// process totals are the closest analogue of Redis's main thread.
	b.field("used_cpu_sys_main_thread", timeval(self.Stime))
	b.field("used_cpu_user_main_thread", timeval(self.Utime))
}

// commandStatsSorted returns the commands with statistics ordered by
// name, each container followed by its subcommands.
func (s *Server) commandStatsSorted() []*Command {
	cmds := make([]*Command, 0, len(s.Stats.cmds))
	for c := range s.Stats.cmds {
		cmds = append(cmds, c)
	}
	key := func(c *Command) (string, string) {
		if c.Parent != nil {
			return c.Parent.Name, c.Name
		}
		return c.Name, ""
	}
	sort.Slice(cmds, func(i, j int) bool {
		pi, si := key(cmds[i])
		pj, sj := key(cmds[j])
		if pi != pj {
			return pi < pj
		}
		return si < sj
	})
	return cmds
}

func infoCommandStats(s *Server, b *infoBuilder) {
	for _, c := range s.commandStatsSorted() {
		st := s.Stats.cmds[c]
		if st.Calls == 0 && st.Failed == 0 && st.Rejected == 0 {
			continue
		}
		per := 0.0
		if st.Calls > 0 {
			per = float64(st.Nanos) / 1e3 / float64(st.Calls)
		}
		b.field("cmdstat_"+c.FullName(), fmt.Sprintf("calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d",
			st.Calls, st.Nanos/1e3, per, st.Rejected, st.Failed))
	}
}

func infoErrorStats(s *Server, b *infoBuilder) {
	codes, counts := s.Stats.ErrorStats()
	for i, c := range codes {
		b.field("errorstat_"+c, "count="+strconv.FormatInt(counts[i], 10))
	}
}

// latencyPercentiles parses latency-tracking-info-percentiles.
func (s *Server) latencyPercentiles() []float64 {
	v, _ := s.Config.Get("latency-tracking-info-percentiles")
	var out []float64
	for _, f := range strings.Fields(v) {
		if p, err := strconv.ParseFloat(f, 64); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// trimFloat prints p as Redis's "%f" followed by trimming of trailing
// zeros and point (50 -> "50", 99.9 -> "99.9").
func trimFloat(p float64) string {
	s := strconv.FormatFloat(p, 'f', 6, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func infoLatencyStats(s *Server, b *infoBuilder) {
	ps := s.latencyPercentiles()
	for _, c := range s.commandStatsSorted() {
		h := s.Stats.cmds[c].Latency
		if h == nil || h.Total() == 0 {
			continue
		}
		var v strings.Builder
		for i, p := range ps {
			if i > 0 {
				v.WriteByte(',')
			}
			fmt.Fprintf(&v, "p%s=%.3f", trimFloat(p), float64(h.ValueAtPercentile(p))/1000)
		}
		b.field("latency_percentiles_usec_"+c.FullName(), v.String())
	}
}

func infoKeyspace(s *Server, b *infoBuilder) {
	for _, db := range s.DBs {
		if n := db.Len(); n > 0 {
			b.field("db"+strconv.Itoa(db.ID), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", n, db.ExpiresLen(), 0))
		}
	}
}
