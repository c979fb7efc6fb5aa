package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/polyfn/polyfn/core/persist"
)

// The append-only file, as Redis 7.0 keeps it: a directory (appenddirname
// in dir) holding a base file (an RDB snapshot, or commands), incremental
// files of commands appended since, and a manifest listing them (package
// persist). See core/persist/RATIONALE.md for the design.
//
// Writing: the effects sink (aofFeed) encodes each unit of effects into
// an in-memory buffer under the keyspace lock, SELECT before a command of
// another database and MULTI/EXEC around a unit of several commands. No
// I/O happens under the keyspace lock (except at a file switch). Before a
// connection sends its replies (AOFWait, from the protocol layer) it
// parks until the writer goroutine (aofWriter) has written the buffer to
// the file, and with appendfsync always fsynced it: one round covers every
// client that ran a command meanwhile (group commit). The writer also
// writes, every 100 ms, what nobody waits for (active expiry) and starts
// an fsync once a second with everysec.

// fsync policies (appendfsync).
const (
	fsyncNo int32 = iota
	fsyncEverysec
	fsyncAlways
)

// aofState is the AOF bookkeeping. Fields marked (lock) are guarded by
// the keyspace lock; the writer side has its own mutexes so that file
// I/O never holds the keyspace lock.
type aofState struct {
	on       bool              // (lock) appending: appendonly yes and the files are open
	enabling bool              // (lock) CONFIG SET appendonly yes: waiting for the first rewrite
	dir      string            // (lock) dir/appenddirname
	prefix   string            // (lock) appendfilename
	man      *persist.Manifest // (lock)
	selDB    int               // (lock) database of the last SELECT in the current file
	rw       *aofRewrite       // (lock) the running rewrite
	rwSched  bool              // (lock) aof_rewrite_scheduled
	rwStats  aofRewriteStats   // (lock)
	baseSize int64             // (lock) aof_base_size: the base and incr sizes at the last rewrite/load
	otherLen int64             // (lock) bytes of the manifest's files before the open incr file
	user     EffectSink        // (lock) another consumer of the effects stream
	policy   atomic.Int32      // appendfsync
	stamps   bool              // (lock) aof-timestamp-enabled
	lastTS   int64             // (lock) unix second of the last #TS annotation in the current file
	active   atomic.Bool       // on, for AOFWait
	appended atomic.Int64      // bytes ever fed (offset of the buffer's end)
	written  atomic.Int64      // offset written to the file
	synced   atomic.Int64      // offset fsynced
	fileLen  atomic.Int64      // size of the open incr file
	writeErr atomic.Pointer[string]
	bmu      sync.Mutex // guards buf
	buf      []byte
	wmu      sync.Mutex  // held while writing to f; never with the keyspace lock wanted
	f        *os.File    // (wmu) the open incremental file
	spare    []byte      // (wmu)
	smu      sync.Mutex  // held while fsyncing (not wmu: writes go on meanwhile)
	syncing  atomic.Bool // an everysec fsync is running
	// noSync is no-appendfsync-on-rewrite yes while a rewrite runs: no
	// fsync then (replies wait for the write only), as in Redis.
	noSync    atomic.Bool
	kick      chan struct{}
	roundMu   sync.Mutex
	roundDone chan struct{} // (roundMu) closed when the writer's current round ends
	lastSync  time.Time     // (smu)
	stop      chan struct{}
}

type aofRewriteStats struct {
	lastDur     int64 // aof_last_rewrite_time_sec
	lastErr     bool  // aof_last_bgrewrite_status:err
	rewrites    int64
	consecutive int64
	lastTry     time.Time
}

func (a *aofState) init() {
	a.selDB = -1
	a.kick = make(chan struct{}, 1)
	a.roundDone = make(chan struct{})
	a.rwStats.lastDur = -1
}

// aofPaths reads the AOF location from the configuration.
func (s *Server) aofPaths() (dir, prefix string) {
	d, _ := s.Config.Get("dir")
	sub, _ := s.Config.Get("appenddirname")
	prefix, _ = s.Config.Get("appendfilename")
	return filepath.Join(d, sub), prefix
}

// aofPolicy reads appendfsync.
func (s *Server) aofPolicy() int32 {
	switch v, _ := s.Config.Get("appendfsync"); v {
	case "always":
		return fsyncAlways
	case "no":
		return fsyncNo
	}
	return fsyncEverysec
}

