package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWatchExpiry checks WATCH against expired keys with the active
// expiry cycle off, so that expired keys stay stored (the case the
// differential scripts cannot force on both servers): a key live at
// WATCH that expires aborts EXEC, a key already expired at WATCH does
// not, and flushes only count keys that had not expired at WATCH.
func TestWatchExpiry(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	ts.s.Config.SetActiveExpire(false)
	c, o := ts.client(), ts.client()
	exec := func() Value {
		require.Equal(t, "OK", string(ts.do(c, "MULTI").Str))
		ts.do(c, "PING")
		return ts.do(c, "EXEC")
	}
	aborted := func(v Value) bool { return v.Kind == VNullArray }
	expiredKey := func(cl *Client, key string) {
		ts.do(cl, "SET", key, "v", "PX", "1")
		time.Sleep(5 * time.Millisecond)
	}

	// live at WATCH, expired (still stored) at EXEC
	ts.do(c, "SET", "k", "v", "PX", "30")
	ts.do(c, "WATCH", "k")
	time.Sleep(40 * time.Millisecond)
	assert.Equal(t, int64(1), ts.do(c, "DBSIZE").Int, "the expired key is still stored")
	assert.True(t, aborted(exec()))

	// expired at WATCH
	expiredKey(c, "k")
	ts.do(c, "WATCH", "k")
	assert.False(t, aborted(exec()))

	// expired at WATCH, then set again by another client
	expiredKey(c, "k")
	ts.do(c, "WATCH", "k")
	ts.do(o, "SET", "k", "new")
	assert.True(t, aborted(exec()))

	// flushes: expired at WATCH does not count, expired later does
	expiredKey(c, "k")
	ts.do(c, "WATCH", "k")
	ts.do(o, "FLUSHALL")
	assert.False(t, aborted(exec()))
	ts.do(c, "SET", "k", "v", "PX", "20")
	ts.do(c, "WATCH", "k")
	time.Sleep(30 * time.Millisecond)
	ts.do(o, "FLUSHDB")
	assert.True(t, aborted(exec()))

	// SWAPDB: an absent key replaced by an expired one is "expired at
	// WATCH"; setting it afterwards counts
	ts.do(o, "SELECT", "1")
	expiredKey(o, "s")
	ts.do(c, "WATCH", "s")
	ts.do(o, "SWAPDB", "0", "1")
	ts.s.Lock()
	require.Len(t, c.watched, 1)
	assert.True(t, c.watched[0].expired)
	assert.False(t, c.watchDirty)
	ts.s.Unlock()
	ts.do(o, "SELECT", "0")
	ts.do(o, "SET", "s", "x")
	assert.True(t, aborted(exec()))

	// expired at WATCH, swapped with a live key: changed; with an
	// expired one: not
	ts.do(o, "FLUSHALL")
	expiredKey(c, "s")
	ts.do(o, "SELECT", "1")
	ts.do(o, "SET", "s", "live")
	ts.do(c, "WATCH", "s")
	ts.do(o, "SWAPDB", "0", "1")
	assert.True(t, aborted(exec()))
	ts.do(o, "FLUSHALL")
	expiredKey(c, "s")
	expiredKey(o, "s")
	ts.do(c, "WATCH", "s")
	ts.do(o, "SWAPDB", "0", "1")
	assert.False(t, aborted(exec()))
}

// TestExecEndsTransaction checks that the transaction is gone after EXEC,
// aborted or not, and that a failing command is one reply in EXEC's array.
func TestExecEndsTransaction(t *testing.T) {
	ts := newKeysTestServer(t, nil)
	c := ts.client()
	ts.do(c, "MULTI")
	ts.do(c, "SET", "a", "1")
	ts.do(c, "INCR", "nope", "extra") // rejected: poisons
	v := ts.do(c, "EXEC")
	assert.Equal(t, VError, v.Kind)
	assert.Nil(t, c.Multi)

	ts.do(c, "MULTI")
	ts.do(c, "SET", "a", "x")
	ts.do(c, "INCR", "a")
	ts.do(c, "GET", "a")
	v = ts.do(c, "EXEC")
	require.Equal(t, VArray, v.Kind)
	require.Len(t, v.Elems, 3)
	assert.Equal(t, VError, v.Elems[1].Kind)
	assert.Equal(t, "x", string(v.Elems[2].Str))
	assert.Nil(t, c.Multi)
}
