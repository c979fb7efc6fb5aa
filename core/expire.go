package core

import "time"

// expireLoop is the active expiry cycle: hz times a second it samples keys
// with a time to live in every database and deletes the expired ones,
// repeating on a database while more than a quarter of its sample had
// expired, within a time budget of a quarter of the cycle (as Redis).
func (s *Server) expireLoop() {
	for {
		hz := s.Config.Hz()
		select {
		case <-s.stopExpire:
			return
		case <-time.After(time.Second / time.Duration(hz)):
		}
		if !s.Config.ActiveExpire() {
			continue
		}
		budget := time.Second / time.Duration(hz) / 4
		s.mu.Lock()
		if s.scripts.running != nil {
			// A busy script has the keyspace: nothing may change under it.
			s.mu.Unlock()
			continue
		}
		s.activeExpireCycle(time.Now().Add(budget))
		if s.tracking.clients > 0 {
			s.trackingAfterCommand() // broadcasts of expired keys
		}
		s.mu.Unlock()
	}
}

func (s *Server) activeExpireCycle(deadline time.Time) {
	for _, db := range s.DBs {
		for db.ExpiresLen() > 0 {
			var gone func(string)
			if s.tracking.clients > 0 {
				// Expired keys are modified keys for client-side caches.
				gone = func(k string) { s.trackingInvalidate(nil, []byte(k)) }
			}
			sampled, deleted := db.ActiveExpireFunc(time.Now().UnixMilli(), 16, gone)
			s.Stats.ExpiredKeys += int64(deleted)
			s.Dirty += int64(deleted)
			if deleted*4 <= sampled || time.Now().After(deadline) {
				break
			}
		}
	}
}
