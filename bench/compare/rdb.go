package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Snapshots (-t rdb): with 1,000,000 keys in each server, the time SAVE
// takes, the time a restart takes to load the file (process start until
// DBSIZE answers the full count), and the client-visible pauses while
// BGSAVE runs under a GET/SET load of a few clients, against the same
// load without a save. Redis forks for BGSAVE; polyfn copies keys on
// write while it walks the keyspace (core/persist/RATIONALE.md).

func rdbBench(bin, dir string) {
	const keys = 1_000_000
	fmt.Printf("RDB snapshots of %d keys\n", keys)
	fmt.Printf("%-8s %8s %8s %10s %10s %10s %10s %10s %10s %10s\n", "server", "SAVE", "load", "bgsave", "ops/s", "p99.9", "max", "base ops/s", "base p99.9", "base max")
	for _, s := range []struct{ name, bin string }{{"redis", "redis-server"}, {"polyfn", bin}} {
		d := filepath.Join(dir, s.name+"-rdb")
		check(os.MkdirAll(d, 0o755))
		args := []string{"--dir", d, "--save", "", "--appendonly", "no"}
		srv := start(s.name, s.bin, dir, args...)
		load(srv.addr(), keys, func(i int) []string {
			return []string{"SET", "key:" + strconv.Itoa(i), "value:" + strconv.Itoa(i)}
		})
		began := time.Now()
		if r := send(srv.addr(), "SAVE"); !strings.HasPrefix(r, "+OK") {
			fail("%s SAVE: %s", s.name, r)
		}
		saveTook := time.Since(began)
		srv.stop()

		began = time.Now()
		srv = start(s.name, s.bin, dir, args...)
		for !strings.HasPrefix(send(srv.addr(), "DBSIZE"), ":"+strconv.Itoa(keys)) {
			time.Sleep(time.Millisecond)
		}
		loadTook := time.Since(began)

		base := latencyUnderLoad(srv.addr(), keys, func() bool { return false }, 2*time.Second)
		began = time.Now()
		send(srv.addr(), "BGSAVE")
		during := latencyUnderLoad(srv.addr(), keys, func() bool {
			return strings.Contains(send(srv.addr(), "INFO", "persistence"), "rdb_bgsave_in_progress:0")
		}, 5*time.Minute)
		bgTook := time.Since(began)
		fmt.Printf("%-8s %7.2fs %7.2fs %9.2fs %10.0f %10v %10v %10.0f %10v %10v\n", s.name,
			saveTook.Seconds(), loadTook.Seconds(), bgTook.Seconds(), during.ops,
			during.p999.Round(10*time.Microsecond), during.max.Round(10*time.Microsecond),
			base.ops, base.p999.Round(10*time.Microsecond), base.max.Round(10*time.Microsecond))
		srv.stop()
	}
}
