package core

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/persist"
)

// Loading the append-only file: at start-up with appendonly yes (instead
// of the RDB file, as Redis does) and by DEBUG LOADAOF. The manifest's
// base is loaded (an RDB file, possibly followed by commands, or only
// commands), then each incremental file's commands are replayed in order
// with the expiry clock stopped, as Redis does while loading: a key the
// file gives a time that has passed since is removed afterwards by the
// expiry cycle, not in the middle of the replay. MULTI/EXEC blocks are
// applied whole.
//
// Errors: a file ending inside a command (or inside MULTI) may only be the
// last file; then with aof-load-truncated yes the file is truncated to
// its last whole command and the load goes on, with no it is refused. Any
// other error (bad format, unknown command, a missing file) refuses the
// load: nothing is partially served.

// errAOFLoad wraps every reason an AOF cannot be loaded.
var errAOFLoad = errors.New("AOF loading failed")

// readManifest reads the manifest (nil, nil when there is none).
func (s *Server) readManifest() (*persist.Manifest, error) {
	a := &s.aof
	data, err := os.ReadFile(filepath.Join(a.dir, persist.ManifestName(a.prefix)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return persist.ParseManifest(data)
}

// aofReplayer runs a file's commands against the live databases.
type aofReplayer struct {
	s     *Server
	c     *Client
	file  string
	multi bool
	queue [][][]byte
	// multiStart is the offset of the open MULTI (a truncation point).
	multiStart int
	lastEnd    int
}

func (r *aofReplayer) command(args [][]byte, end int) error {
	name := strings.ToLower(string(args[0]))
	defer func() { r.lastEnd = end }()
	switch {
	case name == "multi":
		r.multi, r.queue, r.multiStart = true, r.queue[:0], r.lastEnd
		return nil
	case name == "exec" && r.multi:
		r.multi = false
		for _, q := range r.queue {
			if err := r.run(q); err != nil {
				return err
			}
		}
		return nil
	case r.multi:
		r.queue = append(r.queue, append([][]byte(nil), args...)) // args is reused by the parser
		return nil
	}
	return r.run(args)
}

func (r *aofReplayer) run(args [][]byte) error {
	s := r.s
	cmd, found := s.Table.Lookup(args)
	if cmd == nil || !found {
		return fmt.Errorf("%w: unknown command '%s' reading the append only file %s", errAOFLoad, args[0], r.file)
	}
	if !cmd.CheckArity(len(args)) {
		return fmt.Errorf("%w: wrong number of arguments for '%s' reading the append only file %s", errAOFLoad, args[0], r.file)
	}
	// Now 1: no key counts as expired during the replay.
	ctx := &Ctx{S: s, C: r.c, Cmd: cmd, Args: args, W: aofReplies{}, DB: r.c.DB, Now: 1, frozenNow: 1, NoBlock: true}
	s.runHandler(ctx)
	return nil
}

// loadAOFFiles loads every file of m into the (empty) dataset. The lock
// is held and the effects stream is off.
func (s *Server) loadAOFFiles(m *persist.Manifest) error {
	a := &s.aof
	var files []persist.AOFFile
	if m.Base != nil {
		files = append(files, *m.Base)
	}
	files = append(files, m.Incr...)
	r := &aofReplayer{s: s, c: &Client{Addr: "aof", Authed: true, Resp: 2, DB: s.DBs[0]}}
	truncOK, _ := s.Config.Get("aof-load-truncated")
	for i, f := range files {
		path := filepath.Join(a.dir, f.Name)
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%w: append only file %s doesn't exist or can't be read: %v", errAOFLoad, f.Name, err)
		}
		if len(data) == 0 {
			continue
		}
		off := 0
		if len(data) >= 5 && string(data[:5]) == "REDIS" {
			if i > 0 {
				return fmt.Errorf("%w: the incremental file %s holds RDB data", errAOFLoad, f.Name)
			}
			l, err := s.loadRDBData(data)
			if err != nil {
				return fmt.Errorf("%w: error reading the RDB preamble of the AOF file %s: %v", errAOFLoad, f.Name, err)
			}
			s.installLoaded(l)
			off = l.size
		}
		r.file, r.multi, r.lastEnd = f.Name, false, 0
		valid, err := persist.ParseCommands(data[off:], r.command)
		if err == nil && r.multi {
			// Ends inside MULTI: back to before it, as a short read.
			valid, err = r.multiStart, persist.ErrAOFTruncated
		}
		if errors.Is(err, persist.ErrAOFTruncated) {
			last := i == len(files)-1
			if !last || truncOK != "yes" {
				s.Log.Printf("Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", f.Name)
				return fmt.Errorf("%w: unexpected end of file reading the append only file %s (set aof-load-truncated yes to load it up to its last whole command)", errAOFLoad, f.Name)
			}
			s.Log.Printf("!!! Warning: short read while loading the AOF file %s!!!", f.Name)
			s.Log.Printf("!!! Truncating the AOF %s at offset %d !!!", f.Name, off+valid)
			if err := os.Truncate(path, int64(off+valid)); err != nil {
				return fmt.Errorf("%w: error truncating the AOF file %s: %v", errAOFLoad, f.Name, err)
			}
			s.Log.Printf("AOF %s loaded anyway because aof-load-truncated is enabled", f.Name)
			continue
		}
		var fe *persist.AOFFormatError
		if errors.As(err, &fe) {
			s.Log.Printf("Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", f.Name)
			return fmt.Errorf("%w: bad file format reading the append only file %s at byte %d: %s", errAOFLoad, f.Name, off+fe.Offset, fe.Msg)
		}
		if err != nil {
			return err
		}
	}
	// Replayed with the clock stopped: keys were last used now.
	clock := lruClock(time.Now().UnixMilli())
	for _, db := range s.DBs {
		db.Range(func(_ string, e *keyspace.Entry) bool {
			e.LRU = clock
			return true
		})
	}
	return nil
}

// loadAOFAtStartup loads the AOF (appendonly yes) and opens it for
// appending: a fresh directory gets a base (of the empty dataset) and a
// first incremental file, as Redis creates them on start.
func (s *Server) loadAOFAtStartup() error {
	a := &s.aof
	a.dir, a.prefix = s.aofPaths()
	m, err := s.readManifest()
	if err != nil {
		return fmt.Errorf("%w: %v", errAOFLoad, err)
	}
	if m == nil {
		// A Redis 6 single-file AOF in dir: it becomes the base.
		d, _ := s.Config.Get("dir")
		old := filepath.Join(d, a.prefix)
		if fi, err := os.Stat(old); err == nil && fi.Mode().IsRegular() {
			m = &persist.Manifest{Base: &persist.AOFFile{Name: a.prefix, Seq: 1, Type: persist.AOFBase}}
			if err := os.MkdirAll(a.dir, 0o755); err != nil {
				return err
			}
			if err := os.Rename(old, filepath.Join(a.dir, a.prefix)); err != nil {
				return err
			}
			if err := persist.WriteManifest(a.dir, persist.ManifestName(a.prefix), m); err != nil {
				return err
			}
			s.Log.Printf("Successfully migrated an old-style AOF into the AOF directory")
		}
	}
	start := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if m != nil {
		s.persist.loading = true
		s.effects.off = true
		err := s.loadAOFFiles(m)
		s.effects.off = false
		s.persist.loading = false
		if err != nil {
			return err
		}
		s.Dirty = 0
		s.Log.Printf("DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
	} else {
		m = &persist.Manifest{}
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return err
	}
	a.man = m
	if m.Base == nil && len(m.Incr) == 0 {
		base := persist.AOFFile{Name: persist.BaseName(a.prefix, 1, true), Seq: 1, Type: persist.AOFBase}
		if err := s.writeBaseNow(base.Name); err != nil {
			return fmt.Errorf("creating the AOF base file: %w", err)
		}
		m.Base = &base
		s.Log.Printf("Creating AOF base file %s on server start", base.Name)
	}
	var f *os.File
	if len(m.Incr) > 0 {
		last := m.Incr[len(m.Incr)-1]
		f, err = os.OpenFile(filepath.Join(a.dir, last.Name), os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
	} else {
		var inf persist.AOFFile
		if f, inf, err = s.createIncr(); err != nil {
			return err
		}
		m.Incr = append(m.Incr, inf)
		if err := persist.WriteManifest(a.dir, persist.ManifestName(a.prefix), m); err != nil {
			f.Close()
			return err
		}
		s.Log.Printf("Creating AOF incr file %s on server start", inf.Name)
	}
	s.switchIncr(f)
	a.otherLen = 0
	if m.Base != nil {
		a.otherLen = fileSize(filepath.Join(a.dir, m.Base.Name))
	}
	for _, inc := range m.Incr[:len(m.Incr)-1] {
		a.otherLen += fileSize(filepath.Join(a.dir, inc.Name))
	}
	a.fileLen.Store(fileSize(filepath.Join(a.dir, m.Incr[len(m.Incr)-1].Name)))
	// As Redis, automatic rewrites count growth from the size loaded.
	a.baseSize = a.otherLen + a.fileLen.Load()
	s.startAppending()
	return nil
}

// writeBaseNow writes the dataset as an RDB base file named name in the
// AOF directory (lock held).
func (s *Server) writeBaseNow(name string) error {
	j := s.newSaveJob(false)
	j.tmp = filepath.Join(s.aof.dir, fmt.Sprintf("temp-rewriteaof-%d.aof", os.Getpid()))
	j.path = filepath.Join(s.aof.dir, name)
	j.aux[len(j.aux)-1].Value = "1"
	err := j.run(true)
	j.stop()
	return err
}

// debugLoadAOF is DEBUG LOADAOF: the AOF is flushed, then loaded in
// place of the dataset. Unlike Redis, which exits when the file cannot
// be loaded, polyfn keeps the current dataset and replies with an error.
func debugLoadAOF(ctx *Ctx) {
	s := ctx.S
	a := &s.aof
	if !a.on {
		ctx.OK() // Redis loads nothing and replies OK when the AOF is off
		return
	}
	if err := s.aofFlushSync(); err != nil {
		s.Log.Printf("DEBUG LOADAOF: %v", err)
		ctx.Error(ErrAOFLoad)
		return
	}
	// Load into empty databases; put the old ones back on failure.
	saved := make([]*keyspace.DB, len(s.DBs))
	for i, db := range s.DBs {
		saved[i] = keyspace.New(i)
		keyspace.SwapContents(saved[i], db)
	}
	libs := s.scripts.libs
	s.scripts.libs = newFunctionLibs()
	s.effects.off, s.persist.loading = true, true
	err := s.loadAOFFiles(a.man)
	s.effects.off, s.persist.loading = false, false
	if err != nil {
		for i, db := range s.DBs {
			db.Flush()
			keyspace.SwapContents(db, saved[i])
		}
		s.scripts.libs = libs
		s.Log.Printf("DEBUG LOADAOF: %v", err)
		ctx.Error(ErrAOFLoad)
		return
	}
	s.Dirty = 0
	s.Log.Printf("Append Only File loaded by DEBUG LOADAOF")
	ctx.OK()
}

// aofReplies is the reply writer of commands replayed from an AOF.
type aofReplies struct{}

func (aofReplies) WriteStatus(string)           {}
func (aofReplies) WriteError(string)            {}
func (aofReplies) WriteInt(int64)               {}
func (aofReplies) WriteBulk([]byte)             {}
func (aofReplies) WriteBulkString(string)       {}
func (aofReplies) WriteNull()                   {}
func (aofReplies) WriteNullArray()              {}
func (aofReplies) WriteArray(int)               {}
func (aofReplies) WriteMap(int)                 {}
func (aofReplies) WriteSet(int)                 {}
func (aofReplies) WriteDouble(float64)          {}
func (aofReplies) WriteBool(bool)               {}
func (aofReplies) WriteBigNumber(string)        {}
func (aofReplies) WriteVerbatim(string, string) {}
func (aofReplies) WritePush(int)                {}
func (aofReplies) Resp() int                    { return 2 }
