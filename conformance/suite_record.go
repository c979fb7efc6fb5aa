package conformance

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// Recording: with POLYFN_SUITE_RECORD=1, running the Lua suite fills in
// the expectations a case file lacks with redis-server's replies (a
// resp3=> line too when RESP3 differs), so that new cases are written as
// commands only and their expected replies are Redis's. Review the diff.

func recording() bool { return os.Getenv("POLYFN_SUITE_RECORD") == "1" }

func (sf *suiteFile) record(st *suiteStep, mode string, raw []byte) {
	if sf.recorded == nil {
		sf.recorded = map[int]map[string][]byte{}
	}
	if sf.recorded[st.line] == nil {
		sf.recorded[st.line] = map[string][]byte{}
	}
	sf.recorded[st.line][mode] = raw
}

func (sf *suiteFile) writeRecorded(t *testing.T) {
	if len(sf.recorded) == 0 {
		return
	}
	data, err := os.ReadFile(sf.path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var at []int
	for n := range sf.recorded {
		at = append(at, n)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(at)))
	for _, n := range at {
		r := sf.recorded[n]
		add := []string{"=> " + quoteReply(r["resp2"])}
		if r3, ok := r["resp3"]; ok && string(r3) != string(r["resp2"]) {
			add = append(add, "resp3=> "+quoteReply(r3))
		}
		lines = append(lines[:n], append(add, lines[n:]...)...)
	}
	if err := os.WriteFile(sf.path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d expectations into %s", len(at), sf.path)
}
