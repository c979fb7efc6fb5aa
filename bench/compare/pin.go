package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Pinning. On a small machine redis-benchmark, which is single-threaded
// and often the bottleneck, competes for CPU with the server it measures.
// redis-server is single-threaded too, so it leaves the client a core;
// polyfn's runtime would spread over every core and take time from the
// client instead. With -pin (the default on two cores or more)
// redis-benchmark runs on CPU 0 and both servers on the other CPUs, so
// each server gets the same CPU budget and the client's share does not
// depend on which server it measures.

var (
	clientCPUs string // taskset list for redis-benchmark ("" unpinned)
	serverCPUs string // taskset list for the servers
)

// setPinning chooses the CPU lists; it reports whether pinning is on.
func setPinning(on bool) bool {
	if !on || runtime.NumCPU() < 2 {
		return false
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		fmt.Fprintln(os.Stderr, "taskset not found: running unpinned")
		return false
	}
	clientCPUs = "0"
	serverCPUs = "1"
	if n := runtime.NumCPU(); n > 2 {
		serverCPUs = "1-" + strconv.Itoa(n-1)
	}
	return true
}

// command returns name args, run on cpus when it is not empty. taskset
// execs the program, so the process keeps taskset's pid.
func command(cpus, name string, args ...string) *exec.Cmd {
	if cpus == "" {
		return exec.Command(name, args...)
	}
	return exec.Command("taskset", append([]string{"-c", cpus, name}, args...)...)
}

// cpuTicks returns the process's user+system time in clock ticks.
func (s *server) cpuTicks() int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start at ") ".
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// ticksPerSecond is USER_HZ, 100 on Linux.
const ticksPerSecond = 100
