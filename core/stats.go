package core

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stats are the counters INFO reports. Fields without atomics are guarded
// by the keyspace lock.
type Stats struct {
	ConnectionsReceived atomic.Int64
	RejectedConns       atomic.Int64
	Commands            int64
	ExpiredKeys         int64
	EvictedKeys         int64
	KeyspaceHits        int64
	KeyspaceMisses      int64
	TotalErrors         int64

	cmds   map[*Command]*CommandStats
	errors map[string]int64 // by error code (first word)

	slowMu  sync.Mutex
	slowlog []SlowlogEntry
	slowID  int64
}

// CommandStats are one command's INFO commandstats counters.
type CommandStats struct {
	Calls, Rejected, Failed int64
	// Nanos is the time the calls took. Redis adds up each call's
	// duration in whole microseconds, measured as the difference of two
	// microsecond clock readings, so a call shorter than a microsecond
	// still counts for its share on average; adding up truncated
	// microseconds would count it as nothing. INFO shows Nanos/1000.
	Nanos int64
	// Latency is the command's latency histogram (INFO latencystats,
	// LATENCY HISTOGRAM), allocated on the first recorded call.
	Latency *Histogram
}

func (s *Stats) init() {
	s.cmds = map[*Command]*CommandStats{}
	s.errors = map[string]int64{}
}

func (s *Stats) command(c *Command) *CommandStats {
	st := s.cmds[c]
	if st == nil {
		st = &CommandStats{}
		s.cmds[c] = st
	}
	return st
}

func (s *Stats) countError(msg string) {
	code, _, _ := strings.Cut(msg, " ")
	s.errors[code]++
	s.TotalErrors++
}

// CommandStatsSnapshot returns the counters of every command called, by
// full name.
func (s *Stats) CommandStatsSnapshot() map[string]CommandStats {
	out := map[string]CommandStats{}
	for c, st := range s.cmds {
		out[c.FullName()] = *st
	}
	return out
}

// ErrorStats returns error counts by code, sorted by code.
func (s *Stats) ErrorStats() (codes []string, counts []int64) {
	for c := range s.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		counts = append(counts, s.errors[c])
	}
	return codes, counts
}

// ResetStats clears the counters CONFIG RESETSTAT clears.
func (s *Stats) ResetStats() {
	s.cmds = map[*Command]*CommandStats{}
	s.errors = map[string]int64{}
	s.Commands, s.ExpiredKeys, s.KeyspaceHits, s.KeyspaceMisses, s.TotalErrors = 0, 0, 0, 0, 0
	s.EvictedKeys = 0
	s.ConnectionsReceived.Store(0)
	s.RejectedConns.Store(0)
}

// SlowlogEntry is one SLOWLOG GET record.
type SlowlogEntry struct {
	ID         int64
	Time       int64 // unix seconds
	Duration   int64 // microseconds
	Args       []string
	Addr, Name string
}

func (s *Server) slowlogAdd(ctx *Ctx, dur time.Duration) {
	threshold := s.Config.SlowlogSlowerThan()
	if threshold < 0 || ctx.Cmd.Has(FlagSkipSlowlog) || dur.Microseconds() < threshold {
		return
	}
	e := SlowlogEntry{Time: time.Now().Unix(), Duration: dur.Microseconds()}
	for i := range ctx.Args {
		a := ctx.shownArg(i)
		if i == 31 && len(ctx.Args) > 32 {
			e.Args = append(e.Args, "... ("+itoa(int64(len(ctx.Args)-31))+" more arguments)")
			break
		}
		if len(a) > 128 {
			e.Args = append(e.Args, string(a[:128])+"... ("+itoa(int64(len(a)-128))+" more bytes)")
		} else {
			e.Args = append(e.Args, string(a))
		}
	}
	if ctx.C != nil {
		e.Addr, e.Name = ctx.C.Addr, ctx.C.Name
	}
	st := &s.Stats
	st.slowMu.Lock()
	defer st.slowMu.Unlock()
	e.ID = st.slowID
	st.slowID++
	st.slowlog = append([]SlowlogEntry{e}, st.slowlog...)
	if max := int(s.Config.SlowlogMaxLen()); len(st.slowlog) > max {
		st.slowlog = st.slowlog[:max]
	}
}

// Slowlog returns up to n entries, newest first (n < 0: all).
func (s *Server) Slowlog(n int) []SlowlogEntry {
	st := &s.Stats
	st.slowMu.Lock()
	defer st.slowMu.Unlock()
	if n < 0 || n > len(st.slowlog) {
		n = len(st.slowlog)
	}
	return append([]SlowlogEntry(nil), st.slowlog[:n]...)
}

// SlowlogLen and SlowlogReset serve SLOWLOG LEN / RESET.
func (s *Server) SlowlogLen() int {
	s.Stats.slowMu.Lock()
	defer s.Stats.slowMu.Unlock()
	return len(s.Stats.slowlog)
}

func (s *Server) SlowlogReset() {
	s.Stats.slowMu.Lock()
	defer s.Stats.slowMu.Unlock()
	s.Stats.slowlog = nil
}

func sortClients(cs []*Client) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
}
