package rdb

// Differential tests against a real redis-server 7.0: the bytes polyfn
// writes must be the bytes Redis writes, and Redis must accept them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// startRedis starts redis-server on a free loopback port without
// persistence and returns a client; the server is killed by pid when the
// test ends. Without redis-server the test is skipped, or fails when
// POLYFN_REQUIRE_REDIS=1.
func startRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("POLYFN_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server is required (POLYFN_REQUIRE_REDIS=1) but not installed")
		}
		t.Skip("redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--logfile", filepath.Join(dir, "redis.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Protocol: 2})
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server did not start:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// If our server could not bind, another one may own the port: never
	// send test commands to a server we did not start.
	info, err := c.Info(ctx, "server").Result()
	require.NoError(t, err)
	require.Contains(t, info, "process_id:"+strconv.Itoa(cmd.Process.Pid)+"\r\n", "the server on the port is not ours")
	return c
}

// testLibraries are Lua libraries of every kind FUNCTION DUMP meets.
func testLibraries() []string {
	libs := []string{
		"#!lua name=tiny\nredis.register_function('t', function() return 1 end)",
		"#!lua name=rep\n" + strings.Repeat("redis.register_function('r' .. 1, function() return 1 end)\n", 1) +
			strings.Repeat("-- the same comment line, again and again\n", 30),
		"#!lua name=utf8 \nlocal s = 'héllo wörld ✓ \xff\x01\x7f'\nredis.register_function('u', function() return s end)",
		"#!lua name=nul\nlocal s = 'a\x00b'\nredis.register_function('n', function() return s end)",
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "#!lua name=lib%d\n", i)
		for j := range 1 + i%7 {
			fmt.Fprintf(&sb, "redis.register_function('f%d_%d', function(keys, args) return %d end)\n", i, j, r.IntN(1<<20))
		}
		if i%5 == 0 {
			fmt.Fprintf(&sb, "-- %x\n", r.Uint64())
		}
		libs = append(libs, sb.String())
	}
	return libs
}

func TestRedisFunctionDump(t *testing.T) {
	c := startRedis(t)
	ctx := context.Background()
	libs := testLibraries()
	for _, l := range libs {
		require.NoError(t, c.FunctionLoad(ctx, l).Err(), l)
	}
	for _, compress := range []string{"yes", "no"} {
		require.NoError(t, c.ConfigSet(ctx, "rdbcompression", compress).Err())
		dump, err := c.FunctionDump(ctx).Result()
		require.NoError(t, err)

		// Redis dumps in its library dict's (seeded) order: take that
		// order from its payload, and the bytes must then be identical.
		codes, err := LoadFunctions([]byte(dump))
		require.NoError(t, err)
		got := make([]string, len(codes))
		for i, cd := range codes {
			got[i] = string(cd)
		}
		require.ElementsMatch(t, libs, got)
		require.Equal(t, []byte(dump), DumpFunctions(codes, compress == "yes"), "rdbcompression %s", compress)

		// Single libraries too, each alone in a fresh payload.
		for _, l := range libs[:6] {
			require.NoError(t, c.FunctionFlush(ctx).Err())
			require.NoError(t, c.FunctionLoad(ctx, l).Err())
			one, err := c.FunctionDump(ctx).Result()
			require.NoError(t, err)
			require.Equal(t, []byte(one), DumpFunctions([][]byte{[]byte(l)}, compress == "yes"), l)
			if l == libs[1] {
				// The repetitive library is stored LZF-compressed or raw.
				require.Equal(t, compress == "yes", one[1] == 0xc3)
			}
		}

		// Redis restores our payload, in an order of our choosing.
		sorted := slices.Clone(libs)
		slices.Sort(sorted)
		ours := make([][]byte, len(sorted))
		for i, l := range sorted {
			ours[i] = []byte(l)
		}
		require.NoError(t, c.FunctionFlush(ctx).Err())
		require.NoError(t, c.FunctionRestore(ctx, string(DumpFunctions(ours, compress == "yes"))).Err())
		list, err := c.FunctionList(ctx, redis.FunctionListQuery{WithCode: true}).Result()
		require.NoError(t, err)
		var restored []string
		for _, l := range list {
			restored = append(restored, l.Code)
		}
		require.ElementsMatch(t, libs, restored)
	}
}

// stringValues are values whose DUMP exercises every string encoding and
// many LZF paths.
func stringValues() [][]byte {
	var vals [][]byte
	for _, s := range []string{"", "a", "123", "-5", "0", "-0", "+1", "007", "127", "128", "-128", "-129",
		"32767", "32768", "-32768", "-32769", "2147483647", "2147483648", "-2147483648", "-2147483649",
		"12345678901", "-1234567890", "99999999999", "9223372036854775807", "1e5", " 1", "1 ",
		strings.Repeat("a", 20), strings.Repeat("a", 21), strings.Repeat("ab", 11), strings.Repeat("abc", 8),
		"abcdefghijklmnopqrstuvwxyz", "héllo wörld ✓ héllo wörld ✓ héllo wörld ✓"} {
		vals = append(vals, []byte(s))
	}
	vals = append(vals, lzfInputs()...)
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 600 {
		// Lengths around the 20-byte threshold, the 4-byte saving rule and
		// the 264-byte and 8 KiB limits; alphabets from 1 to 256 symbols.
		var n int
		switch i % 4 {
		case 0:
			n = 15 + r.IntN(30)
		case 1:
			n = 20 + r.IntN(300)
		case 2:
			n = 200 + r.IntN(2000)
		default:
			n = 8000 + r.IntN(9000)
		}
		alpha := 1 + r.IntN(256)
		if i%3 == 0 {
			alpha = 1 + r.IntN(4)
		}
		p := make([]byte, 0, n)
		for len(p) < n {
			if len(p) > 3 && r.IntN(4) == 0 {
				// copy an earlier run, near or far
				start := r.IntN(len(p))
				l := min(1+r.IntN(300), len(p)-start, n-len(p))
				p = append(p, p[start:start+l]...)
				continue
			}
			p = append(p, byte(r.IntN(alpha)))
		}
		vals = append(vals, p)
	}
	return vals
}

