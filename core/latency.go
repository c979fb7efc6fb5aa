package core

import (
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// Latency tracking: per-command histograms (INFO latencystats, LATENCY
// HISTOGRAM) and the latency monitor, which records the events ("command",
// "fast-command") that took at least latency-monitor-threshold
// milliseconds, in a time series of one sample per second (LATENCY LATEST,
// HISTORY, RESET, DOCTOR, GRAPH).

const latencyHistoryLen = 160

// latencyEvent is one event's samples: a ring of the last 160 seconds
// with a sample, plus the all-time maximum.
type latencyEvent struct {
	samples []latencySample // oldest first
	max     int64
}

type latencySample struct {
	time  int64 // unix seconds
	value int64 // milliseconds
}

var latencyTrackingOn atomic.Bool

func (c *Config) registerIntrospectionParams() {
	c.Define(&Param{Name: "latency-tracking", set: BoolParam(func(b bool) { latencyTrackingOn.Store(b) })}, "yes")
}

// recordLatency is called by call after every command: it feeds the
// command's histogram and the latency monitor.
func (s *Server) recordLatency(cmd *Command, st *CommandStats, dur time.Duration) {
	if latencyTrackingOn.Load() {
		if st.Latency == nil {
			st.Latency = new(Histogram)
		}
		st.Latency.Record(dur.Nanoseconds())
	}
	if s.intro.latencyThreshold == nil {
		s.intro.latencyThreshold = s.Config.ints["latency-monitor-threshold"]
	}
	if th := s.intro.latencyThreshold.Load(); th > 0 {
		if ms := dur.Milliseconds(); ms >= th {
			event := "command"
			if cmd.Has(FlagFast) {
				event = "fast-command"
			}
			s.LatencyAddSample(event, ms)
		}
	}
}

// LatencyAddSample records a latency sample in milliseconds for event,
// merging samples of the same second (keeping the highest). The lock is
// held.
func (s *Server) LatencyAddSample(event string, ms int64) {
	ev := s.intro.latency[event]
	if ev == nil {
		ev = &latencyEvent{}
		s.intro.latency[event] = ev
	}
	now := time.Now().Unix()
	ev.max = max(ev.max, ms)
	if n := len(ev.samples); n > 0 && ev.samples[n-1].time == now {
		ev.samples[n-1].value = max(ev.samples[n-1].value, ms)
		return
	}
	ev.samples = append(ev.samples, latencySample{now, ms})
	if n := len(ev.samples); n > latencyHistoryLen {
		ev.samples = append(ev.samples[:0:0], ev.samples[n-latencyHistoryLen:]...)
	}
}

func cmdLatencyLatest(ctx *Ctx) {
	names := make([]string, 0, len(ctx.S.intro.latency))
	for n := range ctx.S.intro.latency {
		names = append(names, n)
	}
	sort.Strings(names)
	ctx.W.WriteArray(len(names))
	for _, n := range names {
		ev := ctx.S.intro.latency[n]
		last := ev.samples[len(ev.samples)-1]
		ctx.W.WriteArray(4)
		ctx.W.WriteBulkString(n)
		ctx.W.WriteInt(last.time)
		ctx.W.WriteInt(last.value)
		ctx.W.WriteInt(ev.max)
	}
}

func cmdLatencyHistory(ctx *Ctx) {
	ev := ctx.S.intro.latency[string(ctx.Args[2])]
	if ev == nil {
		ctx.W.WriteArray(0)
		return
	}
	ctx.W.WriteArray(len(ev.samples))
	for _, smp := range ev.samples {
		ctx.W.WriteArray(2)
		ctx.W.WriteInt(smp.time)
		ctx.W.WriteInt(smp.value)
	}
}

func cmdLatencyReset(ctx *Ctx) {
	lat := ctx.S.intro.latency
	n := 0
	if len(ctx.Args) == 2 {
		n = len(lat)
		clear(lat)
	} else {
		for _, a := range ctx.Args[2:] {
			if _, ok := lat[string(a)]; ok {
				delete(lat, string(a))
				n++
			}
		}
	}
	ctx.W.WriteInt(int64(n))
}

func cmdLatencyGraph(ctx *Ctx) {
	event := string(ctx.Args[2])
	ev := ctx.S.intro.latency[event]
	if ev == nil {
		ctx.Errorf("ERR No samples available for event '%s'", event)
		return
	}
	// A compact rendering: one line per sample, newest last.
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, sampleMax(ev), sampleMin(ev), ev.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	now := time.Now().Unix()
	for _, smp := range ev.samples {
		fmt.Fprintf(&b, "%ds ago: %d ms\n", now-smp.time, smp.value)
	}
	ctx.W.WriteVerbatim("txt", b.String())
}

func sampleMax(ev *latencyEvent) int64 {
	m := int64(0)
	for _, s := range ev.samples {
		m = max(m, s.value)
	}
	return m
}

func sampleMin(ev *latencyEvent) int64 {
	m := int64(-1)
	for _, s := range ev.samples {
		if m < 0 || s.value < m {
			m = s.value
		}
	}
	return max(m, 0)
}

func cmdLatencyDoctor(ctx *Ctx) {
	var text string
	switch {
	case ctx.S.Config.Int("latency-monitor-threshold") == 0 && len(ctx.S.intro.latency) == 0:
		text = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	case len(ctx.S.intro.latency) == 0:
		text = "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"
	default:
		var b strings.Builder
		b.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		names := make([]string, 0, len(ctx.S.intro.latency))
		for n := range ctx.S.intro.latency {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			ev := ctx.S.intro.latency[n]
			var sum int64
			for _, s := range ev.samples {
				sum += s.value
			}
			fmt.Fprintf(&b, "%d. %s: %d latency spikes (average %dms, mean deviation 0ms, period 0 sec). Worst all time event %dms.\n",
				i+1, n, len(ev.samples), sum/int64(len(ev.samples)), ev.max)
		}
		b.WriteString("\nI have a few advices for you:\n\n- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
		text = b.String()
	}
	ctx.W.WriteVerbatim("txt", text)
}

func writeHistogram(w ReplyWriter, h *Histogram) {
	w.WriteMap(2)
	w.WriteBulkString("calls")
	w.WriteInt(h.Total())
	w.WriteBulkString("histogram_usec")
	var pairs []int64
	h.Buckets(func(usec, cum int64) { pairs = append(pairs, usec, cum) })
	w.WriteMap(len(pairs) / 2)
	for _, n := range pairs {
		w.WriteInt(n)
	}
}

func cmdLatencyHistogram(ctx *Ctx) {
	stats := ctx.S.Stats.cmds
	var cmds []*Command
	if len(ctx.Args) == 2 {
		for _, c := range ctx.S.commandStatsSorted() {
			if h := stats[c].Latency; h != nil && h.Total() > 0 {
				cmds = append(cmds, c)
			}
		}
	} else {
		has := func(c *Command) bool {
			return stats[c] != nil && stats[c].Latency != nil && stats[c].Latency.Total() > 0
		}
		for _, a := range ctx.Args[2:] {
			c := ctx.S.Table.Get(string(a))
			if c == nil {
				continue
			}
			if has(c) {
				cmds = append(cmds, c)
			}
			for _, sub := range c.sortedSubs() {
				if has(sub) {
					cmds = append(cmds, sub)
				}
			}
		}
	}
	ctx.W.WriteMap(len(cmds))
	for _, c := range cmds {
		ctx.W.WriteBulkString(c.FullName())
		writeHistogram(ctx.W, stats[c].Latency)
	}
}

var latencyHelp = []string{
	"LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"DOCTOR",
	"    Return a human readable latency analysis report.",
	"GRAPH <event>",
	"    Return an ASCII latency graph for the <event> class.",
	"HISTORY <event>",
	"    Return time-latency samples for the <event> class.",
	"LATEST",
	"    Return the latest latency samples for all events.",
	"RESET [<event> ...]",
	"    Reset latency data of one or more <event> classes.",
	"    (default: reset all data for all event classes)",
	"HISTOGRAM [COMMAND ...]",
	"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
	"    If no commands are specified then all histograms are replied.",
	"HELP",
	"    Prints this help.",
}

func writeHelp(w ReplyWriter, lines []string) {
	w.WriteArray(len(lines))
	for _, l := range lines {
		w.WriteStatus(l)
	}
}
