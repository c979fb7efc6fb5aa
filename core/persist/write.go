// Package persist reads and writes whole RDB files in Redis 7.0's format
// (RDB version 10): the "REDIS0010" header, AUX fields, function
// libraries, one section per non-empty database (SELECTDB, RESIZEDB, then
// each key with its optional expiry, type and value), the EOF opcode and
// a CRC-64 trailer.
//
// Values are encoded and decoded by package rdbvalue (every type it
// knows, streams included once it knows them); this package only frames
// them. It knows nothing of the server: core takes consistent snapshots
// (see RATIONALE.md) and feeds the keys to a FileWriter, and gives Load a
// Handler that stores what the file holds.
package persist

import (
	"bufio"
	"encoding/binary"
	"io"
	"strconv"
	"unsafe"

	"github.com/polyfn/polyfn/core/rdb"
	"github.com/polyfn/polyfn/core/rdbvalue"
)

// Opcodes of an RDB file (the byte where a value type may also stand).
const (
	OpFunction2     = rdb.OpFunction2     // 245: a function library
	OpFunctionPreGA = rdb.OpFunctionPreGA // 246: 7.0-rc library format
	OpModuleAux     = 247                 // module auxiliary data
	OpIdle          = 248                 // LRU idle time of the next key
	OpFreq          = 249                 // LFU counter of the next key
	OpAux           = 250                 // an AUX field: two strings
	OpResizeDB      = 251                 // hash table size hints
	OpExpireTimeMs  = 252                 // expiry of the next key, ms
	OpExpireTime    = 253                 // expiry of the next key, s
	OpSelectDB      = 254                 // database number
	OpEOF           = 255                 // end of the data
)

// Magic is the header of every file polyfn writes.
const Magic = "REDIS0010"

// Aux is one AUX field.
type Aux struct{ Key, Value string }

// StandardAux returns the AUX fields redis-server 7.0.15 writes without
// replication: redis-ver, redis-bits, ctime (unix seconds) and used-mem,
// then aof-base 0. Numbers are written as decimal strings, which the
// string encoder stores as integers, as Redis's rdbSaveAuxFieldStrInt does.
func StandardAux(redisVersion string, ctime int64, usedMem uint64) []Aux {
	return []Aux{
		{"redis-ver", redisVersion},
		{"redis-bits", "64"},
		{"ctime", strconv.FormatInt(ctime, 10)},
		{"used-mem", strconv.FormatUint(usedMem, 10)},
		{"aof-base", "0"},
	}
}

// crcWriter computes the CRC-64 of everything written through it.
type crcWriter struct {
	w   io.Writer
	crc uint64
	n   int64
	on  bool
}

func (c *crcWriter) Write(p []byte) (int, error) {
	if c.on {
		c.crc = rdb.CRC64(c.crc, p)
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// FileWriter writes an RDB file to an io.Writer, buffering it. Methods
// must be called in file order: Header, Function*, then for each database
// SelectDB followed by its keys (Key or Raw), and Finish. The first write
// error is kept and returned by Finish; later calls do nothing.
type FileWriter struct {
	out *crcWriter
	bw  *bufio.Writer
	enc *rdb.Writer
	opt rdbvalue.Options
	err error
}

// NewFileWriter returns a writer to w. checksum is rdbchecksum: without
// it the trailer is eight zero bytes, which loaders take as "not
// checked". opt shapes values as for DUMP (rdbcompression and the list
// settings).
func NewFileWriter(w io.Writer, opt rdbvalue.Options, checksum bool) *FileWriter {
	out := &crcWriter{w: w, on: checksum}
	return &FileWriter{out: out, bw: bufio.NewWriterSize(out, 256<<10), enc: rdb.NewWriter(nil, opt.Compress), opt: opt}
}

func (f *FileWriter) write(p []byte) {
	if f.err == nil {
		_, f.err = f.bw.Write(p)
	}
}

// flushEnc writes what the encoder holds and empties it.
func (f *FileWriter) flushEnc() {
	f.write(f.enc.Bytes())
	f.enc = rdb.NewWriter(f.enc.Bytes()[:0], f.opt.Compress)
}

// Header writes the magic string and the AUX fields.
func (f *FileWriter) Header(aux []Aux) {
	f.enc.WriteRaw([]byte(Magic))
	for _, a := range aux {
		f.enc.WriteType(OpAux)
		f.enc.WriteString([]byte(a.Key))
		f.enc.WriteString([]byte(a.Value))
	}
	f.flushEnc()
}

// Function writes one library (its full source, "#!" line included).
func (f *FileWriter) Function(code []byte) {
	f.enc.WriteType(OpFunction2)
	f.enc.WriteString(code)
	f.flushEnc()
}

// SelectDB starts the section of database id, whose tables hold size
// keys, expires of them with a time to live (hints for the loader).
func (f *FileWriter) SelectDB(id int, size, expires int) {
	f.enc.WriteType(OpSelectDB)
	f.enc.WriteLen(uint64(id))
	f.enc.WriteType(OpResizeDB)
	f.enc.WriteLen(uint64(size))
	f.enc.WriteLen(uint64(expires))
	f.flushEnc()
}

// Key writes one key: its expiry when expireAt >= 0, its type and value.
func (f *FileWriter) Key(key string, value any, expireAt int64) error {
	b, err := AppendKey(f.enc.Bytes(), key, value, expireAt, f.opt)
	if err != nil {
		return err
	}
	f.enc = rdb.NewWriter(b, f.opt.Compress)
	if len(b) >= 64<<10 {
		f.flushEnc()
	}
	return nil
}

// Raw writes keys already encoded by AppendKey.
func (f *FileWriter) Raw(p []byte) {
	f.flushEnc()
	f.write(p)
}

// Finish writes the EOF opcode and the CRC-64 trailer, flushes the buffer
// and returns the first error met. It returns the file's size.
func (f *FileWriter) Finish() (int64, error) {
	f.enc.WriteType(OpEOF)
	f.flushEnc()
	if f.err == nil {
		f.err = f.bw.Flush()
	}
	if f.err == nil {
		var crc [8]byte
		if f.out.on {
			binary.LittleEndian.PutUint64(crc[:], f.out.crc)
		}
		_, f.err = f.out.w.Write(crc[:])
		f.out.n += 8
	}
	return f.out.n, f.err
}

// AppendKey appends to dst one key as an RDB file holds it: an
// EXPIRETIME_MS opcode with the expiry (unix ms, little-endian) when
// expireAt >= 0, then the value's type byte, the key string and the value
// (rdbvalue.WriteValue). On error (a value rdbvalue cannot encode) dst is
// returned unchanged with the error.
func AppendKey(dst []byte, key string, value any, expireAt int64, opt rdbvalue.Options) ([]byte, error) {
	start := len(dst)
	if expireAt >= 0 {
		dst = append(dst, OpExpireTimeMs)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(expireAt))
	}
	// WriteValue writes the type byte first: encode the key, then the
	// value, then rotate the type byte in front of the key.
	w := rdb.NewWriter(dst, opt.Compress)
	typePos := len(dst)
	w.WriteString(strBytes(key))
	keyEnd := len(w.Bytes())
	if err := rdbvalue.WriteValue(w, value, opt); err != nil {
		return dst[:start], err
	}
	b := w.Bytes()
	t := b[keyEnd]
	copy(b[typePos+1:keyEnd+1], b[typePos:keyEnd])
	b[typePos] = t
	return b, nil
}

func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