// installEffectSink combines the AOF with another consumer (lock held or
// not yet serving).
func (s *Server) installEffectSink() {
	a := &s.aof
	switch {
	case (a.on || a.enabling) && a.user != nil:
		user := a.user
		s.effects.sink = func(u []Effect) { s.aofFeed(u); user(u) }
	case a.on || a.enabling:
		s.effects.sink = s.aofFeed
	default:
		s.effects.sink = a.user
	}
}

// aofFeed is the effects sink: it encodes a unit as Redis writes it in
// the AOF (lock held).
func (s *Server) aofFeed(unit []Effect) {
	a := &s.aof
	if !a.on && a.rw == nil {
		return // enabling, before the rewrite's snapshot
	}
	a.bmu.Lock()
	b := a.buf
	start := len(b)
	if a.stamps {
		// aof-timestamp-enabled: "#TS:<unix seconds>" when the second
		// changed, as Redis annotates its AOF.
		if now := time.Now().Unix(); now > a.lastTS {
			a.lastTS = now
			b = append(strconv.AppendInt(append(b, "#TS:"...), now, 10), '\r', '\n')
		}
	}
	multi := len(unit) > 1
	for i, e := range unit {
		if e.DB != a.selDB {
			b = persist.AppendCommand(b, bSELECT, strconv.AppendInt(nil, int64(e.DB), 10))
			a.selDB = e.DB
		}
		if i == 0 && multi {
			b = persist.AppendCommand(b, bMULTI)
		}
		b = persist.AppendCommand(b, e.Args...)
	}
	if multi {
		b = persist.AppendCommand(b, bEXEC)
	}
	a.buf = b
	a.appended.Add(int64(len(b) - start))
	a.bmu.Unlock()
}

var (
	bSELECT = []byte("SELECT")
	bMULTI  = []byte("MULTI")
	bEXEC   = []byte("EXEC")
)

// AOFWait returns once the replies a connection is about to send are
// covered by the AOF as appendfsync asks: everything fed so far written
// to the file (fsynced with always), as Redis writes (and fsyncs) the AOF
// before it sends replies. The protocol layer calls it before writing
// replies to a socket, without the keyspace lock.
func (s *Server) AOFWait() {
	a := &s.aof
	if !a.active.Load() {
		return
	}
	target := a.appended.Load()
	for a.active.Load() && a.writeErr.Load() == nil {
		if a.written.Load() >= target && (a.policy.Load() != fsyncAlways || a.noSync.Load() || a.synced.Load() >= target) {
			return
		}
		// Ask the writer for a round and wait for the end of one: parked
		// here, the connection lets the others run their commands, and
		// the round writes (and fsyncs) them all at once.
		a.roundMu.Lock()
		done := a.roundDone
		a.roundMu.Unlock()
		select {
		case a.kick <- struct{}{}:
		default:
		}
		<-done
	}
}

// aofWriter is the goroutine that writes the buffer to the file (and
// fsyncs it with always) when a connection waits (kick), and every 100 ms
// for what nobody waits for (active expiry); with everysec it starts an
// fsync once a second, in the background so that writes go on meanwhile.
// Each round ends by waking the connections waiting in AOFWait.
func (s *Server) aofWriter(stop chan struct{}) {
	a := &s.aof
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			a.endRound()
			return
		case <-s.stopExpire: // the server stops
			a.endRound()
			return
		case <-a.kick:
		case <-t.C:
		}
		a.wmu.Lock()
		if a.f != nil && (a.written.Load() < a.appended.Load() || a.writeErr.Load() != nil) {
			a.writeOut()
		}
		a.wmu.Unlock()
		switch pol := a.policy.Load(); {
		case a.noSync.Load():
		case pol == fsyncAlways:
			a.fsyncNow(a.written.Load())
		case pol == fsyncEverysec:
			a.smu.Lock()
			due := time.Since(a.lastSync) >= time.Second
			a.smu.Unlock()
			if due && a.syncing.CompareAndSwap(false, true) {
				go func() {
					a.fsyncNow(a.written.Load())
					a.syncing.Store(false)
				}()
			}
		}
		a.endRound()
	}
}

// endRound wakes the connections waiting for the current round.
func (a *aofState) endRound() {
	a.roundMu.Lock()
	close(a.roundDone)
	a.roundDone = make(chan struct{})
	a.roundMu.Unlock()
}

