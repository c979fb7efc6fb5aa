package conformance

import (
	"sort"
	"strings"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/require"
)

// infoOmitted lists the INFO fields polyfn knowingly leaves out, by
// section. infoExtra lists the fields it adds.
var (
	infoOmitted = map[string][]string{}
	infoExtra   = map[string][]string{"Server": {"polyfn_version"}}
)

// infoFields parses INFO text into section -> ordered field names.
// Fields whose names hold per-instance data (cmdstat_get, db0...) are
// reduced to their prefix.
func infoFields(text string) (sections []string, fields map[string][]string) {
	fields = map[string][]string{}
	cur := ""
	for _, l := range strings.Split(text, "\r\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "# "):
			cur = l[2:]
			sections = append(sections, cur)
			fields[cur] = []string{}
		default:
			name, _, _ := strings.Cut(l, ":")
			fields[cur] = append(fields[cur], name)
		}
	}
	return sections, fields
}

func infoText(t *testing.T, c *Client, args ...string) string {
	v, _, err := c.Do(append([]string{"INFO"}, args...)...)
	require.NoError(t, err)
	require.Contains(t, []core.ValueKind{core.VBulk, core.VVerbatim}, v.Kind)
	return string(v.Str)
}

// TestInfoFieldsMatchRedis compares INFO's sections and the names and
// order of their fields with redis-server's, after running the same
// commands on both.
func TestInfoFieldsMatchRedis(t *testing.T) {
	r := Dial(t, StartRedis(t))
	p := Dial(t, StartPolyfn(t))
	for _, c := range []*Client{r, p} {
		for _, cmd := range [][]string{{"SET", "k", "v"}, {"GET", "k"}, {"GET", "nokey"}, {"NOSUCH"}, {"GET"}, {"SELECT", "1"}, {"SET", "x", "y"}, {"SELECT", "0"}} {
			_, _, err := c.Do(cmd...)
			require.NoError(t, err)
		}
	}
	for _, args := range [][]string{nil, {"everything"}, {"all"}, {"default"}, {"server", "CLIENTS"}, {"keyspace"}, {"commandstats"}, {"nosuch"}, {"modules"}} {
		rs, rf := infoFields(infoText(t, r, args...))
		ps, pf := infoFields(infoText(t, p, args...))
		require.Equal(t, rs, ps, "sections of INFO %v", args)
		for _, sec := range rs {
			want := filterOut(rf[sec], infoOmitted[sec])
			got := filterOut(pf[sec], infoExtra[sec])
			if sec == "Commandstats" || sec == "Latencystats" {
				sort.Strings(want) // Redis lists them in its hash table's order
				sort.Strings(got)
			}
			require.Equal(t, want, got, "fields of INFO %v section %s", args, sec)
		}
	}
	// Values that must agree exactly.
	rText, pText := infoText(t, r, "all"), infoText(t, p, "all")
	for _, f := range []string{"redis_version", "redis_mode", "arch_bits", "connected_clients", "blocked_clients",
		"maxmemory", "maxmemory_human", "maxmemory_policy", "loading", "aof_enabled", "role", "connected_slaves",
		"cluster_enabled", "db0", "db1", "errorstat_ERR", "total_error_replies", "keyspace_hits", "keyspace_misses",
		"rdb_changes_since_last_save", "hz", "configured_hz", "mem_clients_slaves"} {
		require.Equal(t, infoValue(rText, f), infoValue(pText, f), f)
	}
	for _, text := range []string{rText, pText} {
		require.Len(t, infoValue(text, "run_id"), 40)
		require.Len(t, infoValue(text, "master_replid"), 40)
		require.True(t, strings.HasPrefix(infoValue(text, "cmdstat_get"), "calls=2,usec="), infoValue(text, "cmdstat_get"))
		require.Contains(t, infoValue(text, "cmdstat_get"), ",rejected_calls=1,failed_calls=0")
		require.Regexp(t, `^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$`, infoValue(text, "latency_percentiles_usec_set"))
	}
	t.Logf("omitted fields: %v; extra fields: %v", infoOmitted, infoExtra)
}

func infoValue(text, field string) string {
	for _, l := range strings.Split(text, "\r\n") {
		if name, v, ok := strings.Cut(l, ":"); ok && name == field {
			return v
		}
	}
	return ""
}

func filterOut(names, drop []string) []string {
	out := []string{}
	for _, n := range names {
		if !contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
