package lualib

// Shared differential-test oracle for the lualib package.
//
// TestMain starts a private redis-server (the oracle) on a free port and
// stops it by pid when the tests end. Tests run Lua snippets both in Redis,
// via runRedisEval, and in gopher-lua, via runGopherLua, and compare the
// normalised results. When redis-server is not installed, oracle tests are
// skipped, unless POLYFN_REQUIRE_REDIS=1, which makes them fail instead.
//
// This file is shared verbatim between branches; only one file in the
// package may define TestMain.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	lua "github.com/yuin/gopher-lua"
)

var (
	oracleClient *redis.Client // nil when no oracle is running
	oracleReason string        // why there is no oracle
)

func TestMain(m *testing.M) {
	stop := oracleStart()
	code := m.Run()
	stop()
	os.Exit(code)
}

// oracleStart launches redis-server on a free port and returns a function
// that stops it. On failure it records the reason in oracleReason.
func oracleStart() func() {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		oracleReason = "redis-server not installed"
		return func() {}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		oracleReason = "no free port: " + err.Error()
		return func() {}
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		oracleReason = "cannot start redis-server: " + err.Error()
		return func() {}
	}
	stop := func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
	}
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := client.Ping(context.Background()).Err(); err == nil {
			break
		}
		if time.Now().After(deadline) {
			oracleReason = "redis-server did not answer PING"
			client.Close()
			stop()
			return func() {}
		}
		time.Sleep(50 * time.Millisecond)
	}
	oracleClient = client
	return func() {
		client.Close()
		stop()
	}
}

// requireOracle skips (or fails, with POLYFN_REQUIRE_REDIS=1) when there is
// no oracle redis-server.
func requireOracle(t *testing.T) {
	t.Helper()
	if oracleClient != nil {
		return
	}
	if os.Getenv("POLYFN_REQUIRE_REDIS") == "1" {
		t.Fatalf("oracle redis-server required: %s", oracleReason)
	}
	t.Skipf("no oracle redis-server: %s", oracleReason)
}

var oracleRedisErrTail = regexp.MustCompile(` script: [0-9a-f]{40}, on @user_script:\d+\.$`)

// runRedisEval runs `EVAL script 0` on the oracle and returns the reply as a
// string: bulk and status replies as is, integers with strconv, a nil reply
// as "nil", arrays as "[a b ...]" of the same formatting. An error reply is
// returned as an error whose text has Redis's decoration removed: a leading
// "ERR ", a leading "user_script:N: " and the trailing
// " script: <sha>, on @user_script:N.".
func runRedisEval(t *testing.T, script string) (string, error) {
	t.Helper()
	requireOracle(t)
	v, err := oracleClient.Eval(context.Background(), script, nil).Result()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return "nil", nil
		}
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "ERR ")
		msg = oracleRedisErrTail.ReplaceAllString(msg, "")
		msg = oraclePosPrefix.ReplaceAllString(msg, "")
		return "", errors.New(msg)
	}
	return oracleFormatReply(v), nil
}

func oracleFormatReply(v interface{}) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case []interface{}:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = oracleFormatReply(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case error:
		return "error:" + x.Error()
	default:
		return fmt.Sprint(x)
	}
}

// oraclePosPrefix matches the position prefix of a Lua error message, as
// added by Redis ("user_script:1: ") or gopher-lua ("<string>:1: ").
var oraclePosPrefix = regexp.MustCompile(`^(user_script|<string>|\[string "[^"]*"\]):\d+: `)

// runGopherLua runs script in a fresh gopher-lua state after calling each
// open function, and returns its first return value converted as Lua 5.1's
// tostring would (numbers with "%.14g"), or "nil" when nothing is returned.
// A runtime error is returned with gopher-lua's "<string>:N: " position
// prefix and any stack traceback removed.
func runGopherLua(t *testing.T, script string, open ...func(*lua.LState) *lua.LTable) (string, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	for _, f := range open {
		f(L)
	}
	fn, err := L.LoadString(script)
	if err != nil {
		return "", errors.New(oracleCleanGopherErr(err))
	}
	L.Push(fn)
	if err := L.PCall(0, 1, nil); err != nil {
		return "", errors.New(oracleCleanGopherErr(err))
	}
	v := L.Get(-1)
	L.Pop(1)
	return oracleLuaToString(v), nil
}

func oracleCleanGopherErr(err error) string {
	var msg string
	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Object != nil {
		msg = apiErr.Object.String()
	} else {
		msg = err.Error()
	}
	if i := strings.Index(msg, "\nstack traceback:"); i >= 0 {
		msg = msg[:i]
	}
	return oraclePosPrefix.ReplaceAllString(msg, "")
}

// oracleLuaToString converts v as Lua 5.1's tostring does for strings,
// numbers, booleans and nil; other types fall back to gopher-lua's String.
func oracleLuaToString(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LNumber:
		return oracleFormatNumber(float64(x))
	case lua.LString:
		return string(x)
	default:
		return v.String()
	}
}

// oracleFormatNumber formats f as Lua 5.1 ("%.14g" via glibc printf).
func oracleFormatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}
