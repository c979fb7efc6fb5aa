package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHistogramMatchesRedisBuckets(t *testing.T) {
	// Values observed from redis-server 7.0: a 4.0xx µs call reports
	// p50=4.015, a 17.0xx µs call p50=17.023 (highest equivalent value).
	var h Histogram
	h.Record(4003)
	require.Equal(t, int64(4015), h.ValueAtPercentile(50))
	h = Histogram{}
	h.Record(16950)
	require.Equal(t, int64(17023), h.ValueAtPercentile(99.9))
	// Clamping and percentiles over several values.
	h = Histogram{}
	for i := int64(1); i <= 100; i++ {
		h.Record(i * 1000)
	}
	h.Record(0)
	h.Record(5e9)
	require.Equal(t, int64(102), h.Total())
	require.Equal(t, int64(50175), h.ValueAtPercentile(50))
	require.Equal(t, int64(1_000_000_000)>>22<<22+1<<22-1, h.ValueAtPercentile(100))
	require.Equal(t, int64(1), h.ValueAtPercentile(0)) // lowest equivalent of the clamped 0
}

func TestHistogramBucketsLikeLatencyHistogram(t *testing.T) {
	// LATENCY HISTOGRAM of redis-server 7.0 for one call of ~4 µs is
	// {4: 1}; for calls of 15 µs, 30 µs, 100 µs, 250 µs it is
	// {16: 1, 33: 2, 132: 3, 264: 4}.
	collect := func(h *Histogram) []int64 {
		var out []int64
		h.Buckets(func(us, n int64) { out = append(out, us, n) })
		return out
	}
	var h Histogram
	h.Record(4003)
	require.Equal(t, []int64{4, 1}, collect(&h))
	h = Histogram{}
	for _, ns := range []int64{15000, 30000, 100000, 250000} {
		h.Record(ns)
	}
	require.Equal(t, []int64{16, 1, 33, 2, 132, 3, 264, 4}, collect(&h))
	h = Histogram{}
	require.Empty(t, collect(&h))
	h.Record(5e9)
	require.Equal(t, []int64{1_082_130, 1}, collect(&h)) // clamped to 1 s, reported at level 2^30 ns
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[uint64]string{
		0: "0B", 1023: "1023B", 1024: "1.00K", 965832: "943.20K", 12513280: "11.93M",
		25276510208: "23.54G", 1 << 40: "1.00T", 1 << 50: "1.00P", 1 << 60: "1152921504606846976B",
	} {
		require.Equal(t, want, BytesToHuman(n), n)
	}
}

func TestPercentilesParam(t *testing.T) {
	v, err := percentilesParam("50 99 99.9")
	require.NoError(t, err)
	require.Equal(t, "50 99 99.9", v)
	v, err = percentilesParam("50.000 0 100")
	require.NoError(t, err)
	require.Equal(t, "50 0 100", v)
	_, err = percentilesParam("101")
	require.Error(t, err)
	_, err = percentilesParam("abc")
	require.Error(t, err)
}

func TestInfoSectionsSelection(t *testing.T) {
	s := New(NewConfig(), DefaultTable())
	defer s.RequestShutdown()
	titles := func(args ...string) []string {
		var out []string
		for _, l := range splitLines(s.Info(args)) {
			if len(l) > 2 && l[0] == '#' {
				out = append(out, l[2:])
			}
		}
		return out
	}
	def := []string{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"}
	require.Equal(t, def, titles())
	require.Equal(t, def, titles("default"))
	require.Equal(t, def, titles("DEFAULT", "nosuch"))
	all := []string{"Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"}
	require.Equal(t, all, titles("all"))
	require.Equal(t, all, titles("everything"))
	require.Equal(t, []string{"Clients", "Keyspace"}, titles("keyspace", "clients", "keyspace"))
	require.Equal(t, "", s.Info([]string{"nosuch"}))
	require.Equal(t, "# Modules\r\n", s.Info([]string{"modules"}))
	require.Equal(t, "# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n", s.Info([]string{"keyspace", "cluster"}))
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\r' {
			i++
		}
		out = append(out, s[:i])
		if i+2 > len(s) {
			break
		}
		s = s[i+2:]
	}
	return out
}

func TestLatencyMonitorSamples(t *testing.T) {
	s := New(NewConfig(), DefaultTable())
	defer s.RequestShutdown()
	s.LatencyAddSample("command", 5)
	s.LatencyAddSample("command", 3) // same second: the highest is kept
	s.LatencyAddSample("fast-command", 2)
	ev := s.intro.latency["command"]
	require.Len(t, ev.samples, 1)
	require.Equal(t, int64(5), ev.samples[0].value)
	require.Equal(t, int64(5), ev.max)
	for i := 0; i < 200; i++ {
		ev.samples = append(ev.samples, latencySample{time: int64(i), value: 1})
	}
	s.LatencyAddSample("command", 7)
	require.Len(t, ev.samples, latencyHistoryLen)
	require.Equal(t, int64(7), ev.samples[len(ev.samples)-1].value)
}

func TestKeyFlagNames(t *testing.T) {
	require.Equal(t, []string{"RW", "access", "update"}, KeyFlagNames(KeyRW|KeyAccess|KeyUpdate))
	require.Empty(t, KeyFlagNames(0))
	specs := ParseKeySpecs(DefaultTable().Get("set").KeySpecs())
	require.Len(t, specs, 1)
	require.Equal(t, KeySpec{Flags: KeyRW | KeyAccess | KeyUpdate | KeyVariableFlags, BeginSearch: "index", Index: 1, FindKeys: "range", KeyStep: 1}, specs[0])
}
