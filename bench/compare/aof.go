package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The append-only file (-t aof): SET throughput with appendonly yes and
// appendfsync everysec on both servers, then the client-visible pauses
// while each rewrites the AOF of 1,000,000 keys (BGREWRITEAOF) under a
// GET/SET load of a few clients: the slowest request and the 99.9th
// percentile, against the same load without a rewrite.

func aofBench(bin, dir string, n, clients, rounds int) {
	mk := func(name string) string {
		d := filepath.Join(dir, name)
		check(os.MkdirAll(d, 0o755))
		return d
	}
	aofArgs := func(d string) []string {
		return []string{"--dir", d, "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--auto-aof-rewrite-percentage", "0"}
	}
	redis := start("redis", "redis-server", dir, aofArgs(mk("redis-aof"))...)
	poly := start("polyfn", bin, dir, aofArgs(mk("polyfn-aof"))...)
	fmt.Printf("appendonly yes, appendfsync everysec: redis-benchmark -n %d -c %d, median of %d rounds (ops/s)\n", n, clients, rounds)
	compareTwo(redis, poly, []string{"set"}, n, clients, rounds)
	redis.stop()
	poly.stop()

	const keys = 1_000_000
	fmt.Printf("\nBGREWRITEAOF of %d keys under a GET/SET load (4 clients, one request at a time)\n", keys)
	fmt.Printf("%-8s %10s %10s %10s %10s %10s %10s %10s\n", "server", "rewrite", "ops/s", "p99.9", "max", "base ops/s", "base p99.9", "base max")
	for _, s := range []struct{ name, bin, sub string }{{"redis", "redis-server", "redis-rw"}, {"polyfn", bin, "polyfn-rw"}} {
		srv := start(s.name, s.bin, dir, aofArgs(mk(s.sub))...)
		load(srv.addr(), keys, func(i int) []string {
			return []string{"SET", "key:" + strconv.Itoa(i), "value:" + strconv.Itoa(i)}
		})
		base := latencyUnderLoad(srv.addr(), keys, func() bool { return false }, 2*time.Second)
		began := time.Now()
		send(srv.addr(), "BGREWRITEAOF")
		during := latencyUnderLoad(srv.addr(), keys, func() bool {
			info := send(srv.addr(), "INFO", "persistence")
			return !strings.Contains(info, "aof_rewrite_in_progress:1") && !strings.Contains(info, "aof_rewrite_scheduled:1")
		}, 5*time.Minute)
		took := time.Since(began)
		fmt.Printf("%-8s %9.2fs %10.0f %10v %10v %10.0f %10v %10v\n", s.name, took.Seconds(), during.ops,
			during.p999.Round(10*time.Microsecond), during.max.Round(10*time.Microsecond),
			base.ops, base.p999.Round(10*time.Microsecond), base.max.Round(10*time.Microsecond))
		srv.stop()
	}
}

type latencies struct {
	ops       float64
	p999, max time.Duration
}

// latencyUnderLoad runs 4 clients doing GET and SET of random keys, one
// request at a time, until done reports true (checked every 100 ms) or
// limit passes, and returns the latency distribution.
func latencyUnderLoad(addr string, keys int, done func() bool, limit time.Duration) latencies {
	var stop atomic.Bool
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			check(err)
			defer c.Close()
			br := bufio.NewReader(c)
			var mine []time.Duration
			for i := w; !stop.Load(); i++ {
				k := "key:" + strconv.Itoa((i*7919)%keys)
				var req string
				if i%2 == 0 {
					req = fmt.Sprintf("*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n", len(k), k)
				} else {
					req = fmt.Sprintf("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nx\r\n", len(k), k)
				}
				t0 := time.Now()
				_, err := c.Write([]byte(req))
				check(err)
				line, err := br.ReadString('\n')
				check(err)
				if line[0] == '$' && line[1] != '-' {
					_, err = br.ReadString('\n')
					check(err)
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}(w)
	}
	for time.Since(start) < limit {
		time.Sleep(100 * time.Millisecond)
		if done() {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	el := time.Since(start)
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	if len(all) == 0 {
		return latencies{}
	}
	return latencies{ops: float64(len(all)) / el.Seconds(), p999: all[len(all)*999/1000], max: all[len(all)-1]}
}

// send runs one command on a new connection and returns the raw reply
// (a bulk reply's payload for INFO).
func send(addr string, args ...string) string {
	c, err := net.Dial("tcp", addr)
	check(err)
	defer c.Close()
	fmt.Fprintf(c, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c, "$%d\r\n%s\r\n", len(a), a)
	}
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	check(err)
	if line[0] != '$' {
		return line
	}
	size, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
	buf := make([]byte, size+2)
	_, err = io.ReadFull(br, buf)
	check(err)
	return string(buf)
}