// fsyncNow fsyncs the open file unless synced already reaches target.
// It holds only smu: writes go on meanwhile and the next fsync covers
// them (group commit).
func (a *aofState) fsyncNow(target int64) {
	a.wmu.Lock()
	f := a.f
	a.wmu.Unlock()
	if f == nil || a.writeErr.Load() != nil {
		return
	}
	a.smu.Lock()
	defer a.smu.Unlock()
	if a.synced.Load() >= target {
		return
	}
	w := a.written.Load() // every byte up to w was written to f before the fsync
	if err := f.Sync(); err != nil {
		if !errors.Is(err, os.ErrClosed) { // closed: switchIncr fsynced it
			msg := err.Error()
			a.writeErr.Store(&msg)
		}
		return
	}
	for {
		cur := a.synced.Load()
		if cur >= w || a.synced.CompareAndSwap(cur, w) {
			break
		}
	}
	a.lastSync = time.Now()
}

// writeOut writes the buffer to the file (wmu held). On error the bytes
// stay buffered, the error is kept (aof_last_write_status:err, MISCONF
// for writes) and the next call tries again.
func (a *aofState) writeOut() {
	a.bmu.Lock()
	data := a.buf
	end := a.appended.Load()
	a.buf = a.spare[:0]
	a.bmu.Unlock()
	if len(data) == 0 {
		a.spare = data
		a.written.Store(end)
		return
	}
	n, err := a.f.Write(data)
	a.fileLen.Add(int64(n))
	if err != nil {
		// Keep what was not written, ahead of what came since.
		a.bmu.Lock()
		a.buf = append(append([]byte(nil), data[n:]...), a.buf...)
		a.bmu.Unlock()
		a.written.Store(end - int64(len(data)-n))
		msg := err.Error()
		a.writeErr.Store(&msg)
		return
	}
	a.writeErr.Store(nil)
	a.written.Store(end)
	if cap(data) > 4<<20 {
		data = nil
	}
	a.spare = data[:0]
}

// syncLocked fsyncs the file (wmu held, so nothing is written meanwhile).
func (a *aofState) syncLocked() {
	a.smu.Lock()
	defer a.smu.Unlock()
	w := a.written.Load()
	if err := a.f.Sync(); err != nil {
		msg := err.Error()
		a.writeErr.Store(&msg)
		return
	}
	a.synced.Store(w)
	a.lastSync = time.Now()
}

// switchIncr flushes and fsyncs the open incremental file and makes f
// (already created) the file new effects go to (lock held).
func (s *Server) switchIncr(f *os.File) {
	a := &s.aof
	a.wmu.Lock()
	if old := a.f; old != nil {
		a.writeOut()
		switch a.policy.Load() {
		case fsyncAlways:
			// Replies wait for this fsync; it is short, as the file
			// is fsynced continuously.
			a.syncLocked()
			old.Close()
		case fsyncEverysec:
			// In the background (as Redis 7.2's bio close job): the
			// keyspace lock is held here.
			go func() { old.Sync(); old.Close() }()
		default:
			go old.Close()
		}
	}
	a.f = f
	a.fileLen.Store(0)
	a.smu.Lock()
	a.synced.Store(a.written.Load())
	a.lastSync = time.Now()
	a.smu.Unlock()
	a.wmu.Unlock()
	a.selDB = -1
	a.lastTS = 0
}

