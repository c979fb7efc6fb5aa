package conformance

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/core"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPubSubConcurrent runs many publishers and subscribers through the
// real server (run it with -race): every subscriber must see its
// confirmations before any message, each publisher's messages in order,
// and the PUBLISH counts must add up to what the subscribers received.
// Subscribers join while publishing is under way, some by pattern, some
// in RESP3, and some run commands between messages, so deliveries from
// other connections interleave with the subscriber's own replies.
func TestPubSubConcurrent(t *testing.T) {
	addr := StartPolyfn(t)
	const (
		publishers  = 4
		subscribers = 12
		messages    = 300
	)
	pubConns := make([]*Client, publishers)
	for i := range pubConns {
		pubConns[i] = Dial(t, addr)
	}
	subConns := make([]*Client, subscribers)
	for i := range subConns {
		subConns[i] = Dial(t, addr)
	}
	ctl := Dial(t, addr)

	var (
		wg        sync.WaitGroup
		delivered [publishers]int64 // sum of PUBLISH replies per publisher
		received  [subscribers]int64
		started   = make(chan struct{})
		early     sync.WaitGroup // the first half, subscribed before publishing
		subsReady sync.WaitGroup // all subscribers
	)
	early.Add(subscribers / 2)
	subsReady.Add(subscribers)

	for i := 0; i < publishers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := pubConns[i]
			<-started
			for seq := 0; seq < messages; seq++ {
				v, _, err := c.Do("PUBLISH", "chan", fmt.Sprintf("%d:%d", i, seq))
				if err != nil || v.Kind != core.VInt {
					t.Errorf("publisher %d: %v %v", i, v, err)
					return
				}
				delivered[i] += v.Int
			}
		}(i)
	}

	subWG := sync.WaitGroup{}
	for j := 0; j < subscribers; j++ {
		subWG.Add(1)
		go func(j int) {
			defer subWG.Done()
			c := subConns[j]
			resp3 := j%3 == 1
			byPattern := j%2 == 1
			chatty := j%4 == 0
			if resp3 {
				if _, _, err := c.Do("HELLO", "3"); err != nil {
					t.Errorf("sub %d: HELLO: %v", j, err)
					return
				}
			}
			if j >= subscribers/2 {
				<-started // the second half joins while messages flow
			}
			verb, target := "subscribe", "chan"
			if byPattern {
				verb, target = "psubscribe", "ch*"
			}
			c.Send(strings.ToUpper(verb), target, "end")
			for k, want := range []string{target, "end"} {
				v, raw, err := c.Read()
				if err != nil {
					t.Errorf("sub %d: %v", j, err)
					return
				}
				// The confirmations come first, before any message.
				if !isPush(v, resp3) || len(v.Elems) != 3 || string(v.Elems[0].Str) != verb ||
					string(v.Elems[1].Str) != want || v.Elems[2].Int != int64(k+1) {
					t.Errorf("sub %d: confirmation %d: %q", j, k, raw)
				}
			}
			subsReady.Done()
			if j < subscribers/2 {
				early.Done()
			}
			last := [publishers]int{-1, -1, -1, -1}
			pings, pongs := 0, 0
			for {
				if chatty && pings < 50 {
					c.Send("PING", "p"+strconv.Itoa(pings))
					pings++
				}
				v, raw, err := c.Read()
				if err != nil {
					t.Errorf("sub %d: %v", j, err)
					return
				}
				if !isPush(v, resp3) {
					// a PING reply: a plain bulk in RESP3, ["pong", x] in RESP2
					want := "p" + strconv.Itoa(pongs)
					if resp3 && v.Kind == core.VBulk && string(v.Str) == want ||
						!resp3 && v.Kind == core.VArray && len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" &&
							string(v.Elems[1].Str) == want {
						pongs++
						continue
					}
					t.Errorf("sub %d: unexpected reply %q", j, raw)
					return
				}
				var ch, payload string
				switch {
				case !byPattern && len(v.Elems) == 3 && string(v.Elems[0].Str) == "message":
					ch, payload = string(v.Elems[1].Str), string(v.Elems[2].Str)
				case byPattern && len(v.Elems) == 4 && string(v.Elems[0].Str) == "pmessage" &&
					string(v.Elems[1].Str) == map[bool]string{true: "end", false: "ch*"}[string(v.Elems[2].Str) == "end"]:
					ch, payload = string(v.Elems[2].Str), string(v.Elems[3].Str)
				default:
					t.Errorf("sub %d: bad message %q", j, raw)
					return
				}
				if ch == "end" {
					break
				}
				p, s, _ := strings.Cut(payload, ":")
				pi, _ := strconv.Atoi(p)
				si, _ := strconv.Atoi(s)
				if ch != "chan" || pi < 0 || pi >= publishers || si <= last[pi] {
					t.Errorf("sub %d: out of order or bad message %q after %d", j, raw, last[pi])
					return
				}
				if j < subscribers/2 && si != last[pi]+1 {
					t.Errorf("sub %d: missed messages of publisher %d: %d after %d", j, pi, si, last[pi])
					return
				}
				last[pi] = si
				received[j]++
			}
			// Read what is left of the PING replies.
			for ; pongs < pings; pongs++ {
				if _, _, err := c.Read(); err != nil {
					t.Errorf("sub %d: %v", j, err)
					return
				}
			}
		}(j)
	}

	// Half the subscribers are in before the first message; the others
	// join while messages flow. "end" reaches every subscriber once (a
	// channel, or a pattern matching only itself) after publishing.
	early.Wait()
	close(started)
	wg.Wait()
	subsReady.Wait()
	v, _, err := ctl.Do("PUBLISH", "end", "bye")
	require.NoError(t, err)
	assert.Equal(t, int64(subscribers), v.Int)
	subWG.Wait()

	var sent, got int64
	for _, n := range delivered {
		sent += n
	}
	for j, n := range received {
		got += n
		if j < subscribers/2 {
			assert.Equal(t, int64(publishers*messages), n, "early subscriber %d", j)
		}
	}
	assert.Equal(t, sent, got, "PUBLISH counts against messages received")
}

// isPush tells a message or confirmation from a command's reply: a push
// in RESP3, an array whose first element names a pub/sub event in RESP2.
func isPush(v core.Value, resp3 bool) bool {
	if resp3 {
		return v.Kind == core.VPush
	}
	if v.Kind != core.VArray || len(v.Elems) < 3 {
		return false
	}
	kind := string(v.Elems[0].Str)
	return strings.HasSuffix(kind, "message") || strings.HasSuffix(kind, "subscribe")
}
