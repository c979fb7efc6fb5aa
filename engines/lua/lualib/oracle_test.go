package lualib

// Temporary oracle harness (branch lualib-struct). The lualib-json branch owns
// the canonical copy of this file; when it is committed there, this file is
// replaced by it verbatim so the branches merge cleanly.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	lua "github.com/yuin/gopher-lua"
)

var (
	oracleClient *redis.Client
	oracleErr    string
)

// TestMain starts a private redis-server (the oracle) on a free port, runs
// the tests and kills the server by pid.
func TestMain(m *testing.M) {
	var cmd *exec.Cmd
	path, err := exec.LookPath("redis-server")
	if err != nil {
		oracleErr = "redis-server not installed"
	} else {
		port, perr := oracleFreePort()
		if perr != nil {
			oracleErr = perr.Error()
		} else {
			cmd = exec.Command(path, "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1")
			if err := cmd.Start(); err != nil {
				oracleErr = err.Error()
				cmd = nil
			} else {
				oracleClient = redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", port)})
				deadline := time.Now().Add(10 * time.Second)
				for {
					if err := oracleClient.Ping(context.Background()).Err(); err == nil {
						break
					} else if time.Now().After(deadline) {
						oracleErr = "redis-server did not start: " + err.Error()
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
	}
	code := m.Run()
	if oracleClient != nil {
		_ = oracleClient.Close()
	}
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	}
	os.Exit(code)
}

func oracleFreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func oracleNeed(t *testing.T) {
	t.Helper()
	if oracleErr != "" {
		if os.Getenv("POLYFN_REQUIRE_REDIS") == "1" {
			t.Fatalf("oracle unavailable: %s", oracleErr)
		}
		t.Skip("oracle unavailable: " + oracleErr)
	}
}

var oracleRedisErrRe = regexp.MustCompile(`(?s)^(?:ERR )?(?:user_script:\d+: )?(.*?)(?: script: [0-9a-f]{40}, on @user_script:\d+\.)?$`)

// runRedisEval runs `EVAL script 0` on the oracle. A reply is returned as a
// string (integers in decimal, nil as ""); a script error is returned as an
// error holding only the message, without Redis's decoration.
func runRedisEval(t *testing.T, script string) (string, error) {
	t.Helper()
	oracleNeed(t)
	v, err := oracleClient.Eval(context.Background(), script, nil).Result()
	if err != nil {
		if errors.Is(err, redis.Nil) {
			return "", nil
		}
		m := oracleRedisErrRe.FindStringSubmatch(err.Error())
		return "", errors.New(m[1])
	}
	return fmt.Sprint(v), nil
}

var oracleLuaErrRe = regexp.MustCompile(`(?s)^(?:<string>|[^\s:]+):\d+: (.*)$`)

// runGopherLua runs script in a fresh gopher-lua state after calling each
// open function. The returned value is converted like runRedisEval does
// (strings as-is, numbers truncated to integers, nil/false as ""); an error
// is returned without gopher-lua's position prefix.
func runGopherLua(t *testing.T, script string, open ...func(*lua.LState) *lua.LTable) (string, error) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	for _, o := range open {
		o(L)
	}
	if err := L.DoString(script); err != nil {
		msg := err.Error()
		var ae *lua.ApiError
		if errors.As(err, &ae) {
			msg = ae.Object.String()
		}
		if m := oracleLuaErrRe.FindStringSubmatch(msg); m != nil {
			msg = m[1]
		}
		return "", errors.New(msg)
	}
	if L.GetTop() == 0 {
		return "", nil
	}
	switch v := L.Get(-1).(type) {
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		return strconv.FormatInt(int64(v), 10), nil
	case lua.LBool:
		if v {
			return "1", nil
		}
		return "", nil
	default:
		return "", nil
	}
}
