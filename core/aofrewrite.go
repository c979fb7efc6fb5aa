package core

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/polyfn/polyfn/core/persist"
)

// AOF rewrite (BGREWRITEAOF, automatic rewrites, enabling the AOF at run
// time), as Redis 7.0's multi-part AOF does it, without fork:
//
//  1. Under the keyspace lock: the buffered effects are written and
//     fsynced to the open incremental file, a new incremental file is
//     opened for the effects to come (the manifest lists it at once), and
//     a copy-on-write snapshot of the dataset is taken (the one BGSAVE
//     uses, see core/persist/RATIONALE.md). The base written from the
//     snapshot plus the new incremental file are exactly the dataset.
//  2. A goroutine writes the snapshot as an RDB file (the "RDB preamble")
//     to temp-rewriteaof-bg-<pid>.aof, taking the lock for short batches.
//  3. Under the lock: the file is renamed to <appendfilename>.<n>.base.rdb,
//     the manifest is replaced atomically by one listing the new base and
//     the new incremental file, and the files it no longer lists (the old
//     base and incremental files) are deleted.
//
// A failure at any step leaves the previous manifest (plus the new
// incremental file) valid.

// aofRewrite is a rewrite in progress.
type aofRewrite struct {
	job      *saveJob
	base     persist.AOFFile
	incr     persist.AOFFile // the incremental file opened at the start (Seq 0: none, the AOF is off)
	enabling bool
}

const aofRewriteRetryDelay = 5 * time.Second

// startAOFRewrite starts a rewrite (lock held). The caller checked that
// no rewrite or BGSAVE runs.
func (s *Server) startAOFRewrite() error {
	a := &s.aof
	if a.man == nil || a.dir == "" {
		a.dir, a.prefix = s.aofPaths()
		if err := os.MkdirAll(a.dir, 0o755); err != nil {
			return err
		}
		m, err := s.readManifest()
		if err != nil || m == nil {
			m = &persist.Manifest{}
		}
		a.man = m
	}
	a.rwSched = false
	a.rwStats.lastTry = time.Now()
	rw := &aofRewrite{enabling: a.enabling}
	if a.on || a.enabling {
		f, inf, err := s.createIncr()
		if err != nil {
			a.rwStats.lastErr = true
			a.rwStats.consecutive++
			return fmt.Errorf("can't open the new incremental AOF file: %w", err)
		}
		if a.enabling {
			// Effects fed before the snapshot are in it: drop them.
			a.bmu.Lock()
			a.buf = a.buf[:0]
			a.written.Store(a.appended.Load())
			a.bmu.Unlock()
		}
		s.switchIncr(f)
		rw.incr = inf
		if a.on {
			m := a.man.Clone()
			m.Incr = append(m.Incr, inf)
			if err := persist.WriteManifest(a.dir, persist.ManifestName(a.prefix), m); err != nil {
				s.Log.Printf("Can't persist the AOF manifest: %v", err)
			} else {
				a.man = m
			}
			a.otherLen += a.fileLen.Load()
		} else {
			s.startAOFLoop()
		}
	}
	seq := int64(1)
	if a.man.Base != nil {
		seq = a.man.Base.Seq + 1
	}
	preamble, _ := s.Config.Get("aof-use-rdb-preamble")
	rw.base = persist.AOFFile{Name: persist.BaseName(a.prefix, seq, preamble == "yes"), Seq: seq, Type: persist.AOFBase}
	j := s.newSaveJob(true)
	j.commands = preamble != "yes"
	j.tmp = filepath.Join(a.dir, fmt.Sprintf("temp-rewriteaof-bg-%d.aof", os.Getpid()))
	j.path = filepath.Join(a.dir, rw.base.Name)
	j.aux[len(j.aux)-1].Value = "1" // aof-base
	rw.job = j
	a.rw = rw
	if v, _ := s.Config.Get("no-appendfsync-on-rewrite"); v == "yes" {
		a.noSync.Store(true)
	}
	s.Log.Printf("Background append only file rewriting started")
	go func() {
		err := j.run(false)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.finishAOFRewrite(rw, err)
	}()
	return nil
}