// createIncr creates the next incremental file (lock held).
func (s *Server) createIncr() (*os.File, persist.AOFFile, error) {
	a := &s.aof
	inf := persist.AOFFile{Name: persist.IncrName(a.prefix, a.man.LastIncrSeq()+1), Seq: a.man.LastIncrSeq() + 1, Type: persist.AOFIncr}
	f, err := os.OpenFile(filepath.Join(a.dir, inf.Name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o644)
	return f, inf, err
}

// startAppending makes the AOF active on the open file (lock held).
func (s *Server) startAppending() {
	a := &s.aof
	a.on = true
	a.enabling = false
	ts, _ := s.Config.Get("aof-timestamp-enabled")
	a.stamps = ts == "yes"
	s.startAOFLoop()
	s.installEffectSink()
}

// stopAppending is CONFIG SET appendonly no and shutdown: the buffer is
// written and fsynced and the file closed (lock held).
func (s *Server) stopAppending() {
	a := &s.aof
	s.abortAOFRewrite()
	if a.on {
		a.wmu.Lock()
		if a.f != nil {
			a.writeOut()
			a.syncLocked()
			a.f.Close()
			a.f = nil
		}
		a.wmu.Unlock()
	}
	a.on, a.enabling = false, false
	a.active.Store(false)
	if a.stop != nil {
		close(a.stop)
		a.stop = nil
	}
	s.installEffectSink()
}

// aofFlushSync writes and fsyncs everything fed (SHUTDOWN, DEBUG LOADAOF).
func (s *Server) aofFlushSync() error {
	a := &s.aof
	a.wmu.Lock()
	defer a.wmu.Unlock()
	if a.f == nil {
		return nil
	}
	a.writeOut()
	a.syncLocked()
	if p := a.writeErr.Load(); p != nil {
		return errors.New(*p)
	}
	return nil
}

// aofConfigChanged applies CONFIG SET appendonly/appendfsync (lock held).
func (s *Server) aofConfigChanged() {
	a := &s.aof
	a.policy.Store(s.aofPolicy())
	ts, _ := s.Config.Get("aof-timestamp-enabled")
	a.stamps = ts == "yes"
	want, _ := s.Config.Get("appendonly")
	switch {
	case want == "yes" && !a.on && !a.enabling:
		s.enableAOF()
	case want == "no" && (a.on || a.enabling):
		s.stopAppending()
		s.Log.Printf("Background append only file rewriting terminated: AOF turned off")
	}
}

// enableAOF is CONFIG SET appendonly yes at run time, as Redis's
// startAppendOnly: a rewrite writes a new base of the current dataset;
// effects go to a new incremental file that the manifest lists only when
// the rewrite succeeds (a crash before leaves the old files as they were).
func (s *Server) enableAOF() {
	a := &s.aof
	a.dir, a.prefix = s.aofPaths()
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		s.Log.Printf("Can't open the append-only file: %v", err)
		return
	}
	if a.man == nil {
		if m, err := s.readManifest(); err == nil && m != nil {
			a.man = m
		} else {
			a.man = &persist.Manifest{}
		}
	}
	a.enabling = true
	s.installEffectSink()
	if s.persist.bg != nil {
		a.rwSched = true
		s.Log.Printf("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
		return
	}
	if err := s.startAOFRewrite(); err != nil {
		s.Log.Printf("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation: %v", err)
		a.rwSched = true
	}
}

// misconfAOF is the MISCONF error while the AOF cannot be written, as
// Redis refuses writes after a failed AOF write.
func (s *Server) misconfAOF() string {
	if !s.aof.active.Load() {
		return ""
	}
	if p := s.aof.writeErr.Load(); p != nil {
		return fmt.Sprintf(fmtMisconfAOF, *p)
	}
	return ""
}

// aofSizes returns aof_current_size and aof_base_size.
func (s *Server) aofSizes() (cur, base int64) {
	a := &s.aof
	return a.otherLen + a.fileLen.Load(), a.baseSize
}

func infoPersistenceAOF(s *Server, b *infoBuilder) {
	a := &s.aof
	st := &a.rwStats
	b.field("aof_enabled", boolDigit(a.on || a.enabling))
	b.field("aof_rewrite_in_progress", boolDigit(a.rw != nil))
	b.field("aof_rewrite_scheduled", boolDigit(a.rwSched))
	b.int("aof_last_rewrite_time_sec", st.lastDur)
	cur := int64(-1)
	if a.rw != nil {
		cur = int64(time.Since(a.rw.job.start).Seconds())
	}
	b.int("aof_current_rewrite_time_sec", cur)
	b.field("aof_last_bgrewrite_status", okErr(st.lastErr))
	b.int("aof_rewrites", st.rewrites)
	b.int("aof_rewrites_consecutive_failures", st.consecutive)
	b.field("aof_last_write_status", okErr(a.writeErr.Load() != nil))
	b.field("aof_last_cow_size", "0")
	b.field("module_fork_in_progress", "0")
	b.field("module_fork_last_cow_size", "0")
	if a.on {
		cur, base := s.aofSizes()
		b.int("aof_current_size", cur)
		b.int("aof_base_size", base)
		b.field("aof_pending_rewrite", boolDigit(a.rwSched))
		a.bmu.Lock()
		n := len(a.buf)
		a.bmu.Unlock()
		b.int("aof_buffer_length", int64(n))
		b.field("aof_pending_bio_fsync", "0")
		b.field("aof_delayed_fsync", "0")
	}
}

func okErr(err bool) string {
	if err {
		return "err"
	}
	return "ok"
}

// aofWritesDenied: while the AOF cannot be written, write commands (and
// EXEC of a transaction holding one) get MISCONF, as in Redis.
func (s *Server) aofWritesDenied(c *Client, cmd *Command, args [][]byte) bool {
	flags := cmd.Flags
	if cmd.flagsFor != nil {
		flags = cmd.flagsFor(s, args)
	}
	if flags&FlagWrite != 0 {
		return true
	}
	if cmd.Name == "exec" && c.Multi != nil {
		for _, q := range c.Multi.Queue {
			if q.Cmd.Flags&FlagWrite != 0 {
				return true
			}
		}
	}
	return false
}
