package conformance

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// After the same mixed workload (hits, misses, errors of several kinds,
// rejected commands, expiring keys, several databases), INFO's counters
// must agree with redis-server's: keyspace, commandstats (calls, rejected
// and failed calls; not times) and errorstats.
func TestInfoCountersMatchRedis(t *testing.T) {
	workload := [][]string{
		{"SET", "a", "1"}, {"SET", "b", "x"}, {"GET", "a"}, {"GET", "nokey"},
		{"INCR", "b"}, {"INCR", "a"}, {"LPUSH", "a", "x"}, {"HSET", "h", "f", "v"},
		{"SADD", "s", "1", "2"}, {"ZADD", "z", "1", "m"}, {"ZADD", "z", "x", "m"},
		{"GET"}, {"NOSUCH", "x"}, {"CONFIG", "NOSUCH"}, {"EXPIRE", "a", "100"},
		{"SELECT", "2"}, {"SET", "c", "1", "PX", "100000"}, {"SELECT", "0"},
		{"MULTI"}, {"SET", "a", "2"}, {"GET"}, {"EXEC"},
		{"MULTI"}, {"INCR", "b"}, {"EXEC"},
		{"EXISTS", "a", "b", "nokey"}, {"DEL", "s"},
	}
	r := Dial(t, StartRedis(t))
	p := Dial(t, StartPolyfn(t))
	for _, c := range []*Client{r, p} {
		_, _, err := c.Do("CONFIG", "RESETSTAT")
		require.NoError(t, err)
		for _, cmd := range workload {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
		}
	}
	usec := regexp.MustCompile(`usec(_per_call)?=[0-9.]+,`)
	for _, section := range []string{"keyspace", "commandstats", "errorstats"} {
		want := strings.Split(usec.ReplaceAllString(infoText(t, r, section), ""), "\r\n")
		got := strings.Split(usec.ReplaceAllString(infoText(t, p, section), ""), "\r\n")
		if section == "keyspace" {
			// avg_ttl is an estimate Redis samples; polyfn reports 0.
			avg := regexp.MustCompile(`,avg_ttl=\d+`)
			for i := range want {
				want[i] = avg.ReplaceAllString(want[i], "")
			}
			for i := range got {
				got[i] = avg.ReplaceAllString(got[i], "")
			}
		}
		require.Greater(t, len(want), 2, "%s: the workload shows up", section)
		// Redis lists commands in hash-table order; polyfn by name.
		require.ElementsMatch(t, want, got, section)
	}
}

// Commands shorter than a microsecond still add up in commandstats, as in
// Redis (which takes the difference of two microsecond clock readings):
// two thousand GETs of a missing key, at well over 50 ns each, must show
// at least 100 microseconds in all, and usec_per_call must agree with
// usec/calls.
func TestCommandStatsCountShortCalls(t *testing.T) {
	p := Dial(t, StartPolyfn(t))
	_, _, err := p.Do("CONFIG", "RESETSTAT")
	require.NoError(t, err)
	const calls = 2000
	for i := 0; i < calls; i++ {
		_, _, err := p.Do("GET", "nokey")
		require.NoError(t, err)
	}
	m := regexp.MustCompile(`^calls=(\d+),usec=(\d+),usec_per_call=([0-9.]+),`).FindStringSubmatch(infoValue(infoText(t, p, "commandstats"), "cmdstat_get"))
	require.NotNil(t, m)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	usec, err := strconv.Atoi(m[2])
	require.NoError(t, err)
	per, err := strconv.ParseFloat(m[3], 64)
	require.NoError(t, err)
	require.Equal(t, calls, n)
	require.GreaterOrEqual(t, usec, calls/20, "usec of %d GETs", calls)
	require.InDelta(t, float64(usec)/float64(n), per, 0.01)
}
