package core

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/polyfn/polyfn/core/keyspace"
	"github.com/polyfn/polyfn/core/persist"
)

// An AOF base without RDB preamble (aof-use-rdb-preamble no): the
// dataset as the commands that rebuild it, in the order and forms
// Redis 7.0's rewrite writes them: FUNCTION LOAD of each library, then per
// database SELECT and, per key, SET / RPUSH / SADD / ZADD / HMSET (at
// most 64 elements a command) or, for a stream, its entries as XADD,
// XSETID, each group's XGROUP CREATE, XCLAIM ... FORCE of its pending
// entries and XGROUP CREATECONSUMER of consumers with none; then
// PEXPIREAT when the key has a time to live.

// snapshotWriter is the file side of a snapshot: an RDB file
// (persist.FileWriter) or an AOF base of commands (cmdFileWriter).
type snapshotWriter interface {
	Header(aux []persist.Aux)
	Function(code []byte)
	SelectDB(id int, size, expires int)
	Raw(p []byte)
	Finish() (int64, error)
}

// cmdFileWriter writes an AOF base of commands.
type cmdFileWriter struct {
	stamp bool // aof-timestamp-enabled: a #TS annotation first
	bw    *bufio.Writer
	n     int64
	err   error
	buf   []byte
}

func newCmdFileWriter(w io.Writer) *cmdFileWriter {
	return &cmdFileWriter{bw: bufio.NewWriterSize(w, 256<<10)}
}

func (c *cmdFileWriter) write(p []byte) {
	if c.err == nil {
		n, err := c.bw.Write(p)
		c.n += int64(n)
		c.err = err
	}
}

func (c *cmdFileWriter) Header([]persist.Aux) {
	if c.stamp {
		c.write([]byte("#TS:" + strconv.FormatInt(time.Now().Unix(), 10) + "\r\n"))
	}
}

func (c *cmdFileWriter) Function(code []byte) {
	c.buf = persist.AppendCommand(c.buf[:0], []byte("FUNCTION"), []byte("LOAD"), code)
	c.write(c.buf)
}

func (c *cmdFileWriter) SelectDB(id, _, _ int) {
	c.buf = persist.AppendCommand(c.buf[:0], bSELECT, strconv.AppendInt(nil, int64(id), 10))
	c.write(c.buf)
}

func (c *cmdFileWriter) Raw(p []byte) { c.write(p) }

func (c *cmdFileWriter) Finish() (int64, error) {
	if c.err == nil {
		c.err = c.bw.Flush()
	}
	return c.n, c.err
}

// aofItemsPerCmd is how many elements one rewritten command carries
// (Redis's AOF_REWRITE_ITEMS_PER_CMD).
const aofItemsPerCmd = 64

// appendKeyCommands appends the commands that rebuild key.
func appendKeyCommands(dst []byte, key string, v any, expireAt int64) ([]byte, error) {
	k := []byte(key)
	batch := func(name []byte, items [][]byte, per int) {
		for i := 0; i < len(items); i += per * aofItemsPerCmd {
			end := min(i+per*aofItemsPerCmd, len(items))
			dst = persist.AppendCommand(dst, append([][]byte{name, k}, items[i:end]...)...)
		}
	}
	switch x := v.(type) {
	case []byte:
		dst = persist.AppendCommand(dst, bSET, k, x)
	case *keyspace.List:
		items := make([][]byte, 0, x.Len())
		for it := x.Iter(0, false); it.Next(); {
			items = append(items, bytes.Clone(it.Value())) // values may be views of a scratch buffer
		}
		batch([]byte("RPUSH"), items, 1)
	case *keyspace.Set:
		var items [][]byte
		x.Range(func(m []byte) bool { items = append(items, bytes.Clone(m)); return true })
		batch([]byte("SADD"), items, 1)
	case *keyspace.ZSet:
		var items [][]byte
		for it := x.Iter(0, false); ; {
			m, score, ok := it.Next()
			if !ok {
				break
			}
			items = append(items, appendScore(nil, score), []byte(m))
		}
		batch([]byte("ZADD"), items, 2)
	case *keyspace.Hash:
		var items [][]byte
		x.Range(func(f, val []byte) bool { items = append(items, bytes.Clone(f), bytes.Clone(val)); return true })
		batch([]byte("HMSET"), items, 2)
	case *keyspace.Stream:
		dst = appendStreamCommands(dst, k, x)
	default:
		return dst, fmt.Errorf("key %q: a value of type %T cannot be rewritten", key, v)
	}
	if expireAt >= 0 {
		dst = persist.AppendCommand(dst, bPEXPIREAT, k, strconv.AppendInt(nil, expireAt, 10))
	}
	return dst, nil
}

// appendStreamCommands rebuilds a stream with its groups.
func appendStreamCommands(dst []byte, k []byte, s *keyspace.Stream) []byte {
	xadd := []byte("XADD")
	if s.Len() == 0 {
		// An empty stream still exists: add and trim a placeholder.
		dst = persist.AppendCommand(dst, xadd, k, []byte("MAXLEN"), []byte("0"), []byte("0-1"), []byte("x"), []byte("y"))
	} else {
		s.Range(keyspace.StreamID{}, keyspace.MaxStreamID, false, func(e *keyspace.StreamEntry) bool {
			args := [][]byte{xadd, k, e.ID.AppendTo(nil)}
			e.Fields(func(f, v []byte) { args = append(args, f, v) })
			dst = persist.AppendCommand(dst, args...)
			return true
		})
	}
	dst = persist.AppendCommand(dst, []byte("XSETID"), k, s.LastID.AppendTo(nil),
		[]byte("ENTRIESADDED"), strconv.AppendUint(nil, s.EntriesAdded, 10),
		[]byte("MAXDELETEDID"), s.MaxDeletedID.AppendTo(nil))
	for _, g := range s.Groups() {
		gname := []byte(g.Name)
		dst = persist.AppendCommand(dst, bXGROUP, []byte("CREATE"), k, gname, g.LastID.AppendTo(nil),
			[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10))
		for _, c := range g.Consumers() {
			cname := []byte(c.Name)
			if c.PEL.Len() == 0 {
				dst = persist.AppendCommand(dst, bXGROUP, []byte("CREATECONSUMER"), k, gname, cname)
				continue
			}
			c.PEL.Range(func(id keyspace.StreamID, n *keyspace.NACK) bool {
				dst = persist.AppendCommand(dst, bXCLAIM, k, gname, cname, []byte("0"), id.AppendTo(nil),
					[]byte("TIME"), strconv.AppendInt(nil, n.DeliveryTime, 10),
					[]byte("RETRYCOUNT"), strconv.AppendInt(nil, n.DeliveryCount, 10),
					[]byte("JUSTID"), []byte("FORCE"))
				return true
			})
		}
	}
	return dst
}
