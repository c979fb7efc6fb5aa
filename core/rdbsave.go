package core

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/persist"
	"github.com/polyfn/polyfn/core/rdbvalue"
)

// RDB snapshots: SAVE, BGSAVE, LASTSAVE, save points, MISCONF and the
// INFO persistence fields. A save walks a copy-on-write snapshot of every
// database (keyspace.Snapshot): SAVE in one go under the keyspace lock,
// BGSAVE in a goroutine that takes the lock for short batches while
// commands keep running, so that both write the dataset as it was when
// they started. See core/persist/RATIONALE.md.

// persistState is the save bookkeeping; the keyspace lock guards it.
type persistState struct {
	bg        *saveJob // the running BGSAVE
	scheduled bool     // BGSAVE SCHEDULE (inside MULTI) pending
	gen       uint8    // generation mark of the last snapshot
	jobs      int      // BGSAVEs started, for temp file names
	lastSave  int64    // unix seconds of the last successful save
	lastBgErr bool     // rdb_last_bgsave_status:err
	lastBgTry time.Time
	lastBgDur int64 // rdb_last_bgsave_time_sec
	saves     int64
	loading   bool
	loaded    int64 // rdb_last_load_keys_loaded
	expired   int64 // rdb_last_load_keys_expired
}

func (p *persistState) init(start time.Time) {
	p.lastSave = start.Unix()
	p.lastBgDur = -1
}

// saveJob is one save in progress.
type saveJob struct {
	s       *Server
	bg      bool
	tmp     string
	path    string
	start   time.Time
	dirty   int64 // Dirty when the snapshot was taken
	aborted bool
	err     error // a value that could not be encoded
	aux     []persist.Aux
	funcs   [][]byte
	dbs     []*dbSave
	// processed and total are current_save_keys_processed/_total.
	processed, total int64
	checksum         bool
	// commands makes the file an AOF base of commands instead of an RDB
	// file (aof-use-rdb-preamble no); set before the job runs.
	commands bool
	opt      rdbvalue.Options
}

// encode appends one key as the file holds it (lock held).
func (j *saveJob) encode(dst []byte, key string, v any, at int64) ([]byte, error) {
	if j.commands {
		return appendKeyCommands(dst, key, v, at)
	}
	return persist.AppendKey(dst, key, v, at, j.opt)
}

type dbSave struct {
	id      int
	sn      *keyspace.Snapshot
	cow     *keyspace.COW
	pending []byte // keys the copy-on-write hook saved, encoded
}

var errSaveAborted = errors.New("save aborted")

// rdbPath is dir/dbfilename.
func (s *Server) rdbPath() string {
	dir, _ := s.Config.Get("dir")
	name, _ := s.Config.Get("dbfilename")
	return filepath.Join(dir, name)
}

// newSaveJob takes the snapshot (lock held): the function libraries, the
// AUX fields and a copy-on-write walker per database.
func (s *Server) newSaveJob(bg bool) *saveJob {
	now := time.Now()
	s.persist.gen++
	cs, _ := s.Config.Get("rdbchecksum")
	j := &saveJob{s: s, bg: bg, start: now, dirty: s.Dirty, path: s.rdbPath(), checksum: cs == "yes", opt: s.dumpOptions()}
	dir := filepath.Dir(j.path)
	if bg {
		s.persist.jobs++
		j.tmp = filepath.Join(dir, fmt.Sprintf("temp-%d-%d.rdb", os.Getpid(), s.persist.jobs))
	} else {
		j.tmp = filepath.Join(dir, fmt.Sprintf("temp-%d.rdb", os.Getpid()))
	}
	j.aux = persist.StandardAux(RedisVersion, now.Unix(), s.UsedMemory(now))
	for _, l := range s.scripts.libs.sorted() {
		j.funcs = append(j.funcs, l.Code)
	}
	for i, db := range s.DBs {
		d := &dbSave{id: i}
		d.cow = &keyspace.COW{Gen: s.persist.gen, Save: func(key string, e *keyspace.Entry, at int64) {
			b, err := j.encode(d.pending, key, e.Value, at)
			if err != nil && j.err == nil {
				j.err = fmt.Errorf("key %q: %w", key, err)
			}
			d.pending = b
			j.processed++
		}}
		d.sn = db.StartSnapshot(d.cow)
		j.total += int64(d.sn.Keys)
		j.dbs = append(j.dbs, d)
	}
	return j
}

