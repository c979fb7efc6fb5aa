package rdb

import (
	"bytes"
	"encoding/binary"
)

// Opcodes of function libraries in RDB files and FUNCTION DUMP payloads.
const (
	// OpFunction2 precedes one library: its full source, "#!<engine>
	// name=<name> ..." first line included, as an RDB string.
	OpFunction2 = 245
	// OpFunctionPreGA is the Redis 7.0 release-candidate format: library
	// name, engine name, a description indicator (a length; non-zero
	// means a description string follows), then the code without its
	// "#!" line. Redis 7.0 still restores it.
	OpFunctionPreGA = 246
)

// Error is a client-visible error text, exactly as Redis replies it
// (without the leading '-').
type Error string

func (e Error) Error() string { return string(e) }

// The FUNCTION RESTORE errors that come from decoding the payload, with
// Redis 7.0's texts. Errors found later, when the libraries are compiled
// and registered, are the caller's.
const (
	// ErrPayloadVersionOrChecksum: shorter than the 10-byte footer, an RDB
	// version newer than Version, or a CRC mismatch. RESTORE of keys
	// replies the same.
	ErrPayloadVersionOrChecksum Error = "ERR DUMP payload version or checksum are wrong"
	// ErrReadType: no opcode byte could be read. Redis has this branch;
	// a payload that passed VerifyPayload never reaches it.
	ErrReadType Error = "ERR can not read data type"
	// ErrNotAFunction: an opcode other than OpFunction2 and
	// OpFunctionPreGA.
	ErrNotAFunction Error = "ERR given type is not a function"
	// ErrLibraryPayload: the code string of an OpFunction2 library is
	// malformed (bad length or encoding, truncated, bad LZF data).
	ErrLibraryPayload Error = "ERR Failed loading library payload"
	// ErrLibraryName, ErrEngineName, ErrDescriptionIndicator,
	// ErrDescription and ErrLibraryBlob: the corresponding field of an
	// OpFunctionPreGA library is malformed.
	ErrLibraryName          Error = "ERR Failed loading library name"
	ErrEngineName           Error = "ERR Failed loading engine name"
	ErrDescriptionIndicator Error = "ERR Failed loading library description indicator"
	ErrDescription          Error = "ERR Failed loading library description"
	ErrLibraryBlob          Error = "ERR Failed loading library blob"
)

// footerLen is the RDB version (2 bytes) and CRC-64 (8 bytes) that end a
// DUMP payload.
const footerLen = 10

// VerifyPayload checks the footer of a DUMP or FUNCTION DUMP payload as
// Redis's verifyDumpPayload does: at least 10 bytes, an RDB version (the
// little-endian uint16 before the last 8 bytes) not newer than Version,
// and, unless skipChecksum (DEBUG SET-SKIP-CHECKSUM-VALIDATION 1), a
// little-endian CRC64 in the last 8 bytes equal to the CRC64 of all the
// bytes before it. A zero CRC is not special. It returns the payload's
// RDB version, or ErrPayloadVersionOrChecksum.
func VerifyPayload(payload []byte, skipChecksum bool) (uint16, error) {
	if len(payload) < footerLen {
		return 0, ErrPayloadVersionOrChecksum
	}
	foot := payload[len(payload)-footerLen:]
	ver := binary.LittleEndian.Uint16(foot)
	if ver > Version {
		return ver, ErrPayloadVersionOrChecksum
	}
	if skipChecksum {
		return ver, nil
	}
	if CRC64(0, payload[:len(payload)-8]) != binary.LittleEndian.Uint64(foot[2:]) {
		return ver, ErrPayloadVersionOrChecksum
	}
	return ver, nil
}

// DumpFunctions returns the FUNCTION DUMP payload of the given libraries,
// in the given order: for each code, OpFunction2 and the code as an RDB
// string (LZF-compressed when compress, as rdbcompression yes does), then
// the footer (AppendFooter). Redis dumps its libraries in the iteration
// order of its library dictionary, which polyfn's caller chooses.
func DumpFunctions(codes [][]byte, compress bool) []byte {
	size := footerLen
	for _, c := range codes {
		size += 1 + 9 + len(c)
	}
	w := NewWriter(make([]byte, 0, size), compress)
	for _, c := range codes {
		w.WriteType(OpFunction2)
		w.WriteString(c)
	}
	return AppendFooter(w.Bytes())
}

// WalkFunctions decodes a FUNCTION DUMP payload as FUNCTION RESTORE does
// and calls fn with the code of each library in payload order, stopping
// at fn's first error and returning it. It first verifies the footer
// (VerifyPayload), then reads libraries while more than the 10 footer
// bytes remain unread; like Redis it reads the whole payload, footer
// included, so a library string that runs into the footer is accepted
// and ends the walk.
//
// OpFunctionPreGA libraries are given to fn as the code Redis builds from
// them: "#!" + engine + " name=" + name + "\n" + code (the description is
// dropped). The errors are the Err constants, so that a caller that
// compiles each library inside fn reports errors in Redis's order. The
// code passed to fn may alias payload; fn must copy it to keep it.
func WalkFunctions(payload []byte, skipChecksum bool, fn func(code []byte) error) error {
	if _, err := VerifyPayload(payload, skipChecksum); err != nil {
		return err
	}
	r := NewReader(payload)
	for r.Remaining() > footerLen {
		op, err := r.ReadType()
		if err != nil {
			return ErrReadType
		}
		var code []byte
		switch op {
		case OpFunction2:
			if code, err = r.ReadString(); err != nil {
				return ErrLibraryPayload
			}
		case OpFunctionPreGA:
			if code, err = readPreGA(r); err != nil {
				return err
			}
		default:
			return ErrNotAFunction
		}
		if err := fn(code); err != nil {
			return err
		}
	}
	return nil
}

// readPreGA reads the body of an OpFunctionPreGA library and returns the
// library code Redis makes of it.
func readPreGA(r *Reader) ([]byte, error) {
	name, err := r.ReadString()
	if err != nil {
		return nil, ErrLibraryName
	}
	engine, err := r.ReadString()
	if err != nil {
		return nil, ErrEngineName
	}
	hasDesc, _, err := r.ReadLen()
	if err != nil {
		return nil, ErrDescriptionIndicator
	}
	if hasDesc != 0 {
		if _, err := r.ReadString(); err != nil {
			return nil, ErrDescription
		}
	}
	blob, err := r.ReadString()
	if err != nil {
		return nil, ErrLibraryBlob
	}
	code := make([]byte, 0, len(engine)+len(name)+len(blob)+9)
	code = append(code, "#!"...)
	code = append(code, engine...)
	code = append(code, " name="...)
	code = append(code, name...)
	code = append(code, '\n')
	return append(code, blob...), nil
}

// LoadFunctions decodes a FUNCTION DUMP payload (checksum verified) and
// returns copies of its library codes in payload order, or the first
// error as WalkFunctions reports it.
func LoadFunctions(payload []byte) ([][]byte, error) {
	var codes [][]byte
	err := WalkFunctions(payload, false, func(code []byte) error {
		codes = append(codes, bytes.Clone(code))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
