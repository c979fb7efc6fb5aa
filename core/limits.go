package core

import "net"

// Client limits. The protocol layer enforces them on its connections (it
// owns the sockets and the buffers); the core owns the rules and the
// numbers: protected mode, the output buffer classes of
// client-output-buffer-limit, and the idle-timeout exemptions.

// Output buffer classes of client-output-buffer-limit, in the order
// Redis lists them.
const (
	OutputClassNormal = 0
	OutputClassPubSub = 2 // 1 is "slave": polyfn has no replicas
)

// OutputLimit is one class of client-output-buffer-limit: a client whose
// pending output reaches Hard is closed at once; one that stays at or
// above Soft for more than SoftSeconds is closed too. Zero disables a
// limit.
type OutputLimit struct {
	Hard, Soft  uint64
	SoftSeconds int64
}

func (c *Config) storeOutputLimits(lim outputLimits) {
	for i := range lim {
		for j := range lim[i] {
			c.outHot[i][j].Store(lim[i][j])
		}
	}
}

// OutputLimit returns the limit of class (OutputClassNormal or
// OutputClassPubSub) without locking.
func (c *Config) OutputLimit(class int) OutputLimit {
	h := &c.outHot[class]
	return OutputLimit{Hard: h[0].Load(), Soft: h[1].Load(), SoftSeconds: int64(h[2].Load())}
}

// Exceeded applies the limit to used pending bytes at time now (unix ms).
// since is when the client was first seen at or above the soft limit (0:
// it was not); the returned since is the new value to keep. close says the
// client must be dropped. As in Redis, the soft limit counts only once it
// has been exceeded for more than SoftSeconds (seconds compared whole).
func (l OutputLimit) Exceeded(used uint64, now, since int64) (close bool, newSince int64) {
	if l.Hard > 0 && used >= l.Hard {
		return true, since
	}
	if l.Soft == 0 || used < l.Soft {
		return false, 0
	}
	if since == 0 {
		return false, now
	}
	return now/1000-since/1000 > l.SoftSeconds, since
}

// OutputClass is the client-output-buffer-limit class of c: pubsub while
// it has subscriptions, normal otherwise (MONITOR clients too, as in
// Redis). The keyspace lock must be held.
func (c *Client) OutputClass() int {
	if c.Subscriptions() > 0 {
		return OutputClassPubSub
	}
	return OutputClassNormal
}

// TimeoutExempt reports whether the idle timeout spares c: subscribers
// and MONITOR clients, as Redis's clientsCron spares CLIENT_PUBSUB and
// replica (MONITOR) clients. Blocked clients are spared by the protocol
// layer, which only times out a connection waiting for input. The
// keyspace lock must be held.
func (c *Client) TimeoutExempt() bool {
	return c.Monitor || c.Subscriptions() > 0
}

// ProtectedModeDenies reports whether a connection from ip must get
// ErrProtectedMode and be closed: protected-mode is yes, the default user
// has no password (nopass), and the peer is not 127.0.0.1 or ::1. Redis
// 7.0 compares the peer address's text, so another loopback address
// (127.0.0.2) is refused too, and the bind setting does not matter.
func (s *Server) ProtectedModeDenies(ip net.IP) bool {
	if ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback) {
		return false
	}
	if v, _ := s.Config.Get("protected-mode"); v != "yes" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acl.a.Default.NoPass()
}

// RejectConnection counts a connection refused before it became a client
// (maxclients, protected mode): INFO stats rejected_connections.
func (s *Server) RejectConnection() { s.Stats.RejectedConns.Add(1) }

// ClientInfo is c's CLIENT LIST line, for the log lines that say why a
// client was dropped. It takes the keyspace lock.
func (s *Server) ClientInfo(c *Client) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientInfo(c, nil)
}

// ClientInfoLocked is ClientInfo for a caller holding the keyspace lock.
func (s *Server) ClientInfoLocked(c *Client) string { return s.clientInfo(c, nil) }

// OutputSizer is implemented by connections that can tell, from any
// goroutine holding the keyspace lock, how many reply bytes wait to be
// written to the socket (CLIENT LIST omem for clients other than the
// caller). Without it, omem is 0.
type OutputSizer interface {
	OutputPending() int
}