func TestRedisStringDump(t *testing.T) {
	c := startRedis(t)
	ctx := context.Background()
	vals := stringValues()
	for _, compress := range []string{"yes", "no"} {
		require.NoError(t, c.ConfigSet(ctx, "rdbcompression", compress).Err())
		for start := 0; start < len(vals); start += 100 {
			batch := vals[start:min(start+100, len(vals))]
			pipe := c.Pipeline()
			dumps := make([]*redis.StringCmd, len(batch))
			for i, v := range batch {
				key := "k" + strconv.Itoa(i)
				pipe.Set(ctx, key, v, 0)
				dumps[i] = pipe.Dump(ctx, key)
			}
			_, err := pipe.Exec(ctx)
			require.NoError(t, err)
			for i, v := range batch {
				want := []byte(dumps[i].Val())
				got := AppendFooter(AppendString([]byte{0}, v, compress == "yes"))
				if !bytes.Equal(want, got) {
					t.Fatalf("rdbcompression %s, value %d (len %d): redis %x\nours %x", compress, start+i, len(v), want, got)
				}
				r := NewReader(want[1 : len(want)-10])
				back, err := r.ReadString()
				require.NoError(t, err)
				require.Equal(t, v, back)
				require.Equal(t, 0, r.Remaining())
			}
		}
	}
	// Redis loads what we write.
	v := []byte(strings.Repeat("polyfn ", 100))
	payload := AppendFooter(AppendString([]byte{0}, v, true))
	require.NoError(t, c.Restore(ctx, "restored", 0, string(payload)).Err())
	got, err := c.Get(ctx, "restored").Bytes()
	require.NoError(t, err)
	require.Equal(t, v, got)
}

// Malformed payloads: where our decoder reports an error Redis replies the
// same text; where it accepts, Redis fails later (compiling) or succeeds,
// never with a decoding error.
func TestRedisFunctionRestoreErrors(t *testing.T) {
	c := startRedis(t)
	ctx := context.Background()
	lib := str(libF1)
	payloads := [][]byte{
		nil, []byte("x"), []byte("0123456789"), make([]byte, 10),
		body(0), body(1), body(247), body(255), body(OpFunction2), body(OpFunction2, 0x40),
		body(OpFunction2, 0x82), body(OpFunction2, 0xc4), body(OpFunction2, 5, 'a', 'b'),
		body(OpFunction2, 0xc3, 0x05, 0x0a, 0x1f, 'a', 'b', 'c', 'd'), body(OpFunction2, 0xc3, 0x00, 0x0a),
		body(OpFunction2, 0xc3, 0x02, 0x00, 0x00, 'a'),
		body(cat([]byte{OpFunction2}, lib, []byte{0})...),
		body(cat([]byte{OpFunction2}, lib, []byte{OpFunction2}, lib)...),
		body(OpFunctionPreGA), body(cat([]byte{OpFunctionPreGA}, str("x"))...),
		body(cat([]byte{OpFunctionPreGA}, str("x"), str("LUA"), []byte{0x82})...),
		body(cat([]byte{OpFunctionPreGA}, str("x"), str("LUA"), []byte{3})...),
		cat([]byte{OpFunction2}, lib, []byte{11, 0}, make([]byte, 8)),
	}
	good := DumpFunctions([][]byte{[]byte(libF1)}, true)
	for i := range good {
		payloads = append(payloads, good[:i])
	}
	r := rand.New(rand.NewPCG(5, 6))
	frags := [][]byte{{OpFunction2}, {OpFunctionPreGA}, {0}, {0xc0}, {0xc1}, {0xc2}, {0xc3}, {0x40}, {0x80},
		{0x81}, {0x82}, {0xff}, str("LUA"), str("ab"), lib, AppendString(nil, []byte(strings.Repeat("x", 40)), true)}
	for range 400 {
		var b []byte
		for range 1 + r.IntN(6) {
			if r.IntN(3) == 0 {
				b = append(b, byte(r.Uint32()))
			} else {
				b = append(b, frags[r.IntN(len(frags))]...)
			}
		}
		payloads = append(payloads, body(b...))
	}
	decodeErrs := []Error{ErrPayloadVersionOrChecksum, ErrReadType, ErrNotAFunction, ErrLibraryPayload,
		ErrLibraryName, ErrEngineName, ErrDescriptionIndicator, ErrDescription, ErrLibraryBlob}
	// Redis compiles each library as soon as it is decoded, so a library
	// that does not compile hides a decoding error after it. The only
	// library here that compiles is libF1, once.
	errCompile := errors.New("compile")
	for _, p := range payloads {
		require.NoError(t, c.FunctionFlush(ctx).Err())
		reply := c.FunctionRestore(ctx, string(p)).Err()
		seen := false
		ours := WalkFunctions(p, false, func(code []byte) error {
			if string(code) != libF1 || seen {
				return errCompile
			}
			seen = true
			return nil
		})
		switch {
		case ours == nil:
			require.NoError(t, reply, "%x", p)
		case ours == errCompile:
			require.Error(t, reply, "%x", p)
			require.NotContains(t, decodeErrs, Error(reply.Error()), "%x", p)
		default:
			require.Error(t, reply, "%x", p)
			require.Equal(t, ours.Error(), reply.Error(), "%x", p)
		}
	}
}
