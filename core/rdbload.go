package core

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/persist"
)

// Loading RDB files: at start-up (LoadAtStartup) and by DEBUG RELOAD.
// A file is decoded into fresh databases and a fresh function registry
// and only then swapped in: a corrupt or truncated file changes nothing.

// rdbLoader is the persist.Handler that fills the fresh state.
type rdbLoader struct {
	s       *Server
	dbs     []*keyspace.DB
	libs    *functionLibs
	now     int64
	loaded  int64
	expired int64
	size    int // bytes of RDB data (an AOF's preamble may go on with commands)
}

func (l *rdbLoader) Aux(key, value []byte) {}

func (l *rdbLoader) Function(code []byte) error {
	lib, err := l.s.compileLibrary(code)
	if err != nil {
		return err
	}
	if l.libs.libs[lib.Name] != nil {
		return fmt.Errorf("library %s already exists", lib.Name)
	}
	return l.libs.add(lib)
}

func (l *rdbLoader) Key(dbi int, key []byte, value any, expireAt int64) error {
	db := l.dbs[dbi]
	k := keyspace.Str(key)
	if expireAt >= 0 && expireAt < l.now {
		// Like a Redis master, keys already expired are not loaded.
		l.expired++
		return nil
	}
	if db.Get(k, 0) != nil {
		return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, dbi)
	}
	e := db.Set(k, value, false)
	l.s.created(e, l.now)
	if expireAt >= 0 {
		db.SetExpire(k, expireAt)
	}
	l.loaded++
	return nil
}

// loadRDBData decodes a file into a loader (lock held or not yet serving).
func (s *Server) loadRDBData(data []byte) (*rdbLoader, error) {
	l := &rdbLoader{s: s, libs: newFunctionLibs(), now: time.Now().UnixMilli()}
	for i := range s.DBs {
		l.dbs = append(l.dbs, keyspace.New(i))
	}
	cs, _ := s.Config.Get("rdbchecksum")
	n, err := persist.LoadPrefix(data, persist.Options{Limits: s.loadLimits(), SkipChecksum: cs != "yes", MaxDB: len(s.DBs)}, l)
	l.size = n
	return l, err
}

// install replaces the databases' contents and the function libraries
// with what l loaded (lock held).
func (s *Server) installLoaded(l *rdbLoader) {
	for i, db := range s.DBs {
		if db.Len() > 0 {
			db.Flush()
		}
		keyspace.SwapContents(db, l.dbs[i])
	}
	s.scripts.libs = l.libs
	s.persist.loaded, s.persist.expired = l.loaded, l.expired
}

// LoadAtStartup loads the AOF (appendonly yes) or dir/dbfilename when it
// exists. Any error means the
// server must not start: nothing is loaded partially.
func (s *Server) LoadAtStartup() error {
	if v, _ := s.Config.Get("appendonly"); v == "yes" {
		// As Redis: with the AOF on, the RDB file is not read.
		return s.loadAOFAtStartup()
	}
	path := s.rdbPath()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("can't read the RDB file %s: %w", path, err)
	}
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.persist.loading = true
	defer func() { s.persist.loading = false }()
	l, err := s.loadRDBData(data)
	if err != nil {
		return fmt.Errorf("loading %s: %w", path, err)
	}
	s.installLoaded(l)
	s.Log.Printf("DB loaded from disk: %.3f seconds (%d keys loaded, %d expired keys skipped)", time.Since(start).Seconds(), l.loaded, l.expired)
	return nil
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, then
// load the file back in place of the dataset (lock held).
func debugReload(ctx *Ctx) {
	s := ctx.S
	save, flush, merge := true, true, false
	for i := 2; i < len(ctx.Args); i++ {
		switch {
		case ctx.ArgIs(i, "merge"):
			merge = true
		case ctx.ArgIs(i, "noflush"):
			flush = false
		case ctx.ArgIs(i, "nosave"):
			save = false
		default:
			ctx.Error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
			return
		}
	}
	if save {
		s.abortBgsave()
		if err := s.SaveNow(); err != nil {
			ctx.Error(ErrDebugReloadSave)
			return
		}
	}
	data, err := os.ReadFile(s.rdbPath())
	if err != nil {
		s.Log.Printf("DEBUG RELOAD: %v", err)
		ctx.Error(ErrDebugReloadLoad)
		return
	}
	l, err := s.loadRDBData(data)
	if err == nil && (!flush || merge) {
		err = s.mergeLoaded(l, merge)
	}
	if err != nil {
		s.Log.Printf("DEBUG RELOAD: %v", err)
		ctx.Error(ErrDebugReloadLoad)
		return
	}
	if flush && !merge {
		s.installLoaded(l)
	}
	s.Log.Printf("DB reloaded by DEBUG RELOAD")
	ctx.OK()
}

// mergeLoaded adds what l loaded to the current dataset (DEBUG RELOAD
// NOFLUSH or MERGE); without replace a key or library present in both is
// an error and nothing changes.
func (s *Server) mergeLoaded(l *rdbLoader, replace bool) error {
	if !replace {
		for i, db := range l.dbs {
			var dup error
			db.Range(func(k string, _ *keyspace.Entry) bool {
				if s.DBs[i].Get(k, 0) != nil {
					dup = fmt.Errorf("RDB has duplicated key '%s' in DB %d", k, i)
				}
				return dup == nil
			})
			if dup != nil {
				return dup
			}
		}
		for name := range l.libs.libs {
			if s.scripts.libs.libs[name] != nil {
				return fmt.Errorf("library %s already exists", name)
			}
		}
	}
	for i, db := range l.dbs {
		dst := s.DBs[i]
		db.Range(func(k string, e *keyspace.Entry) bool {
			ne := dst.SetEntry(k, e)
			_ = ne
			if at, ok := db.Expire(k); ok {
				dst.SetExpire(k, at)
			}
			return true
		})
	}
	libs := s.scripts.libs.clone()
	for _, lib := range l.libs.sorted() {
		if old := libs.libs[lib.Name]; old != nil {
			libs.remove(old)
		}
		if err := libs.add(lib); err != nil {
			return err
		}
	}
	s.scripts.libs = libs
	s.persist.loaded, s.persist.expired = l.loaded, l.expired
	return nil
}
