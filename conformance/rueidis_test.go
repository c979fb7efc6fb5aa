package conformance

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"github.com/stretchr/testify/require"
)

// rueidis caches on the client side by default (RESP3 + CLIENT TRACKING
// OPTIN): a cached read must be served locally and invalidated when
// another client writes the key.
func TestRueidisClientSideCaching(t *testing.T) {
	addr := StartPolyfn(t)
	ctx := context.Background()
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}})
	require.NoError(t, err)
	defer client.Close()
	writer, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{addr}, DisableCache: true})
	require.NoError(t, err)
	defer writer.Close()

	require.NoError(t, writer.Do(ctx, writer.B().Set().Key("cached").Value("v1").Build()).Error())
	get := func() (string, bool) {
		r := client.DoCache(ctx, client.B().Get().Key("cached").Cache(), time.Minute)
		v, err := r.ToString()
		require.NoError(t, err)
		return v, r.IsCacheHit()
	}
	v, hit := get()
	require.Equal(t, "v1", v)
	require.False(t, hit, "first read goes to the server")
	v, hit = get()
	require.Equal(t, "v1", v)
	require.True(t, hit, "second read is served from the client's cache")

	require.NoError(t, writer.Do(ctx, writer.B().Set().Key("cached").Value("v2").Build()).Error())
	require.Eventually(t, func() bool {
		v, _ := get()
		return v == "v2"
	}, 2*time.Second, 10*time.Millisecond, "the write invalidated the cached value")

	// Hash fields and several keys through the cache too.
	require.NoError(t, writer.Do(ctx, writer.B().Hset().Key("h").FieldValue().FieldValue("f", "1").Build()).Error())
	r := client.DoCache(ctx, client.B().Hget().Key("h").Field("f").Cache(), time.Minute)
	f, err := r.ToString()
	require.NoError(t, err)
	require.Equal(t, "1", f)
	require.NoError(t, writer.Do(ctx, writer.B().Hset().Key("h").FieldValue().FieldValue("f", "2").Build()).Error())
	require.Eventually(t, func() bool {
		f, _ := client.DoCache(ctx, client.B().Hget().Key("h").Field("f").Cache(), time.Minute).ToString()
		return f == "2"
	}, 2*time.Second, 10*time.Millisecond)
}
