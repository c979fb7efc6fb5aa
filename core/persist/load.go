package persist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/polyfn/polyfn/core/rdb"
	"github.com/polyfn/polyfn/core/rdbvalue"
)

// Handler receives what Load decodes, in file order. An error from any
// method stops the load and is returned by Load.
type Handler interface {
	// Aux is an AUX field.
	Aux(key, value []byte)
	// Function is a library's full source (also built from the 7.0-rc
	// format); code aliases the file data.
	Function(code []byte) error
	// Key is a key of database db with its value (not aliasing the
	// data) and expiry (unix ms, -1 for none). Expired keys are passed
	// too: the handler decides.
	Key(db int, key []byte, value any, expireAt int64) error
}

// LoadError is a file Load refuses, with where the problem is.
type LoadError struct {
	Offset int
	Msg    string
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("RDB file is corrupt or truncated at byte %d: %s", e.Offset, e.Msg)
}

// ErrChecksum reports a CRC-64 trailer that does not match the data.
var ErrChecksum = errors.New("wrong RDB checksum")

// Options of Load.
type Options struct {
	// Limits are the encoding thresholds of loaded values.
	Limits rdbvalue.Limits
	// SkipChecksum is rdbchecksum no: the trailer is not checked. A zero
	// trailer (a file saved with rdbchecksum no) is never checked.
	SkipChecksum bool
	// MaxDB is the number of databases: SELECTDB beyond it fails.
	MaxDB int
}

// Load decodes a whole RDB file (versions 1 to 10), as Redis 7.0's
// rdbLoad reads it: every opcode is understood (AUX, SELECTDB, RESIZEDB,
// EXPIRETIME, EXPIRETIME_MS, FREQ, IDLE, FUNCTION, FUNCTION2), module
// data (MODULE_AUX, module values) is refused, and the file must end with
// EOF and, from version 5, a matching CRC-64. Any error leaves it to the
// caller to discard what the handler received: a file is loaded whole or
// not at all.
func Load(data []byte, opt Options, h Handler) error {
	_, err := LoadPrefix(data, opt, h)
	return err
}

// LoadPrefix is Load for a file that may go on after the RDB data (an
// append-only file with an RDB preamble): it returns the length of the
// RDB part.
func LoadPrefix(data []byte, opt Options, h Handler) (int, error) {
	if len(data) < 9 || string(data[:5]) != "REDIS" {
		return 0, &LoadError{0, "wrong signature trying to load DB from file"}
	}
	ver, err := strconv.Atoi(string(data[5:9]))
	if err != nil || ver < 1 || ver > rdb.Version {
		return 0, &LoadError{5, fmt.Sprintf("can't handle RDB format version %q", data[5:9])}
	}
	r := rdb.NewReader(data[9:])
	fail := func(msg string) error { return &LoadError{9 + r.Pos(), msg} }
	db := 0
	expireAt := int64(-1)
	for {
		op, err := r.ReadType()
		if err != nil {
			return 0, fail("unexpected end of file (no EOF opcode)")
		}
		switch op {
		case OpExpireTime:
			p, err := r.ReadRaw(4)
			if err != nil {
				return 0, fail("truncated EXPIRETIME")
			}
			expireAt = int64(int32(binary.LittleEndian.Uint32(p))) * 1000
			continue
		case OpExpireTimeMs:
			p, err := r.ReadRaw(8)
			if err != nil {
				return 0, fail("truncated EXPIRETIME_MS")
			}
			expireAt = int64(binary.LittleEndian.Uint64(p))
			continue
		case OpFreq:
			if _, err := r.ReadRaw(1); err != nil {
				return 0, fail("truncated FREQ")
			}
			continue
		case OpIdle:
			if _, _, err := r.ReadLen(); err != nil {
				return 0, fail("truncated IDLE")
			}
			continue
		case OpEOF:
			if ver >= 5 {
				p, err := r.ReadRaw(8)
				if err != nil {
					return 0, fail("truncated checksum")
				}
				want := binary.LittleEndian.Uint64(p)
				if !opt.SkipChecksum && want != 0 {
					if got := rdb.CRC64(0, data[:len(data)-r.Remaining()-8]); got != want {
						return 0, fmt.Errorf("%w: expected %x, got %x", ErrChecksum, want, got)
					}
				}
			}
			return len(data) - r.Remaining(), nil
		case OpSelectDB:
			n, _, err := r.ReadLen()
			if err != nil {
				return 0, fail("truncated SELECTDB")
			}
			if opt.MaxDB > 0 && n >= uint64(opt.MaxDB) {
				return 0, fail(fmt.Sprintf("FATAL: Data file was created with a Redis server configured to handle more than %d databases", opt.MaxDB))
			}
			db = int(n)
			continue
		case OpResizeDB:
			if _, _, err := r.ReadLen(); err != nil {
				return 0, fail("truncated RESIZEDB")
			}
			if _, _, err := r.ReadLen(); err != nil {
				return 0, fail("truncated RESIZEDB")
			}
			continue
		case OpAux:
			k, err := r.ReadString()
			if err != nil {
				return 0, fail("bad AUX key")
			}
			v, err := r.ReadString()
			if err != nil {
				return 0, fail("bad AUX value")
			}
			h.Aux(k, v)
			continue
		case OpModuleAux:
			return 0, fail("the file holds module data (MODULE_AUX): polyfn has no modules")
		case OpFunctionPreGA, OpFunction2:
			var code []byte
			if op == OpFunction2 {
				if code, err = r.ReadString(); err != nil {
					return 0, fail("bad function library payload")
				}
			} else if code, err = readPreGA(r); err != nil {
				return 0, fail(err.Error())
			}
			if err := h.Function(code); err != nil {
				return 0, fmt.Errorf("loading a function library: %w", err)
			}
			continue
		case rdbvalue.TypeModulePreGA, rdbvalue.TypeModule2:
			return 0, fail("the file holds a module value: polyfn has no modules")
		}
		// A key: op is its value type.
		key, err := r.ReadString()
		if err != nil {
			return 0, fail("bad key")
		}
		k := append([]byte(nil), key...)
		v, err := rdbvalue.ReadValue(r, op, opt.Limits)
		if err != nil {
			return 0, fail(fmt.Sprintf("bad value of key %q (type %d)", k, op))
		}
		if err := h.Key(db, k, v, expireAt); err != nil {
			return 0, err
		}
		expireAt = -1
	}
}

// readPreGA reads a library in the 7.0 release-candidate format and
// returns the source Redis builds from it.
func readPreGA(r *rdb.Reader) ([]byte, error) {
	name, err := r.ReadString()
	if err != nil {
		return nil, errors.New("bad library name")
	}
	engine, err := r.ReadString()
	if err != nil {
		return nil, errors.New("bad engine name")
	}
	hasDesc, _, err := r.ReadLen()
	if err != nil {
		return nil, errors.New("bad library description indicator")
	}
	if hasDesc != 0 {
		if _, err := r.ReadString(); err != nil {
			return nil, errors.New("bad library description")
		}
	}
	blob, err := r.ReadString()
	if err != nil {
		return nil, errors.New("bad library code")
	}
	code := []byte("#!" + string(engine) + " name=" + string(name) + "\n")
	return append(code, blob...), nil
}
