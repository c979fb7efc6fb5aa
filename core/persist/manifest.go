package persist

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The manifest of a Redis 7 multi-part append-only file: a text file
// (<appendfilename>.manifest in appenddirname) with one line per file,
//
//	file appendonly.aof.1.base.rdb seq 1 type b
//	file appendonly.aof.1.incr.aof seq 1 type i
//
// type b is the base (an RDB file, or an AOF of commands), i an
// incremental file of commands appended after it, h a file a rewrite
// made history (to be deleted). The base comes first, then history, then
// the incremental files in order. Lines starting with '#' are comments;
// keys may come in any order; a name with spaces or unusual bytes is
// quoted as Redis's sdscatrepr does.

// File types of a manifest line.
const (
	AOFBase    = 'b'
	AOFHistory = 'h'
	AOFIncr    = 'i'
)

// AOFFile is one line of a manifest.
type AOFFile struct {
	Name string
	Seq  int64
	Type byte
}

// Manifest lists the files of an append-only file.
type Manifest struct {
	Base    *AOFFile
	Incr    []AOFFile
	History []AOFFile
}

// Base and incremental file names, as Redis names them.
func BaseName(prefix string, seq int64, rdb bool) string {
	ext := ".aof"
	if rdb {
		ext = ".rdb"
	}
	return fmt.Sprintf("%s.%d.base%s", prefix, seq, ext)
}

// IncrName is the name of incremental file seq.
func IncrName(prefix string, seq int64) string {
	return fmt.Sprintf("%s.%d.incr.aof", prefix, seq)
}

// ManifestName is the manifest's file name for appendfilename prefix.
func ManifestName(prefix string) string { return prefix + ".manifest" }

// ErrManifest wraps every reason ParseManifest refuses a manifest.
var ErrManifest = errors.New("invalid AOF manifest")

// ParseManifest reads a manifest as Redis 7.0 does: it needs at least one
// file line, at most one base, names without a path separator.
func ParseManifest(data []byte) (*Manifest, error) {
	m := &Manifest{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		words, err := splitRepr(line)
		if err != nil || len(words)%2 != 0 {
			return nil, fmt.Errorf("%w: invalid line %q", ErrManifest, line)
		}
		var f AOFFile
		for i := 0; i < len(words); i += 2 {
			switch words[i] {
			case "file":
				f.Name = words[i+1]
			case "seq":
				f.Seq, err = strconv.ParseInt(words[i+1], 10, 64)
			case "type":
				if len(words[i+1]) == 1 {
					f.Type = words[i+1][0]
				}
			}
			// Unknown keys are ignored (forward compatibility, as Redis).
		}
		if err != nil || f.Name == "" || f.Seq <= 0 || strings.ContainsRune(f.Name, '/') {
			return nil, fmt.Errorf("%w: invalid line %q", ErrManifest, line)
		}
		switch f.Type {
		case AOFBase:
			if m.Base != nil {
				return nil, fmt.Errorf("%w: found duplicate base file information", ErrManifest)
			}
			b := f
			m.Base = &b
		case AOFHistory:
			m.History = append(m.History, f)
		case AOFIncr:
			if k := len(m.Incr); k > 0 && f.Seq <= m.Incr[k-1].Seq {
				return nil, fmt.Errorf("%w: found a non-monotonic sequence number", ErrManifest)
			}
			m.Incr = append(m.Incr, f)
		default:
			return nil, fmt.Errorf("%w: unknown AOF file type %q", ErrManifest, f.Type)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrManifest, err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: found an empty AOF manifest", ErrManifest)
	}
	return m, nil
}

// Bytes formats the manifest as Redis writes it.
func (m *Manifest) Bytes() []byte {
	var b bytes.Buffer
	line := func(f AOFFile) {
		fmt.Fprintf(&b, "file %s seq %d type %c\n", quoteName(f.Name), f.Seq, f.Type)
	}
	if m.Base != nil {
		line(*m.Base)
	}
	for _, f := range m.History {
		line(f)
	}
	for _, f := range m.Incr {
		line(f)
	}
	return b.Bytes()
}

// Clone returns a deep copy.
func (m *Manifest) Clone() *Manifest {
	c := &Manifest{Incr: append([]AOFFile(nil), m.Incr...), History: append([]AOFFile(nil), m.History...)}
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	return c
}

// LastIncrSeq is the sequence number of the newest incremental file (0
// without one).
func (m *Manifest) LastIncrSeq() int64 {
	if len(m.Incr) == 0 {
		return 0
	}
	return m.Incr[len(m.Incr)-1].Seq
}

// WriteManifest replaces dir/name atomically: a temporary file is
// written and fsynced, renamed over the manifest, and the directory is
// fsynced.
func WriteManifest(dir, name string, m *Manifest) error {
	tmp := filepath.Join(dir, "temp-"+name)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err = f.Write(m.Bytes()); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory, making renames and creations in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	return err
}

// quoteName quotes a name as sdscatrepr when it holds a space or a byte
// that is not printable.
func quoteName(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '\'' {
			plain = false
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < ' ' || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// splitRepr splits a line into words as sdssplitargs: spaces separate,
// double quotes allow escapes (\xHH, \n, ...), single quotes only \'.
func splitRepr(line string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return out, nil
		}
		var w strings.Builder
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced quotes")
				}
				c := line[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' && i+1 < len(line) {
					i++
					switch e := line[i]; e {
					case 'n':
						w.WriteByte('\n')
					case 'r':
						w.WriteByte('\r')
					case 't':
						w.WriteByte('\t')
					case 'b':
						w.WriteByte('\b')
					case 'a':
						w.WriteByte('\a')
					case 'x':
						if i+2 < len(line) {
							if v, err := strconv.ParseUint(line[i+1:i+3], 16, 8); err == nil {
								w.WriteByte(byte(v))
								i += 2
								break
							}
						}
						w.WriteByte('x')
					default:
						w.WriteByte(e)
					}
					i++
					continue
				}
				w.WriteByte(c)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced quotes")
				}
				c := line[i]
				if c == '\'' {
					i++
					break
				}
				if c == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					i++
					c = '\''
				}
				w.WriteByte(c)
				i++
			}
		default:
			for i < len(line) && line[i] != ' ' && line[i] != '\t' {
				w.WriteByte(line[i])
				i++
			}
		}
		out = append(out, w.String())
	}
}
