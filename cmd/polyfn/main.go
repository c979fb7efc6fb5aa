// Command polyfn is a Redis-compatible server with server-side functions
// in Lua, JavaScript and WebAssembly.
//
//	polyfn [/path/to/polyfn.conf] [--port 6379] [--bind 127.0.0.1] [--name value...]
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/polyfn/polyfn/core"
	"github.com/polyfn/polyfn/engines"
	"github.com/polyfn/polyfn/protocol"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "polyfn:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 1 && (args[0] == "-v" || args[0] == "--version") {
		fmt.Printf("polyfn %s (redis %s compatible)\n", core.Version, core.RedisVersion)
		return nil
	}
	if path := os.Getenv("POLYFN_CPUPROFILE"); path != "" {
		// A development aid: profile the whole run (see bench/README.md).
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cfg := core.NewConfig()
	if err := cfg.LoadArgs(args); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// Scripts allocate per call (interpreter values, replies); a GC
		// every 3x of the live heap instead of 2x was worth about 20% on a
		// SET+GET function and changed resident memory by under 1% on the
		// 1M-key test (bench/README.md).
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// Commands run one at a time under the keyspace lock, so extra
		// threads only help with network I/O: like Redis's io-threads
		// (default 1), this is how many OS threads run Go code at once.
		runtime.GOMAXPROCS(int(cfg.Int("io-threads")))
	}
	cs := core.New(cfg, core.DefaultTable())
	cs.SetEngines(engines.Registry())
	if err := cs.LoadAtStartup(); err != nil {
		// Like redis-server: a dataset that cannot be loaded whole is
		// not served at all.
		return err
	}
	srv, addrs, err := protocol.Listen(cs)
	if err != nil {
		return err
	}
	// Catch signals before announcing readiness: whoever waits for the
	// start line may signal us at once.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	fmt.Printf("polyfn %s (redis %s compatible) ready, listening on %v\n", core.Version, core.RedisVersion, addrs)
wait:
	select {
	case s := <-sig:
		cs.Log.Printf("received %v, shutting down", s)
		// Save when save points are set (or as shutdown-on-sigterm and
		// shutdown-on-sigint say), as Redis does; if that fails, keep
		// serving (the data is not on disk) unless told to force.
		if err := cs.SignalShutdown(s == syscall.SIGTERM); err != nil {
			cs.Log.Printf("Errors trying to shut down the server: %v", err)
			goto wait
		}
	case <-cs.Done():
		cs.Log.Printf("SHUTDOWN, shutting down")
	}
	// First release clients parked in blocking commands: Close waits
	// for every connection to end.
	cs.RequestShutdown()
	srv.Close()
	return nil
}
