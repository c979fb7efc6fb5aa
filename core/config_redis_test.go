package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMemtoull(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"5b", 5, true}, {"1k", 1000, true}, {"1KB", 1024, true},
		{"2mb", 2 << 20, true}, {"3M", 3000000, true}, {"1g", 1e9, true}, {"10gb", 10 << 30, true},
		{"-1", 0, false}, {"1.5", 0, false}, {"abc", 0, false}, {"5xb", 0, false}, {" 1", 0, false},
		{"99999999999999999999", 1<<64 - 1, true},
	} {
		got, ok := memtoull(c.in)
		assert.Equal(t, c.ok, ok, c.in)
		if ok {
			assert.Equal(t, c.want, got, c.in)
		}
	}
}

func TestNotifyFlags(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "KEA": "AKE", "Ex": "xE", "nEKAm": "AKEm", "g$lshzxetd": "A", "Kgn": "gnK", "ml": "lm",
	} {
		f, ok := ParseNotifyFlags(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, FormatNotifyFlags(f), in)
	}
	for _, bad := range []string{"Z", "xyz", " "} {
		_, ok := ParseNotifyFlags(bad)
		assert.False(t, ok, bad)
	}
	c := NewConfig()
	assert.Equal(t, "", c.setMany([]string{"notify-keyspace-events"}, []string{"Kx"}, false))
	assert.Equal(t, int64(NotifyKeyspace|NotifyExpired), c.NotifyFlags())
}

func TestSaveParam(t *testing.T) {
	v, err := saveParam("010 1 20 2")
	assert.NoError(t, err)
	assert.Equal(t, "10 1 20 2", v)
	v, err = saveParam("")
	assert.NoError(t, err)
	assert.Equal(t, "", v)
	for _, bad := range []string{"100", "100 x", "0 1", "1 -1"} {
		_, err := saveParam(bad)
		assert.EqualError(t, err, "Invalid save parameters", bad)
	}
}

func TestSetManyAtomic(t *testing.T) {
	c := NewConfig()
	msg := c.setMany([]string{"maxmemory-samples", "hz", "appendonly"}, []string{"9", "20", "maybe"}, false)
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'", msg)
	assert.Equal(t, int64(5), c.Int("maxmemory-samples"))
	assert.Equal(t, int64(10), c.Int("hz"))
	v, _ := c.Get("hz")
	assert.Equal(t, "10", v)

	assert.Equal(t, "ERR Unknown option or number of arguments for CONFIG SET - 'Foo'",
		c.setMany([]string{"Foo", "daemonize"}, []string{"1", "yes"}, false))
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
		c.setMany([]string{"daemonize", "Foo"}, []string{"yes", "1"}, false))
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
		c.setMany([]string{"dir"}, []string{"/tmp"}, false))
	assert.Equal(t, "", c.setMany([]string{"dir"}, []string{"/tmp"}, true))
	assert.Equal(t, "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter",
		c.setMany([]string{"hz", "HZ"}, []string{"1", "2"}, false))
	assert.Equal(t, "", c.setMany([]string{"hz", "maxmemory", "maxmemory-clients"}, []string{"1000", "99999999999999999999", "10%"}, false))
	assert.Equal(t, int64(500), c.Int("hz"))
	v, _ = c.Get("maxmemory")
	assert.Equal(t, "18446744073709551615", v)
	assert.Equal(t, int64(1<<63-1), c.Int("maxmemory"))
	v, _ = c.Get("maxmemory-clients")
	assert.Equal(t, "10%", v)
}

func TestOutputLimits(t *testing.T) {
	c := NewConfig()
	assert.Equal(t, "", c.setMany([]string{"client-output-buffer-limit"}, []string{"replica 1kb 1 1 PUBSUB 2 2 2"}, false))
	v, _ := c.Get("client-output-buffer-limit")
	assert.Equal(t, "normal 0 0 0 slave 1024 1 1 pubsub 2 2 2", v)
	msg := c.setMany([]string{"client-output-buffer-limit"}, []string{"normal 1 1 1 foo 1 2 3"}, false)
	assert.Contains(t, msg, "Invalid client class")
	v, _ = c.Get("client-output-buffer-limit")
	assert.Equal(t, "normal 0 0 0 slave 1024 1 1 pubsub 2 2 2", v, "a failed set changes nothing")
}
