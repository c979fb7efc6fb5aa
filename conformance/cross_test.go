package conformance

import (
	"strings"
	"testing"
	"time"
)

// TestCrossBlockedDisconnect: a client that disconnects while parked in
// BLPOP is dropped at once, as in Redis; a later push is not consumed by
// it (before, polyfn served the dead client and the element was lost).
// The same holds when the client sent more requests while blocked before
// closing (polyfn's close watch used to end at the first pending byte).
func TestCrossBlockedDisconnect(t *testing.T) {
	servers := map[string]string{"redis": StartRedis(t), "polyfn": StartPolyfn(t)}
	for _, extra := range []string{"", "PING\r\n", "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"} {
		for name, addr := range servers {
			a := Dial(t, addr)
			a.Send("BLPOP", "k", "0")
			time.Sleep(50 * time.Millisecond)
			if extra != "" {
				a.SendRaw([]byte(extra))
				time.Sleep(50 * time.Millisecond)
			}
			a.nc.Close()
			time.Sleep(100 * time.Millisecond)
			b := Dial(t, addr)
			v, _, err := b.Do("INFO", "clients")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(v.Str), "blocked_clients:0") {
				t.Errorf("%s, then %q: blocked client still counted:\n%s", name, extra, v.Str)
			}
			b.Do("RPUSH", "k", "x")
			if v, _, _ := b.Do("LLEN", "k"); v.Int != 1 {
				t.Errorf("%s, then %q: LLEN = %d, want 1 (element served to a closed client)", name, extra, v.Int)
			}
			b.Do("DEL", "k")
		}
	}
}

// TestCrossBlockedPipeline: requests a client sends while it is blocked
// are answered after the blocking command's reply, in order.
func TestCrossBlockedPipeline(t *testing.T) {
	for name, addr := range map[string]string{"redis": StartRedis(t), "polyfn": StartPolyfn(t)} {
		a := Dial(t, addr)
		a.Send("BLPOP", "k", "0")
		time.Sleep(50 * time.Millisecond)
		a.Send("ECHO", "one")
		a.Send("ECHO", "two")
		time.Sleep(50 * time.Millisecond)
		b := Dial(t, addr)
		b.Do("RPUSH", "k", "x")
		var got []string
		for i := 0; i < 3; i++ {
			_, raw, err := a.Read()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got = append(got, string(raw))
		}
		want := []string{"*2\r\n$1\r\nk\r\n$1\r\nx\r\n", "$3\r\none\r\n", "$3\r\ntwo\r\n"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: replies %q, want %q", name, got, want)
		}
	}
}
