package conformance

import (
	"strings"
	"testing"
	"time"
)

// TestCrossBlockedDisconnect: a client that disconnects while parked in
// BLPOP is dropped at once, as in Redis; a later push is not consumed by
// it (before, polyfn served the dead client and the element was lost).
func TestCrossBlockedDisconnect(t *testing.T) {
	for name, addr := range map[string]string{"redis": StartRedis(t), "polyfn": StartPolyfn(t)} {
		a := Dial(t, addr)
		a.Send("BLPOP", "k", "0")
		time.Sleep(50 * time.Millisecond)
		a.nc.Close()
		time.Sleep(100 * time.Millisecond)
		b := Dial(t, addr)
		v, _, err := b.Do("INFO", "clients")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(v.Str), "blocked_clients:0") {
			t.Errorf("%s: blocked client still counted:\n%s", name, v.Str)
		}
		b.Do("RPUSH", "k", "x")
		if v, _, _ := b.Do("LLEN", "k"); v.Int != 1 {
			t.Errorf("%s: LLEN = %d, want 1 (element served to a closed client)", name, v.Int)
		}
	}
}