// finishAOFRewrite installs the new base (lock held).
func (s *Server) finishAOFRewrite(rw *aofRewrite, err error) {
	a := &s.aof
	if rw.job.aborted {
		return
	}
	rw.job.stop()
	a.rw = nil
	a.noSync.Store(false)
	st := &a.rwStats
	st.lastDur = int64(time.Since(rw.job.start).Seconds())
	if err == nil {
		m := &persist.Manifest{Base: &rw.base}
		for _, f := range a.man.Incr {
			if rw.incr.Seq != 0 && f.Seq >= rw.incr.Seq {
				m.Incr = append(m.Incr, f)
			}
		}
		if rw.enabling {
			m.Incr = []persist.AOFFile{rw.incr}
		}
		err = persist.WriteManifest(a.dir, persist.ManifestName(a.prefix), m)
		if err == nil {
			old := a.man
			a.man = m
			s.deleteAOFHistory(old, m)
		}
	}
	if err != nil {
		st.lastErr = true
		st.consecutive++
		s.Log.Printf("Background AOF rewrite terminated with error: %v", err)
		if rw.enabling {
			a.rwSched = true // try again (aofCron)
		}
		return
	}
	st.lastErr = false
	st.consecutive = 0
	st.rewrites++
	a.baseSize = fileSize(filepath.Join(a.dir, rw.base.Name))
	a.otherLen = a.baseSize
	for _, f := range a.man.Incr {
		if f.Seq != rw.incr.Seq {
			a.otherLen += fileSize(filepath.Join(a.dir, f.Name))
		}
	}
	if a.enabling {
		s.startAppending()
	}
	if !a.on {
		a.otherLen = a.baseSize
	}
	s.Log.Printf("Background AOF rewrite finished successfully")
}

// deleteAOFHistory removes the files old lists and m does not.
func (s *Server) deleteAOFHistory(old, m *persist.Manifest) {
	keep := map[string]bool{}
	if m.Base != nil {
		keep[m.Base.Name] = true
	}
	for _, f := range m.Incr {
		keep[f.Name] = true
	}
	var gone []persist.AOFFile
	if old.Base != nil {
		gone = append(gone, *old.Base)
	}
	gone = append(append(gone, old.History...), old.Incr...)
	for _, f := range gone {
		if !keep[f.Name] {
			if err := os.Remove(filepath.Join(s.aof.dir, f.Name)); err == nil {
				s.Log.Printf("Removing the history file %s in the background", f.Name)
			}
		}
	}
}

// abortAOFRewrite stops a running rewrite (lock held); its temp file is
// removed and the manifest stays as it was.
func (s *Server) abortAOFRewrite() {
	a := &s.aof
	if rw := a.rw; rw != nil {
		rw.job.aborted = true
		rw.job.stop()
		a.rw = nil
		a.noSync.Store(false)
		s.Log.Printf("Killing running AOF rewrite")
	}
}

func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil {
		return fi.Size()
	}
	return 0
}

// aofCron starts scheduled and automatic rewrites (lock held, hz times a
// second, from persistCron).
func (s *Server) aofCron(now time.Time) {
	a := &s.aof
	if a.rw != nil || s.persist.bg != nil || s.persist.loading {
		return
	}
	if a.rwSched && (!a.rwStats.lastErr || now.Sub(a.rwStats.lastTry) > aofRewriteRetryDelay) {
		if err := s.startAOFRewrite(); err != nil {
			s.Log.Printf("Background append only file rewriting error: %v", err)
		}
		return
	}
	if !a.on {
		return
	}
	perc := s.Config.Int("auto-aof-rewrite-percentage")
	minSize := s.Config.Int("auto-aof-rewrite-min-size")
	cur, base := s.aofSizes()
	if perc <= 0 || cur <= minSize {
		return
	}
	if a.rwStats.lastErr && now.Sub(a.rwStats.lastTry) < aofRewriteRetryDelay {
		return
	}
	if base == 0 {
		base = 1
	}
	if growth := cur*100/base - 100; growth >= perc {
		s.Log.Printf("Starting automatic rewriting of AOF on %d%% growth", growth)
		if err := s.startAOFRewrite(); err != nil {
			s.Log.Printf("Background append only file rewriting error: %v", err)
		}
	}
}

func cmdBgrewriteaof(ctx *Ctx) {
	s := ctx.S
	switch {
	case s.aof.rw != nil:
		ctx.Error(ErrAOFRewriteInProgress)
	case s.persist.bg != nil || ctx.InMulti:
		s.aof.rwSched = true
		ctx.W.WriteStatus(msgAOFRewriteScheduled)
	default:
		if err := s.startAOFRewrite(); err != nil {
			s.Log.Printf("Can't rewrite append only file in background: %v", err)
			ctx.Error(ErrAOFRewriteStart)
			return
		}
		ctx.W.WriteStatus(msgAOFRewriteStarted)
	}
}

// startAOFLoop starts the background writer once.
func (s *Server) startAOFLoop() {
	a := &s.aof
	a.policy.Store(s.aofPolicy())
	a.active.Store(true)
	if a.stop == nil {
		a.stop = make(chan struct{})
		go s.aofWriter(a.stop)
	}
}
