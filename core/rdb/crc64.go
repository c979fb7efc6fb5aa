// Package rdb holds the building blocks of Redis's RDB serialisation that
// polyfn needs to produce and accept byte-identical payloads: the CRC-64
// that seals DUMP payloads and RDB files, LZF compression as liblzf does it
// with Redis's settings, the RDB length and string encodings, and the
// FUNCTION DUMP / FUNCTION RESTORE payload.
//
// Everything here works on byte slices: writers append, readers never
// panic and report truncated or malformed input as errors.
package rdb

import "encoding/binary"

// crc64Poly is the Jones polynomial 0xad93d23594c935a9 in reflected
// (LSB-first) form, as Redis's CRC-64 uses it.
const crc64Poly = 0x95ac9329ac4bc9b5

// crcTables[0] is the classic byte-at-a-time table; crcTables[k][b] is the
// CRC of byte b followed by k zero bytes, which lets CRC64 fold eight input
// bytes per step (slicing-by-8).
var crcTables = makeCRCTables()

func makeCRCTables() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		c := uint64(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ crc64Poly
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for i := range 256 {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][c&0xff] ^ c>>8
			t[k][i] = c
		}
	}
	return t
}

// CRC64 continues the CRC-64 crc over p and returns the result. It is
// Redis's crc64: Jones polynomial, reflected input and output, no initial
// or final inversion, so CRC64(0, p) is the checksum of p and
// CRC64(CRC64(0, a), b) == CRC64(0, a+b). CRC64(0, "123456789") is
// 0xe9c6d914c4b8d9ca.
func CRC64(crc uint64, p []byte) uint64 {
	t := crcTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^
			t[6][crc>>8&0xff] ^
			t[5][crc>>16&0xff] ^
			t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^
			t[2][crc>>40&0xff] ^
			t[1][crc>>48&0xff] ^
			t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
