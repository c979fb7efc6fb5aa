package acl

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func testUniverse() *Universe {
	Match = func(p, s string) bool {
		if strings.HasSuffix(p, "*") {
			return strings.HasPrefix(s, p[:len(p)-1])
		}
		return p == s
	}
	return NewUniverse(map[string][]string{
		"get": {"@read", "@string", "@fast"}, "set": {"@write", "@string", "@slow"},
		"hget": {"@read", "@hash", "@fast"}, "config": {"@slow"},
		"config|get": {"@admin", "@slow", "@dangerous"}, "config|set": {"@admin", "@slow", "@dangerous"},
		"select": {"@fast", "@connection"}, "publish": {"@pubsub", "@fast"},
	})
}

func TestSplitArgsAndMerge(t *testing.T) {
	a, ok := SplitArgs(`user "a b" 'c d' e\x "\x41\n"`)
	require.True(t, ok)
	require.Equal(t, []string{"user", "a b", "c d", `e\x`, "A\n"}, a)
	_, ok = SplitArgs(`"open`)
	require.False(t, ok)
	out, bad := MergeSelectors([]string{"on", "(~a", "+get)", "(+set)"})
	require.Equal(t, -1, bad)
	require.Equal(t, []string{"on", "(~a +get)", "(+set)"}, out)
	_, bad = MergeSelectors([]string{"on", "(~a", "+get"})
	require.Equal(t, 1, bad)
}

// Rendered rules set back on a fresh user give the same rendering (what
// ACL SAVE / LOAD rely on).
func TestDescribeRoundTrip(t *testing.T) {
	a := New(testUniverse())
	for _, rules := range [][]string{
		{"on", ">p", "~k*", "%R~r*", "&ch", "+@read", "-hget", "+config|get", "+select|0"},
		{"+@all", "-@dangerous", "allkeys", "allchannels", "(~x +set)"},
		{"nopass", "-@all", "+config", "-config|set"},
	} {
		u, _, err := a.SetUser("u", append([]string{"reset"}, rules...))
		require.NoError(t, err)
		d := a.DescribeUser(u)
		args, ok := SplitArgs(d)
		require.True(t, ok)
		merged, bad := MergeSelectors(args)
		require.Equal(t, -1, bad)
		v, _, err := a.SetUser("v", append([]string{"reset"}, merged...))
		require.NoError(t, err)
		require.Equal(t, d, a.DescribeUser(v))
	}
}

func TestCheck(t *testing.T) {
	un := testUniverse()
	a := New(un)
	u, _, err := a.SetUser("u", []string{"on", "nopass", "+get", "+set", "+publish", "~k*", "%R~r*", "&ch*", "(+hget ~h*)"})
	require.NoError(t, err)
	require.False(t, u.Unrestricted)
	require.True(t, a.Default.Unrestricted)
	req := func(cmd string, keys []KeyRef, args ...string) *Request {
		r := &Request{Cmd: un.Lookup(cmd), Args: [][]byte{[]byte(cmd)}}
		for _, x := range args {
			r.Args = append(r.Args, []byte(x))
		}
		if keys != nil {
			r.Keys = func() []KeyRef { return keys }
		}
		if cmd == "publish" {
			r.Channels = func() []ChanRef { return []ChanRef{{Pos: 1}} }
		}
		return r
	}
	read := []KeyRef{{Pos: 1, Access: true}}
	write := []KeyRef{{Pos: 1, Write: true}}
	res, _ := u.Check(req("get", read, "k1"))
	require.Equal(t, OK, res)
	res, pos := u.Check(req("get", read, "x"))
	require.Equal(t, DeniedKey, res)
	require.Equal(t, 1, pos)
	res, _ = u.Check(req("get", read, "r1"))
	require.Equal(t, OK, res)
	res, _ = u.Check(req("set", write, "r1", "v"))
	require.Equal(t, DeniedKey, res)
	res, _ = u.Check(req("hget", read, "h1", "f"))
	require.Equal(t, OK, res)
	res, _ = u.Check(req("hget", read, "k1", "f"))
	require.Equal(t, DeniedKey, res)
	res, _ = u.Check(req("config|get", nil, "config", "get", "x"))
	require.Equal(t, DeniedCmd, res)
	res, _ = u.Check(req("publish", nil, "zz", "m"))
	require.Equal(t, DeniedChannel, res)
	res, _ = u.Check(req("publish", nil, "ch1", "m"))
	require.Equal(t, OK, res)
}

func TestParseFile(t *testing.T) {
	a := New(testUniverse())
	users, errs := a.Parse([]string{"user default on nopass ~* &* +@all", "user bob on #" + HashPassword("x") + " ~b* resetchannels -@all +get", "", "# comment"})
	require.Empty(t, errs)
	require.True(t, users["bob"].CheckPassword("x"))
	require.False(t, users["bob"].CheckPassword("y"))
	_, errs = a.Parse([]string{"user bob on +nosuch", "user bob on", "nouser x", "user a (~x"})
	require.Len(t, errs, 3)
	require.Contains(t, errs[0], "Unknown command or category name in ACL")
}
