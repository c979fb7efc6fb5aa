package js_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/polyfn/polyfn/conformance"
)

// Many clients call one library while another replaces it and runs EVAL
// scripts: every reply is right (run it under -race).
func TestHammerCallsAndLoads(t *testing.T) {
	addr := conformance.StartPolyfn(t)
	lib := func(v int) string {
		return fmt.Sprintf("#!js name=ham\nredis.registerFunction('inc', (keys) => redis.call('INCR', keys[0]) > 0 ? %d : -1)", v)
	}
	load(t, conformance.Dial(t, addr), lib(1))
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := conformance.Dial(t, addr)
			for i := 0; i < 200; i++ {
				_, raw, err := c.Do("FCALL", "inc", "1", fmt.Sprintf("k%d", w))
				if err != nil || (string(raw) != ":1\r\n" && string(raw) != ":2\r\n") {
					errs <- fmt.Sprintf("FCALL: %q %v", raw, err)
					return
				}
				_, raw, err = c.Do("EVAL", "#!js\nreturn ARGV[0]", "0", "x")
				if err != nil || string(raw) != "$1\r\nx\r\n" {
					errs <- fmt.Sprintf("EVAL: %q %v", raw, err)
					return
				}
			}
		}(w)
	}
	c := conformance.Dial(t, addr)
	for i := 0; i < 20; i++ {
		if got := do(t, c, "FUNCTION", "LOAD", "REPLACE", lib(1+i%2)); got != "$3\r\nham\r\n" {
			t.Errorf("LOAD REPLACE: %q", got)
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