// run writes the snapshot to the temp file and renames it over the RDB
// file. locked says the caller holds the keyspace lock for the whole run
// (SAVE); otherwise run takes it for each batch of keys.
func (j *saveJob) run(locked bool) error {
	s := j.s
	if !locked {
		// A background save gets a thread of its own, as Redis's forked
		// child is a process of its own: the commands keep theirs.
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1))
	}
	lock := func() {
		if !locked {
			s.mu.Lock()
		}
	}
	unlock := func() {
		if !locked {
			s.mu.Unlock()
		}
	}
	f, err := os.OpenFile(j.tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("failed opening the temp RDB file %s for saving: %w", j.tmp, err)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(j.tmp)
		return err
	}
	var out io.Writer = f
	if !locked {
		// rdb-save-incremental-fsync / aof-rewrite-incremental-fsync: an
		// fsync every 4 MB, not one huge flush at the end that would
		// stall the AOF's writes on the same disk.
		out = &syncEvery{f: f, every: 4 << 20}
	}
	var fw snapshotWriter
	if j.commands {
		cw := newCmdFileWriter(out)
		ts, _ := s.Config.Get("aof-timestamp-enabled")
		cw.stamp = ts == "yes"
		fw = cw
	} else {
		fw = persist.NewFileWriter(out, j.opt, j.checksum)
	}
	fw.Header(j.aux)
	for _, c := range j.funcs {
		fw.Function(c)
	}
	var buf []byte
	for _, d := range j.dbs {
		if d.sn.Keys == 0 {
			continue
		}
		fw.SelectDB(d.id, d.sn.Keys, d.sn.Expires)
		for more := true; more; {
			lock()
			if j.aborted {
				unlock()
				return fail(errSaveAborted)
			}
			buf = buf[:0]
			n := 0
			for more && n < 250 && len(buf) < 64<<10 {
				more = d.sn.Step(1, func(key string, e *keyspace.Entry, at int64) {
					b, err := j.encode(buf, key, e.Value, at)
					if err != nil && j.err == nil {
						j.err = fmt.Errorf("key %q: %w", key, err)
					}
					buf = b
					n++
				})
			}
			buf = append(buf, d.pending...)
			d.pending = d.pending[:0]
			j.processed += int64(n)
			err := j.err
			unlock()
			if err != nil {
				return fail(err)
			}
			if !locked {
				// Let commands waiting for the lock take it before the
				// next batch: a running goroutine that unlocks and locks
				// again would otherwise win most of the time.
				time.Sleep(20 * time.Microsecond)
			}
			fw.Raw(buf)
		}
	}
	if _, err := fw.Finish(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(j.tmp)
		return err
	}
	lock()
	defer unlock()
	if j.aborted {
		os.Remove(j.tmp)
		return errSaveAborted
	}
	if err := os.Rename(j.tmp, j.path); err != nil {
		os.Remove(j.tmp)
		return fmt.Errorf("error moving temp DB file %s on the final destination %s: %w", j.tmp, j.path, err)
	}
	if d, err := os.Open(filepath.Dir(j.path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// syncEvery fsyncs f each time every more bytes went through it.
type syncEvery struct {
	f          *os.File
	every, cur int
}

func (w *syncEvery) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if w.cur += n; w.cur >= w.every && err == nil {
		w.cur = 0
		err = w.f.Sync()
	}
	return n, err
}

// stop removes the job's copy-on-write hooks (lock held).
func (j *saveJob) stop() {
	for _, db := range j.s.DBs {
		for _, d := range j.dbs {
			db.StopSnapshot(d.cow)
		}
	}
}

// SaveNow is SAVE: a foreground save with the lock held.
func (s *Server) SaveNow() error {
	if s.aof.rw != nil {
		// One snapshot at a time: the rewrite starts again afterwards.
		s.abortAOFRewrite()
		s.aof.rwSched = true
	}
	j := s.newSaveJob(false)
	err := j.run(true)
	j.stop()
	if err != nil {
		s.Log.Printf("Write error saving DB on disk: %v", err)
		return err
	}
	s.Dirty = 0
	s.persist.lastSave = time.Now().Unix()
	s.persist.lastBgErr = false
	s.persist.saves++
	s.Log.Printf("DB saved on disk")
	return nil
}

// startBgsave starts a BGSAVE (lock held).
func (s *Server) startBgsave() {
	j := s.newSaveJob(true)
	s.persist.bg = j
	s.persist.lastBgTry = j.start
	s.Log.Printf("Background saving started")
	go func() {
		err := j.run(false)
		s.mu.Lock()
		defer s.mu.Unlock()
		if j.aborted {
			return
		}
		j.stop()
		s.persist.bg = nil
		s.persist.lastBgDur = int64(time.Since(j.start).Seconds())
		if err != nil {
			s.persist.lastBgErr = true
			s.Log.Printf("Background saving error: %v", err)
			return
		}
		s.Dirty -= j.dirty
		s.persist.lastSave = time.Now().Unix()
		s.persist.lastBgErr = false
		s.persist.saves++
		s.Log.Printf("Background saving terminated with success")
	}()
}

// abortBgsave stops a running BGSAVE, as Redis kills its child before a
// foreground save (SHUTDOWN, DEBUG RELOAD) or FLUSHALL (lock held).
func (s *Server) abortBgsave() {
	if j := s.persist.bg; j != nil {
		j.aborted = true
		j.stop()
		s.persist.bg = nil
		s.Log.Printf("Background saving aborted")
	}
}

// savePoints parses the save parameter: seconds/changes pairs.
func (s *Server) savePoints() [][2]int64 {
	v, _ := s.Config.Get("save")
	w := strings.Fields(v)
	var out [][2]int64
	for i := 0; i+1 < len(w); i += 2 {
		a, _ := strconv.ParseInt(w[i], 10, 64)
		b, _ := strconv.ParseInt(w[i+1], 10, 64)
		out = append(out, [2]int64{a, b})
	}
	return out
}

// bgsaveRetryDelay is how long save points wait after a failed BGSAVE
// (Redis's CONFIG_BGSAVE_RETRY_DELAY).
const bgsaveRetryDelay = 5 * time.Second

// persistCron starts the BGSAVEs that save points or BGSAVE SCHEDULE ask
// for; it runs hz times a second with the lock held.
func (s *Server) persistCron(now time.Time) {
	p := &s.persist
	s.aofCron(now)
	if p.bg != nil || p.loading || s.aof.rw != nil {
		return
	}
	if p.scheduled {
		p.scheduled = false
		s.startBgsave()
		return
	}
	if s.Dirty == 0 {
		return
	}
	for _, sp := range s.savePoints() {
		if s.Dirty >= sp[1] && now.Unix()-p.lastSave > sp[0] &&
			(!p.lastBgErr || now.Sub(p.lastBgTry) > bgsaveRetryDelay) {
			s.Log.Printf("%d changes in %d seconds. Saving...", sp[1], sp[0])
			s.startBgsave()
			return
		}
	}
}

func (s *Server) persistLoop() {
	for {
		hz := s.Config.Hz()
		select {
		case <-s.stopExpire:
			return
		case <-time.After(time.Second / time.Duration(hz)):
		}
		s.mu.Lock()
		s.persistCron(time.Now())
		s.mu.Unlock()
	}
}

// writesDenied reports whether a command must get MISCONF: the last
// BGSAVE failed, save points are set and stop-writes-on-bgsave-error is
// yes; then write commands (scripts by their effective flags, EXEC by
// its queue) and PING are refused, as in Redis's processCommand.
func (s *Server) writesDenied(c *Client, cmd *Command, args [][]byte, flags Flag) bool {
	if !s.persist.lastBgErr || !s.stopWritesOnError() {
		return false
	}
	if cmd.flagsFor != nil {
		flags = cmd.flagsFor(s, args)
	}
	if flags&FlagWrite != 0 || cmd.Name == "ping" {
		return true
	}
	if cmd.Name == "exec" && c.Multi != nil {
		for _, q := range c.Multi.Queue {
			f := q.Cmd.Flags
			if q.Cmd.flagsFor != nil {
				f = q.Cmd.flagsFor(s, q.Args)
			}
			if f&FlagWrite != 0 {
				return true
			}
		}
	}
	return false
}

// stopWritesOnError: the MISCONF condition apart from the save status.
func (s *Server) stopWritesOnError() bool {
	v, _ := s.Config.Get("stop-writes-on-bgsave-error")
	sv, _ := s.Config.Get("save")
	return v == "yes" && strings.TrimSpace(sv) != ""
}

// scriptWritesDenied is the same check for a write command a script
// calls before its first write.
func (s *Server) scriptWritesDenied() bool {
	return s.persist.lastBgErr && s.stopWritesOnError()
}

func registerPersistCommands(t *Table) {
	t.Add("save", cmdSave)
	t.Add("bgsave", cmdBgsave)
	t.Add("bgrewriteaof", cmdBgrewriteaof)
	t.Add("lastsave", func(ctx *Ctx) { ctx.W.WriteInt(ctx.S.persist.lastSave) })
}

func cmdSave(ctx *Ctx) {
	s := ctx.S
	if s.persist.bg != nil {
		ctx.Error(ErrBgsaveInProgress)
		return
	}
	if err := s.SaveNow(); err != nil {
		ctx.Error("ERR")
		return
	}
	ctx.OK()
}

func cmdBgsave(ctx *Ctx) {
	s := ctx.S
	schedule := false
	if len(ctx.Args) > 1 {
		if len(ctx.Args) != 2 || !ctx.ArgIs(1, "schedule") {
			ctx.SyntaxError()
			return
		}
		schedule = true
	}
	switch {
	case s.persist.bg != nil:
		ctx.Error(ErrBgsaveInProgress)
	case s.aof.rw != nil && !schedule:
		ctx.Error(ErrBgsaveAOFActive)
	case ctx.InMulti || s.aof.rw != nil:
		s.persist.scheduled = true
		ctx.W.WriteStatus(msgBgsaveScheduled)
	default:
		s.startBgsave()
		ctx.W.WriteStatus(msgBgsaveStarted)
	}
}

// ShutdownSave saves before the process stops, as Redis's
// prepareForShutdown: when save points are set (or save), unless nosave.
// A running BGSAVE is stopped first. Call it with the lock held.
func (s *Server) ShutdownSave(save, nosave bool) error {
	s.abortBgsave()
	if s.aof.on || s.aof.enabling {
		s.abortAOFRewrite()
		s.Log.Printf("Calling fsync() on the AOF file.")
		if err := s.aofFlushSync(); err != nil {
			s.Log.Printf("Error writing the AOF on shutdown: %v", err)
		}
	}
	if nosave || (!save && len(s.savePoints()) == 0) {
		return nil
	}
	s.Log.Printf("Saving the final RDB snapshot before exiting.")
	return s.SaveNow()
}

// SignalShutdown is ShutdownSave for SIGTERM or SIGINT (term false),
// taking the lock, with the flags of shutdown-on-sigterm or
// shutdown-on-sigint as SHUTDOWN's: save, nosave, and force (the server
// stops even when the save fails; otherwise it keeps serving, and the
// error is returned). now changes nothing without replicas.
func (s *Server) SignalShutdown(term bool) error {
	name := "shutdown-on-sigint"
	if term {
		name = "shutdown-on-sigterm"
	}
	v, _ := s.Config.Get(name)
	flags := strings.Fields(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.ShutdownSave(slices.Contains(flags, "save"), slices.Contains(flags, "nosave"))
	if err != nil && slices.Contains(flags, "force") {
		s.Log.Printf("Error trying to save the DB: %v; exiting anyway (%s force)", err, name)
		return nil
	}
	return err
}

func infoPersistenceSave(s *Server, b *infoBuilder) {
	p := &s.persist
	b.field("loading", boolDigit(p.loading))
	b.field("async_loading", "0")
	b.field("current_cow_peak", "0")
	b.field("current_cow_size", "0")
	b.field("current_cow_size_age", "0")
	b.field("current_fork_perc", "0.00")
	var processed, total, cur int64 = 0, 0, -1
	if j := p.bg; j != nil {
		processed, total = j.processed, j.total
		cur = int64(time.Since(j.start).Seconds())
	}
	b.int("current_save_keys_processed", processed)
	b.int("current_save_keys_total", total)
	b.int("rdb_changes_since_last_save", s.Dirty)
	b.field("rdb_bgsave_in_progress", boolDigit(p.bg != nil))
	b.int("rdb_last_save_time", p.lastSave)
	if p.lastBgErr {
		b.field("rdb_last_bgsave_status", "err")
	} else {
		b.field("rdb_last_bgsave_status", "ok")
	}
	b.int("rdb_last_bgsave_time_sec", p.lastBgDur)
	b.int("rdb_current_bgsave_time_sec", cur)
	b.int("rdb_saves", p.saves)
	b.field("rdb_last_cow_size", "0")
	b.int("rdb_last_load_keys_expired", p.expired)
	b.int("rdb_last_load_keys_loaded", p.loaded)
}

func boolDigit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}
